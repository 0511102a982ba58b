package lib.snapshot;

import lib.proc.DirProcFs;
import lib.proc.Environ;
import lib.proc.Getconf;
import lib.proc.Iomem;
import lib.proc.Maps;
import lib.proc.PageSize;
import lib.proc.PagemapScan;
import lib.proc.Passwd;
import lib.proc.ProcFs;
import lib.proc.Status;
import lib.proc.SysvShm;
import lib.proc.Tmpfs;
import lib.proc.TmpfsFiles;
import lib.text.Json;
import lib.text.Progress;
import lib.text.Bytes;
import lib.text.Units;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import it.unimi.dsi.fastutil.ints.IntSortedSet;
import it.unimi.dsi.fastutil.longs.LongArrayList;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * snap's capture: streams a live /proc into a tar (DIR/proc/..., DIR/metadata.json) one process at
 * a time. pagemap (the ranges of the process's mappings) becomes a sparse entry holding its non-zero
 * blocks; kpageflags and kpagecount one holding the System RAM ranges, read once. Memory stays
 * bounded: one process's small files, and pagemap data up to keepLimitBytes (beyond it the data is
 * read a second time).
 */
public final class SnapshotWriter {
    /** Kernel-wide text files captured under proc/ (missing ones are skipped). */
    public static final List<String> KERNEL_FILES = List.of("iomem", "cmdline", "meminfo", "vmstat", "buddyinfo",
            "pagetypeinfo", "slabinfo", "sysvipc/shm", "swaps", "zoneinfo", "self/mountinfo");
    /** Small files captured for every process. */
    public static final List<String> PROCESS_FILES = List.of("status", "stat", "statm", "cmdline", "environ", "cgroup", "maps", "smaps");
    public static final List<String> PROCESS_LINKS = List.of("exe", "root", "cwd");

    /**
     * envKeep: the variables whose values environ keeps (others keep their names only); null keeps every value.
     * progress: told each process as it is captured (Progress.OFF for none).
     */
    public record Options(boolean skipProcesses, boolean skipShmPagemap, int excludePid, long keepLimitBytes,
                          Set<String> envKeep, Consumer<String> verbose, Progress progress) {
        public Options {
            if (progress == null) progress = Progress.OFF;
        }

        public Options(boolean skipProcesses, boolean skipShmPagemap, int excludePid, long keepLimitBytes,
                       Set<String> envKeep, Consumer<String> verbose) {
            this(skipProcesses, skipShmPagemap, excludePid, keepLimitBytes, envKeep, verbose, Progress.OFF);
        }
    }

    /** What a capture did; bytesRead counts what was read from /proc. */
    public record Stats(int processes, int vanished, int unreadable, long bytesRead, long tarBytes, long kernelMs,
                        long processesMs, long totalMs) {
    }

    /** A quick guess of an archive's size before capturing, from statm and iomem (nothing big is read). */
    public record Estimate(int processes, long residentPages, long ramPages, long archiveBytes) {
    }

    private final Path proc;
    private final TarWriter tar;
    private final String top;
    private final Options opt;
    private final String tool;
    private final long mtime;
    private final OffsetDateTime started;
    private final Map<Integer, String> users = Passwd.users(), groups = Passwd.groups();
    private final IntSortedSet uids = new IntAVLTreeSet(), gids = new IntAVLTreeSet();
    private final Map<Long, IntSortedSet> shmPids = new TreeMap<>();
    /** The tmpfs files the captured processes map: their residency is recorded (tmpfs_files.json). */
    private final Map<TmpfsFiles.Key, TmpfsFiles.Mapped> tmpfsMapped = new java.util.HashMap<>();
    private List<Tmpfs.Device> tmpfsDevices = List.of();
    private final Set<String> dirsWritten = new HashSet<>();
    private final SparseRegions.Scanner scanner = new SparseRegions.Scanner(1 << 20);
    private final ByteBuffer rereadBuffer = ByteBuffer.allocateDirect(1 << 20);
    private long pageSize;
    private long bytesRead;

    /** proc: the live /proc to read; top: the archive's top directory (DIR's name); tool: name and version for metadata. */
    public SnapshotWriter(Path proc, TarWriter tar, String top, String tool, Options opt) {
        this.proc = proc;
        this.tar = tar;
        this.top = top;
        this.tool = tool;
        this.opt = opt;
        this.started = OffsetDateTime.now();
        this.mtime = started.toEpochSecond();
    }

    public Stats write() throws IOException {
        long t0 = System.nanoTime();
        pageSize = PageSize.live();
        directory("", attributes(proc));
        directory("proc", attributes(proc));
        long kernelBytes = bytesRead;
        writeKernel();
        long t1 = System.nanoTime();
        log("kernel files: " + Bytes.AUTO.format(bytesRead - kernelBytes) + " read in " + Units.duration(t1 - t0));
        String mountinfo = text("self/mountinfo");
        if (mountinfo != null) tmpfsDevices = Tmpfs.devices(mountinfo);
        int[] counts = opt.skipProcesses() ? new int[3] : writeProcesses();
        long t2 = System.nanoTime();
        if (mountinfo != null) writeTmpfsFiles(mountinfo);
        long t2b = System.nanoTime();
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("kernel_ms", (t1 - t0) / 1_000_000);
        timings.put("processes_ms", (t2 - t1) / 1_000_000);
        timings.put("tmpfs_files_ms", (t2b - t2) / 1_000_000);
        Map<String, Object> meta = metadata(counts, timings);
        timings.put("total_ms", (System.nanoTime() - t0) / 1_000_000);
        byte[] json = Json.write(meta).getBytes(StandardCharsets.UTF_8);
        tar.file(top + "/metadata.json", 0644, owner(0, 0), mtime, json, 0, json.length);
        tar.finish();
        long t3 = System.nanoTime();
        return new Stats(counts[0], counts[1], counts[2], bytesRead, tar.position(), (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000, (t3 - t0) / 1_000_000);
    }

    /**
     * tmpfs_files.json: the largest files of each tmpfs and those the captured processes map, with their
     * residency now (an archive cannot be asked later). 0600: it names other users' files.
     */
    private void writeTmpfsFiles(String mountinfo) throws IOException {
        TmpfsFiles t = TmpfsFiles.scan(mountinfo, tmpfsMapped, pageSize);
        byte[] json = Json.write(t.toJson()).getBytes(StandardCharsets.UTF_8);
        // file names are anyone's, and every mapped file is kept: past what a reader accepts, the whole archive
        // would be refused as corrupt; without the file, readers say the tmpfs files were not recorded
        if (json.length > TmpfsFiles.MAX_JSON_BYTES) {
            // said whether verbose or not: the archive lacks what it would otherwise hold
            System.err.println("snap: tmpfs files not recorded: their list takes " + json.length + " bytes, more than the "
                    + TmpfsFiles.MAX_JSON_BYTES + " a reader accepts (names of thousands of mapped files?)");
            System.err.flush();
            return;
        }
        tar.file(top + "/" + TmpfsFiles.SNAPSHOT_FILE, 0600, owner(0, 0), mtime, json, 0, json.length);
        int files = 0;
        for (TmpfsFiles.Mount m : t.mounts()) files += m.files().size();
        log("tmpfs files: " + files + " recorded of " + t.mounts().size() + " tmpfs (" + t.method() + ")");
    }

    private void writeKernel() throws IOException {
        byte[] iomem = readOrNull("iomem");
        List<Iomem.Range> ram = iomem == null ? List.of() : Iomem.systemRam(Iomem.parse(new String(iomem, StandardCharsets.UTF_8)));
        int n = ram.size();
        long[] starts = new long[n], ends = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = ram.get(i).firstPfn(pageSize) * 8;
            ends[i] = ram.get(i).endPfn(pageSize) * 8;
        }
        if (n > 0 && ends[n - 1] == 0) {
            throw new IOException("/proc/iomem shows no System RAM addresses (run as root)");
        }
        for (String f : List.of("kpagecount", "kpageflags")) {
            if (n == 0 || !Files.exists(proc.resolve(f))) continue;
            sparse("proc/" + f, proc.resolve(f), starts, ends, n, ends[n - 1]);
        }
        for (String f : KERNEL_FILES) {
            byte[] data = f.equals("iomem") ? iomem : readOrNull(f);
            if (data == null) continue;
            int slash = f.lastIndexOf('/');
            if (slash > 0) directory("proc/" + f.substring(0, slash), attributes(proc.resolve(f.substring(0, slash))));
            int[] a = attributes(proc.resolve(f));
            tar.file(top + "/proc/" + f, a[2], owner(a[0], a[1]), mtime, data, 0, data.length);
        }
    }

    /** Returns {captured, vanished, unreadable}. */
    private int[] writeProcesses() throws IOException {
        List<Integer> pids = new DirProcFs(proc, null).pids();
        int captured = 0, vanished = 0, unreadable = 0;
        opt.progress().total(pids.size());
        for (int pid : pids) {
            if (pid == opt.excludePid()) {
                opt.progress().done();
                continue;
            }
            opt.progress().begin(pid, "");
            Outcome outcome = writeProcess(pid);
            opt.progress().done();
            switch (outcome) {
                case CAPTURED -> captured++;
                case PARTLY -> {
                    captured++;
                    unreadable++;
                }
                case VANISHED -> vanished++;
            }
        }
        log("processes: " + captured + " captured, " + vanished + " vanished, " + unreadable + " partly unreadable"
                + (tar.shortRegions() > 0 ? ", " + tar.shortRegions() + " pagemap regions cut short by an exit (zeros)" : ""));
        return new int[]{captured, vanished, unreadable};
    }

    private enum Outcome { CAPTURED, PARTLY, VANISHED }

    /** One process as read, before anything of it is written. pagemap stays open for a second read. */
    private record Captured(int[] dirAttrs, Map<String, byte[]> files, Map<String, int[]> attrs,
                            Map<String, String> links, List<Maps.Mapping> maps, ProcFs.PositionalFile pagemap,
                            SparseRegions regions, boolean denied) {
    }

    /** Reads one process whole, then writes it: nothing of a process that vanished meanwhile is written. */
    private Outcome writeProcess(int pid) throws IOException {
        Path dir = proc.resolve(Integer.toString(pid));
        Captured c;
        try {
            c = readProcess(dir);
        } catch (IOException e) {
            // NoSuchFile or ESRCH while the process exits
            if (Files.exists(dir) && !ProcFs.processGone(e)) throw e;
            verbose("process " + pid + " vanished");
            return Outcome.VANISHED;
        }
        try (ProcFs.PositionalFile pagemap = c.pagemap()) {
            writeProcess(pid, c);
        }
        return c.denied() ? Outcome.PARTLY : Outcome.CAPTURED;
    }

    private Captured readProcess(Path dir) throws IOException {
        int pid = Integer.parseInt(dir.getFileName().toString());
        boolean denied = false;
        int[] dirAttrs = attributes(dir);
        Map<String, byte[]> files = new LinkedHashMap<>();
        Map<String, int[]> attrs = new LinkedHashMap<>();
        Map<String, String> links = new LinkedHashMap<>();
        for (String f : PROCESS_FILES) {
            try {
                byte[] b = Files.readAllBytes(dir.resolve(f));
                bytesRead += b.length;
                files.put(f, f.equals("environ") && opt.envKeep() != null ? Environ.keepValues(b, opt.envKeep()) : b);
                attrs.put(f, attributes(dir.resolve(f)));
            } catch (AccessDeniedException e) {
                denied = true;
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException e) {
                // ESRCH: environ of a kernel thread, or the process exiting
                if (!Files.exists(dir)) throw new NoSuchFileException(dir.toString());
            }
        }
        if (!files.containsKey("status")) throw new NoSuchFileException(dir + "/status");
        for (String l : PROCESS_LINKS) link(dir, l, links, attrs);
        List<String> fds = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("fd"))) {
            for (Path p : ds) fds.add(p.getFileName().toString());
            attrs.put("fd", attributes(dir.resolve("fd")));
        } catch (AccessDeniedException e) {
            denied = true;
        }
        fds.sort((x, y) -> Integer.compare(Integer.parseInt(x), Integer.parseInt(y)));
        for (String fd : fds) link(dir, "fd/" + fd, links, attrs);

        List<Maps.Mapping> maps = files.containsKey("maps")
                ? Maps.parse(new String(files.get("maps"), StandardCharsets.UTF_8)) : List.of();
        ProcFs.PositionalFile pagemap = null;
        SparseRegions regions = null;
        if (!maps.isEmpty()) {
            try {
                // only the parts that may hold present or swapped pages are read (and stored)
                pagemap = PagemapScan.openLive(dir.resolve("pagemap"), pageSize);
                attrs.put("pagemap", attributes(dir.resolve("pagemap")));
                regions = scanPagemap(pagemap, maps);
            } catch (AccessDeniedException e) {
                denied = true;
            } catch (IOException | RuntimeException e) {
                if (pagemap != null) pagemap.close();
                throw e;
            }
        }
        noteIds(dirAttrs, files.get("status"));
        for (Maps.Mapping m : maps) {
            if (m.isSysvShm()) shmPids.computeIfAbsent(m.sysvShmid(), k -> new IntAVLTreeSet()).add(pid);
            else {
                TmpfsFiles.Key k = TmpfsFiles.tmpfsKey(m, tmpfsDevices);
                if (k != null) tmpfsMapped.putIfAbsent(k, new TmpfsFiles.Mapped(pid, m.start(), m.end(), m.pathname()));
            }
        }
        return new Captured(dirAttrs, files, attrs, links, maps, pagemap, regions, denied);
    }

    private void writeProcess(int pid, Captured c) throws IOException {
        String name = "proc/" + pid;
        directory(name, c.dirAttrs());
        for (Map.Entry<String, byte[]> f : c.files().entrySet()) {
            int[] a = c.attrs().get(f.getKey());
            tar.file(top + "/" + name + "/" + f.getKey(), a[2], owner(a[0], a[1]), mtime, f.getValue(), 0, f.getValue().length);
        }
        boolean fdDir = c.attrs().containsKey("fd");
        for (Map.Entry<String, String> l : c.links().entrySet()) {
            if (l.getKey().startsWith("fd/") && fdDir) {
                directory(name + "/fd", c.attrs().get("fd"));
                fdDir = false;
            }
            int[] a = c.attrs().get(l.getKey());
            tar.symlink(top + "/" + name + "/" + l.getKey(), l.getValue(), owner(a[0], a[1]), mtime);
        }
        if (fdDir) directory(name + "/fd", c.attrs().get("fd"));
        SparseRegions r = c.regions();
        if (r != null) {
            int[] a = c.attrs().get("pagemap");
            tar.sparseFile(top + "/" + name + "/pagemap", a[2], owner(a[0], a[1]), mtime, r.realSize(), r.offsets(),
                    r.lengths(), r.count(), r.source(c.pagemap(), rereadBuffer));
            if (!r.dataKept()) bytesRead += r.dataBytes();
            verbose("process " + pid + ": " + c.maps().size() + " mappings, " + r.count() + " pagemap regions, "
                    + Bytes.AUTO.format(r.dataBytes()) + " of pagemap data" + (r.dataKept() ? "" : " (read twice)"));
        }
    }

    private SparseRegions scanPagemap(ProcFs.PositionalFile file, List<Maps.Mapping> maps) throws IOException {
        LongArrayList starts = new LongArrayList(), ends = new LongArrayList();
        ProcFs.Part add = (s, e) -> {
            int last = ends.size() - 1;
            if (last >= 0 && ends.getLong(last) == s) ends.set(last, e);
            else {
                starts.add(s);
                ends.add(e);
            }
        };
        long realSize = 0;
        for (Maps.Mapping m : maps) {
            if (m.kind() == Maps.Kind.VSYSCALL || (opt.skipShmPagemap() && m.isSysvShm())) continue;
            file.presentParts(m.start() / pageSize * 8, m.end() / pageSize * 8, add);
            realSize = m.end() / pageSize * 8;
        }
        SparseRegions r = scanner.scan(file, starts.toLongArray(), ends.toLongArray(), starts.size(), realSize, opt.keepLimitBytes());
        bytesRead += r.bytesRead();
        return r;
    }

    private void sparse(String name, Path file, long[] starts, long[] ends, int n, long realSize) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ProcFs.PositionalFile pf = ProcFs.PositionalFile.of(ch);
            SparseRegions r = SparseRegions.ofRanges(starts, ends, n, realSize);
            int[] a = attributes(file);
            tar.sparseFile(top + "/" + name, a[2], owner(a[0], a[1]), mtime, r.realSize(), r.offsets(), r.lengths(),
                    r.count(), r.source(pf, rereadBuffer));
            bytesRead += r.dataBytes();
            verbose(name + ": " + r.count() + " regions, " + Bytes.AUTO.format(r.dataBytes()) + " of data");
        }
    }

    private void link(Path dir, String rel, Map<String, String> links, Map<String, int[]> attrs) throws IOException {
        try {
            links.put(rel, Files.readSymbolicLink(dir.resolve(rel)).toString());
            attrs.put(rel, attributes(dir.resolve(rel)));
        } catch (AccessDeniedException | NoSuchFileException e) {
            // an fd closed meanwhile, or a link the kernel hides (exe of a kernel thread)
            links.remove(rel);
        }
    }

    /** uid, gid and permission bits of a file, not following links. */
    private static int[] attributes(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
        return new int[]{(Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("mode") & 07777};
    }

    private void noteIds(int[] dirAttrs, byte[] status) {
        uids.add(dirAttrs[0]);
        gids.add(dirAttrs[1]);
        Status s = Status.parse(new String(status, StandardCharsets.UTF_8));
        for (int id : s.uids()) if (id >= 0) uids.add(id);
        for (int id : s.gids()) if (id >= 0) gids.add(id);
    }

    /** A directory entry; the kernel-wide ones once (a process's own are written once anyway: not remembered, memory stays flat). */
    private void directory(String rel, int[] a) throws IOException {
        if (!rel.matches("proc/[0-9]+(/fd)?") && !dirsWritten.add(rel)) return;
        tar.directory(rel.isEmpty() ? top + "/" : top + "/" + rel + "/", 0755, owner(a[0], a[1]), mtime);
    }

    private TarWriter.Owner owner(int uid, int gid) {
        uids.add(uid);
        gids.add(gid);
        return new TarWriter.Owner(uid, gid, users.get(uid), groups.get(gid));
    }

    private byte[] readOrNull(String rel) {
        try {
            byte[] b = Files.readAllBytes(proc.resolve(rel));
            bytesRead += b.length;
            return b;
        } catch (IOException e) {
            return null;
        }
    }

    private Map<String, Object> metadata(int[] counts, Map<String, Object> timings) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", tool);
        m.put("hostname", text("sys/kernel/hostname"));
        m.put("datetime", started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx")));
        Map<String, Object> kernel = new LinkedHashMap<>();
        kernel.put("release", text("sys/kernel/osrelease"));
        kernel.put("version", text("sys/kernel/version"));
        m.put("kernel", kernel);
        m.put("page_size", pageSize);
        Map<String, Object> processes = new LinkedHashMap<>();
        processes.put("captured", counts[0]);
        processes.put("vanished", counts[1]);
        processes.put("partly_unreadable", counts[2]);
        processes.put("excluded_pid", opt.excludePid());
        m.put("processes", processes);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("skip_processes", opt.skipProcesses());
        options.put("skip_shm_pagemap", opt.skipShmPagemap());
        // an analyst must know that the other variables' values were dropped, not empty
        options.put("env_keep", opt.envKeep() == null ? null : List.copyOf(new java.util.TreeSet<>(opt.envKeep())));
        m.put("options", options);
        m.put("shm", shm());
        String mountinfo = text("self/mountinfo");
        // statvfs cannot be done offline: the tmpfs table comes from these
        m.put("tmpfs", mountinfo == null ? List.of()
                : Tmpfs.parseMountinfo(mountinfo).stream().map(t -> Tmpfs.measure(t).toJson()).toList());
        m.put("users", names(uids, users));
        m.put("groups", names(gids, groups));
        m.put("getconf", Getconf.run());
        m.put("timings", timings);
        return m;
    }

    private Map<String, Object> shm() {
        Map<String, Object> out = new LinkedHashMap<>();
        byte[] text = readOrNull("sysvipc/shm");
        if (text == null) return out;
        for (SysvShm.Segment s : SysvShm.parse(new String(text, StandardCharsets.UTF_8))) {
            Map<String, Object> seg = new LinkedHashMap<>();
            seg.put("size", s.sizeBytes());
            IntSortedSet pids = shmPids.get(s.shmid());
            seg.put("pids", pids == null ? List.of() : new ArrayList<>(pids));
            out.put(s.key() + "-" + s.shmid(), seg);
        }
        return out;
    }

    private static Map<String, Object> names(IntSortedSet ids, Map<Integer, String> known) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int id : ids) if (known.containsKey(id)) out.put(Integer.toString(id), known.get(id));
        return out;
    }

    private String text(String rel) {
        try {
            return Files.readString(proc.resolve(rel)).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private void log(String line) {
        if (opt.verbose() != null) opt.verbose().accept(line);
    }

    private void verbose(String line) {
        log(line);
    }

    /**
     * A quick, deliberately generous guess of the archive size: pagemap data of the resident pages
     * (8 bytes each), kpageflags and kpagecount of all RAM, small files per process, each at a
     * compression ratio well below the one measured on real captures.
     */
    public static Estimate estimate(Path proc, Options opt) throws IOException {
        long ps = PageSize.live();
        long ramPages = 0;
        try {
            for (Iomem.Range r : Iomem.systemRam(Iomem.parse(Files.readString(proc.resolve("iomem"))))) {
                ramPages += r.endPfn(ps) - r.firstPfn(ps);
            }
        } catch (IOException ignored) {
            // no iomem: no kpageflags either
        }
        int processes = 0;
        long resident = 0;
        if (!opt.skipProcesses()) {
            for (int pid : new DirProcFs(proc, null).pids()) {
                if (pid == opt.excludePid()) continue;
                try {
                    String[] statm = Files.readString(proc.resolve(pid + "/statm")).trim().split(" ");
                    resident += Long.parseLong(statm[1]);
                    processes++;
                } catch (IOException | RuntimeException e) {
                    // vanished
                }
            }
        }
        // gzip ratios measured on captures here: pagemap data ~5, kpageflags + kpagecount 30 to 100, text ~5
        long pagemaps = resident * 8 / 2, kernel = ramPages * 16 / 8, small = processes * 32L * 1024 + (1 << 20);
        return new Estimate(processes, resident, ramPages, pagemaps + kernel + small);
    }
}
