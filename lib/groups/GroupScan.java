package lib.groups;

import lib.text.Bytes;
import lib.text.Progress;
import lib.pages.PageSet;
import lib.pages.PageShares;
import lib.pages.ProcessPages;
import lib.proc.Iomem;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.SelfMemory;
import lib.proc.SysvShm;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * memstats' engine: choose the processes, read each one's pages once (in parallel), merge them
 * into the group of every splitter, then count RSS, USS and shares per group by set arithmetic on frames.
 */
public final class GroupScan {
    private GroupScan() {
    }

    /**
     * Which processes a scan will read, and why the others are left out. all: every process read but
     * kernel threads, before the filter (for whoever needs the whole list without reading it again).
     */
    public record Selection(List<ProcessInfo> toScan, List<ProcessInfo> all, ProcessTree tree, int processes, int kernel,
                            int filteredOut, int vanished, int unreadable) {
    }

    /** The "scan" section: counts, time, and whether the memory limit cut it short. */
    public record ScanCounts(int processes, int scanned, int kernel, int filteredOut, int vanished, int unreadable,
                         long elapsedMs, boolean partial) {
    }

    /**
     * One row of a split's table; sizes in bytes. unknownShm counts attached segments /proc/sysvipc/shm
     * does not list (gone, or of another IPC namespace): their memory is in neither shm column.
     * memShare: each of its frames' bytes divided by the number of groups of the split holding it.
     */
    public record GroupStats(String name, int procs, long memRss, long memAnon, long memUss, long memShare, long swapAnon,
                             long swapRss, long swapUss, long shmMem, long shmSwap, long[] shmids, int unknownShm) {
    }

    /** A split's rows, largest mem_rss first; frames.get(i) are the frames groups.get(i) holds (what its memRss counts), for tools that place them. */
    public record Split(String name, List<GroupStats> groups, List<PageSet> frames) {

        public PageSet framesOf(GroupStats g) {
            return frames.get(groups.indexOf(g));
        }
    }

    public record Result(ScanCounts counts, List<Split> splits) {
    }

    /** Progress and limits of a run. */
    public record Options(int threads, long memLimitBytes, Consumer<String> log, Progress progress) {
        public Options {
            if (progress == null) progress = Progress.OFF;
        }
    }

    /** Lists processes, leaving out kernel threads, this process and those the filter rejects. */
    public static Selection select(ProcFs proc, Filter filter) throws IOException {
        int selfPid = proc.selfPid();
        List<ProcessInfo> all = new ArrayList<>();
        int kernel = 0, vanished = 0, processes = 0, unreadable = 0;
        for (int pid : proc.pids()) {
            if (pid == selfPid) continue;
            processes++;
            try {
                ProcessInfo p = ProcessInfo.read(proc, pid);
                if (p.kernelThread()) kernel++;
                else all.add(p);
            } catch (ProcessInfo.VanishedException e) {
                vanished++;
            } catch (java.nio.file.AccessDeniedException e) {
                // a snapshot's status or cmdline that cannot be read: who it is is unknown, so no filter can place it
                unreadable++;
            }
        }
        ProcessTree tree = new ProcessTree(all, proc.users());
        List<ProcessInfo> kept = new ArrayList<>();
        for (ProcessInfo p : all) if (filter.test(p, tree)) kept.add(p);
        return new Selection(kept, List.copyOf(all), tree, processes, kernel, all.size() - kept.size(), vanished, unreadable);
    }

    /** Pages of one group, merged from its processes (under the group's lock). */
    private static final class Accumulator {
        final String name;
        final boolean declared;
        int procs;
        /** processes assigned to it before the scan */
        int planned;
        ProcessPages.Sets sets;
        final LongOpenHashSet shmids = new LongOpenHashSet();
        /** segments of other IPC namespaces, as "namespace inode:shmid" */
        final java.util.Set<String> foreignShm = new java.util.HashSet<>();

        Accumulator(String name, boolean declared) {
            this.name = name;
            this.declared = declared;
        }

        /** Counts a process whose pages were added into sets. */
        synchronized void count(long[] sysvShmids, long foreignIpcNs) {
            // the last process is in: the sets will not grow again, pack them
            if (++procs == planned) {
                sets.rss().compact();
                sets.anon().compact();
                sets.swap().compact();
            }
            for (long id : sysvShmids) {
                if (foreignIpcNs != 0) foreignShm.add(foreignIpcNs + ":" + id);
                else shmids.add(id);
            }
        }
    }

    /** Dense group sets cost 8 KiB per 65536 frames of RAM per set: affordable for a few groups. */
    private static final long DENSE_BUDGET_BYTES = 48L << 20;

    /** Blocks of 65536 frames that cover the RAM (from iomem), 0 when unknown (no root, snapshot without it). */
    static int ramBlocks(ProcFs proc, long pageSize) {
        try {
            long endPfn = 0;
            for (Iomem.Range r : Iomem.systemRam(Iomem.parse(proc.readString("iomem")))) {
                endPfn = Math.max(endPfn, r.endPfn(pageSize));
            }
            return endPfn > 0 && endPfn < (1L << 32) ? (int) ((endPfn + 0xFFFF) >>> 16) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Dense blocks for a split of this many groups (rss and anon dense), or 0 to keep them sparse. */
    private static int denseBlocks(int groups, int ramBlocks) {
        return ramBlocks > 0 && groups * 2L * ramBlocks * 8192 <= DENSE_BUDGET_BYTES ? ramBlocks : 0;
    }

    public static Result run(ProcFs proc, Selection sel, List<Splitter> splitters, List<SysvShm.Segment> segments,
                             long pageSize, Options opt) throws IOException {
        long t0 = System.nanoTime();
        List<ProcessInfo> procs = sel.toScan();
        // group of every process in every split, known before any page is read
        List<Map<String, Accumulator>> groups = new ArrayList<>();
        Accumulator[][] target = new Accumulator[procs.size()][splitters.size()];
        List<List<ProcessPages.Sets>> targetSets = new ArrayList<>();
        int ramBlocks = ramBlocks(proc, pageSize);
        for (int s = 0; s < splitters.size(); s++) {
            Splitter sp = splitters.get(s);
            Map<String, Accumulator> byName = new LinkedHashMap<>();
            if (sp instanceof Splitter.Custom c) {
                for (String g : c.declaredGroups()) byName.put(g, new Accumulator(g, true));
                byName.put(Splitter.OTHER, new Accumulator(Splitter.OTHER, true));
            } else if (sp instanceof Splitter.ByPids p) {
                byName.put(p.groupName(), new Accumulator(p.groupName(), true));
                byName.put(Splitter.OTHER, new Accumulator(Splitter.OTHER, true));
            }
            for (int i = 0; i < procs.size(); i++) {
                String g = sp.groupOf(procs.get(i), sel.tree());
                target[i][s] = byName.computeIfAbsent(g, n -> new Accumulator(n, false));
                target[i][s].planned++;
            }
            int denseBlocks = denseBlocks(byName.size(), ramBlocks);
            for (Accumulator a : byName.values()) a.sets = new ProcessPages.Sets(denseBlocks, a.planned);
            groups.add(byName);
        }
        for (Accumulator[] t : target) {
            List<ProcessPages.Sets> sets = new ArrayList<>();
            for (Accumulator a : t) sets.add(a.sets);
            targetSets.add(sets);
        }

        AtomicInteger done = new AtomicInteger();
        AtomicInteger vanished = new AtomicInteger();
        AtomicInteger unreadable = new AtomicInteger();
        AtomicBoolean partial = new AtomicBoolean();
        try {
            Workers.run("scan", opt.threads(), procs.size(), () -> {
                ProcessPages.Reader reader = new ProcessPages.Reader(proc, pageSize);
                return i -> {
                    if (partial.get()) return; // the memory limit is reached: the rest is left unread
                    opt.progress().begin(procs.get(i).pid(), procs.get(i).comm());
                    try {
                        long[] shmids = reader.readInto(procs.get(i).pid(), targetSets.get(i));
                        long foreignIpcNs = reader.foreignIpcNs(procs.get(i).pid(), shmids);
                        for (Accumulator a : target[i]) a.count(shmids, foreignIpcNs);
                    } catch (ProcessInfo.VanishedException e) {
                        vanished.incrementAndGet();
                    } catch (java.nio.file.AccessDeniedException e) {
                        // a process the kernel will not show even to root (another namespace's init, a protected one)
                        unreadable.incrementAndGet();
                        opt.log().accept("cannot read process " + procs.get(i).pid() + " (" + procs.get(i).comm() + "): permission denied");
                    }
                    int d = done.incrementAndGet();
                    opt.progress().done();
                    // reading our own status costs a syscall: every 8th process is often enough
                    if (opt.memLimitBytes() > 0 && (d & 7) == 1 && SelfMemory.rssBytes() > opt.memLimitBytes()
                            && partial.compareAndSet(false, true)) {
                        opt.log().accept("Memory limit of " + Bytes.AUTO.format(opt.memLimitBytes())
                                + " reached after " + d + " processes: results are partial");
                    }
                };
            });
        } catch (Error e) {
            throw new IOException(e); // a worker's Error (out of memory) shown as one line, as before
        }

        Map<Long, SysvShm.Segment> segById = new LinkedHashMap<>();
        for (SysvShm.Segment s : segments) segById.put(s.shmid(), s);
        List<Split> splits = new ArrayList<>();
        for (int s = 0; s < splitters.size(); s++) {
            // a group whose every process vanished is dropped; groups the user named stay, even empty
            List<Accumulator> accs = groups.get(s).values().stream().filter(a -> a.declared || a.procs > 0).toList();
            List<PageSet> rssSets = accs.stream().map(a -> a.sets.rss().result()).toList();
            List<PageSet> swapSets = accs.stream().map(a -> a.sets.swap().result()).toList();
            // USS and mem_share from one pass: the frames held by two groups or more
            PageShares.Shares shares = PageShares.of(rssSets, pageSize);
            long[] rssUss = shares.exclusivePages();
            long[] swapUss = PageSet.exclusiveCounts(swapSets);
            List<Map.Entry<GroupStats, PageSet>> stats = new ArrayList<>();
            for (int g = 0; g < accs.size(); g++) {
                Accumulator a = accs.get(g);
                long shmMem = 0, shmSwap = 0;
                int unknown = a.foreignShm.size();
                long[] ids = a.shmids.toLongArray();
                java.util.Arrays.sort(ids);
                for (long id : ids) {
                    SysvShm.Segment seg = segById.get(id);
                    if (seg == null) {
                        unknown++;
                    } else {
                        shmMem += seg.rssBytes();
                        shmSwap += seg.swapBytes();
                    }
                }
                ProcessPages.Sets p = a.sets;
                stats.add(Map.entry(new GroupStats(a.name, a.procs, rssSets.get(g).count() * pageSize, p.anon().count() * pageSize,
                        rssUss[g] * pageSize, shares.bytes()[g], p.swapAnon().count() * pageSize, swapSets.get(g).count() * pageSize,
                        swapUss[g] * pageSize, shmMem, shmSwap, ids, unknown), rssSets.get(g)));
            }
            stats.sort(Comparator.comparingLong((Map.Entry<GroupStats, PageSet> e) -> e.getKey().memRss()).reversed());
            splits.add(new Split(splitters.get(s).name(), stats.stream().map(Map.Entry::getKey).toList(),
                    stats.stream().map(Map.Entry::getValue).toList()));
        }
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        int scanned = done.get() - vanished.get() - unreadable.get();
        ScanCounts counts = new ScanCounts(sel.processes(), scanned, sel.kernel(), sel.filteredOut(),
                sel.vanished() + vanished.get(), sel.unreadable() + unreadable.get(), elapsedMs, partial.get());
        return new Result(counts, splits);
    }
}
