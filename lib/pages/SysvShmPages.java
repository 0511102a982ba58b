package lib.pages;

import lib.proc.Libc;
import lib.proc.Maps;
import lib.proc.Meminfo;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.text.Json;
import lib.text.Units;
import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

/**
 * What each SysV segment holds in RAM, by page size, without ever changing it.
 * <p>
 * Live: each segment is attached read-only. A hugetlb segment (its mapping's KernelPageSize is a
 * huge page) holds huge pages only, counted from its rss, and nothing is touched: mincore does not
 * see a hugetlb segment's pages unless our own page table maps them, and reading a missing huge page
 * would allocate it. Any other segment is read window by window: mincore tells which pages are
 * resident, only those are touched (mapping them into our page table), our pagemap gives their
 * frames and kpageflags tells 4 KiB pages from transparent huge pages; then our page table entries
 * are dropped (MADV_DONTNEED on our shared mapping unmaps, it never frees the segment's pages).
 * <p>
 * /proc/sysvipc/shm's rss of hugetlb segments is corrected when the kernel is seen to count it in
 * base pages times the huge page size (6.x kernels print 512 times the truth for 2 MiB pages).
 * Snapshot: only what /proc/sysvipc/shm says; pages unknown.
 */
public final class SysvShmPages {
    private SysvShmPages() {
    }

    static final long TWO_MIB = 2L << 20;
    /** Bytes of a segment read per step: bounds our own RSS and page tables while reading. */
    private static final long WINDOW_BYTES = 64L << 20;

    /**
     * One segment with the rss to trust (kernelRssBytes as /proc/sysvipc/shm printed it),
     * pageSizeBytes of its mapping, and resident pages by size; -1 when unknown.
     */
    public record SegmentPages(SysvShm.Segment shm, long rssBytes, long pageSizeBytes, long pages4k, long pages2M) {

        public boolean pagesKnown() {
            return pages4k >= 0 && pages2M >= 0;
        }

        public boolean rssCorrected() {
            return rssBytes != shm.rssBytes();
        }

        public boolean hugetlb(long basePageSize) {
            return pageSizeBytes > basePageSize;
        }

        /** (rss + swap) / size in percent, size rounded up to whole pages (a 56-byte segment holding its one page is 100 %). */
        public double usedPct(long basePageSize) {
            long size = roundUp(shm.sizeBytes(), pageSizeBytes > 0 ? pageSizeBytes : basePageSize);
            return size == 0 ? 0 : (rssBytes + shm.swapBytes()) * 100.0 / size;
        }

        /** The kernel's line with the corrected rss, for the per-group shm_mem. */
        public SysvShm.Segment corrected() {
            return shm.withRssBytes(rssBytes);
        }
    }

    /**
     * Reads every segment (attaching them on a live system). A segment with swap is only read when
     * forceReadShm; one that cannot be attached stays unknown. Both say why on log, one line each.
     */
    public static List<SegmentPages> read(ProcFs proc, List<SysvShm.Segment> segments, Meminfo meminfo, long pageSize,
                                          boolean forceReadShm, Consumer<String> log) throws IOException {
        List<SegmentPages> out = new ArrayList<>();
        if (!proc.isLive()) return correctHugetlbRss(fromSnapshot(proc, segments, pageSize), meminfo, pageSize, true, log);
        try (Reader r = new Reader(proc, pageSize)) {
            for (SysvShm.Segment s : segments) {
                if (s.swapBytes() > 0 && !forceReadShm) {
                    log.accept("segment shmid " + s.shmid() + " (key " + s.key() + ") has " + Units.mb(s.swapBytes())
                            + " in swap: its pages are not counted (--force-read-shm counts them, and may fault some back in)");
                    out.add(new SegmentPages(s, s.rssBytes(), -1, -1, -1));
                    continue;
                }
                if (s.swapBytes() > 0) {
                    log.accept("segment shmid " + s.shmid() + " (key " + s.key() + ") has " + Units.mb(s.swapBytes())
                            + " in swap: reading its resident pages anyway (--force-read-shm); pages in the swap cache may be faulted back in");
                }
                out.add(r.read(s, log));
            }
        }
        return correctHugetlbRss(out, meminfo, pageSize, false, log);
    }

    /**
     * A snapshot cannot attach a segment. Its page size is KernelPageSize of an attaching process's
     * mapping (smaps); its resident pages by size are the frames the captured processes map (their
     * pagemaps over its /SYSV mapping, so a resident page no process maps is not seen), classified
     * with the saved kpageflags; unknown when snap left the SysV ranges out (--skip-shm-pagemap).
     */
    private static List<SegmentPages> fromSnapshot(ProcFs proc, List<SysvShm.Segment> segments, long pageSize) throws IOException {
        Map<Long, List<long[]>> attached = new HashMap<>(); // shmid -> {pid, start, end}
        for (int pid : proc.pids()) {
            String maps;
            try {
                maps = proc.readString(pid, "maps");
            } catch (IOException e) {
                continue;
            }
            for (Maps.Mapping m : Maps.parse(maps)) {
                if (m.isSysvShm()) attached.computeIfAbsent(m.sysvShmid(), k -> new ArrayList<>()).add(new long[]{pid, m.start(), m.end()});
            }
        }
        boolean framesSaved = proc.exists("kpageflags") && !proc.shmPagemapSkipped();
        PageMap pagemap = new PageMap(pageSize);
        long[] flags = new long[512];
        List<SegmentPages> out = new ArrayList<>();
        try (KPageFlags kpageflags = framesSaved ? KPageFlags.open(proc) : null) {
            for (SysvShm.Segment s : segments) {
                List<long[]> at = attached.getOrDefault(s.shmid(), List.of());
                long mappingPageSize = -1;
                for (long[] a : at) {
                    if (mappingPageSize < 0 && proc.exists((int) a[0], "smaps")) {
                        mappingPageSize = PageSize.ofMapping(proc.readString((int) a[0], "smaps"), a[1]);
                    }
                }
                if (mappingPageSize > pageSize || at.isEmpty() || !framesSaved) {
                    out.add(new SegmentPages(s, s.rssBytes(), mappingPageSize, -1, -1));
                    continue;
                }
                LongOpenHashSet frames = new LongOpenHashSet();
                for (long[] a : at) {
                    try (ProcFs.PositionalFile f = proc.open((int) a[0], "pagemap")) {
                        pagemap.forEach(f, a[1], a[2], (vaddr, e) -> {
                            if (PageMap.present(e)) frames.add(PageMap.pfn(e));
                        });
                    } catch (java.nio.file.NoSuchFileException e) {
                        // a process whose pagemap was not captured
                    }
                }
                long[] pfns = frames.toLongArray();
                long large = largeFrames(kpageflags, flags, pfns, pfns.length);
                long perHuge = TWO_MIB / pageSize;
                out.add(new SegmentPages(s, s.rssBytes(), pageSize, pfns.length - large + large % perHuge, large / perHuge));
            }
        }
        return out;
    }

    /**
     * Whether /proc/sysvipc/shm shows hugetlb rss inflated (nrpages in base pages times pages per
     * huge page): then every hugetlb rss is a multiple of factor x huge page size, and one exceeds
     * its segment or all together exceed the huge pages in use.
     */
    public static boolean hugetlbRssInflated(List<SegmentPages> hugetlb, Meminfo meminfo, long pageSize) {
        if (hugetlb.isEmpty()) return false;
        long inUseBytes = Math.max(0, meminfo.hugePagesTotal() - meminfo.hugePagesFree()) * meminfo.hugepageSizeBytes();
        long sumDefaultSize = 0;
        boolean overSize = false;
        for (SegmentPages p : hugetlb) {
            long hp = p.pageSizeBytes();
            long factor = hp / pageSize;
            if (p.shm().rssBytes() % (factor * hp) != 0) return false;
            if (p.shm().rssBytes() > roundUp(p.shm().sizeBytes(), hp)) overSize = true;
            if (hp == meminfo.hugepageSizeBytes()) sumDefaultSize += p.shm().rssBytes();
        }
        return overSize || sumDefaultSize > inUseBytes;
    }

    /** guessUnknown: a segment whose page size is unknown (in a snapshot) is a hugetlb candidate when its rss exceeds its size. */
    private static List<SegmentPages> correctHugetlbRss(List<SegmentPages> segs, Meminfo meminfo, long pageSize,
                                                        boolean guessUnknown, Consumer<String> log) {
        List<SegmentPages> hugetlb = new ArrayList<>();
        for (SegmentPages p : segs) {
            boolean known = p.pageSizeBytes() > 0;
            if (known ? p.hugetlb(pageSize) : guessUnknown && p.shm().rssBytes() > roundUp(p.shm().sizeBytes(), pageSize)) {
                // with no attaching process a snapshot does not say which segments are hugetlb: one with rss beyond its size can only be one
                hugetlb.add(known ? p : new SegmentPages(p.shm(), p.rssBytes(), meminfo.hugepageSizeBytes(), -1, -1));
            }
        }
        boolean inflated = meminfo.hugepageSizeBytes() > 0 && hugetlbRssInflated(hugetlb, meminfo, pageSize);
        if (inflated) {
            log.accept("/proc/sysvipc/shm counts hugetlb segments' rss " + meminfo.hugepageSizeBytes() / pageSize
                    + " times too high (a 6.x kernel): shown corrected");
        }
        List<SegmentPages> out = new ArrayList<>();
        for (SegmentPages p : segs) {
            SegmentPages h = hugetlb.stream().filter(x -> x.shm() == p.shm()).findFirst().orElse(null);
            if (h == null) {
                out.add(p);
                continue;
            }
            long hp = h.pageSizeBytes();
            long rss = inflated ? p.shm().rssBytes() / (hp / pageSize) : p.shm().rssBytes();
            // every resident page of a hugetlb segment is a huge page (they are never swapped); a snapshot's
            // candidate is known to be one only once its rss proved inflated
            out.add(p.pageSizeBytes() > 0 || inflated ? new SegmentPages(p.shm(), rss, hp, 0, rss / hp) : p);
        }
        return out;
    }

    static long roundUp(long n, long unit) {
        return (n + unit - 1) / unit * unit;
    }

    /** Attaches segments one at a time, reusing its buffers. */
    private static final class Reader implements AutoCloseable, PageMap.EntryVisitor {
        private final ProcFs proc;
        private final long pageSize;
        private final PageMap pagemap;
        private final ProcFs.PositionalFile selfPagemap;
        private final KPageFlags kpageflags;
        private final int windowPages;
        private final byte[] resident;
        private final long[] pfns;
        private final long[] flags = new long[512];
        private int count;

        Reader(ProcFs proc, long pageSize) throws IOException {
            this.proc = proc;
            this.pageSize = pageSize;
            this.pagemap = new PageMap(pageSize);
            this.windowPages = (int) (WINDOW_BYTES / pageSize);
            this.resident = new byte[windowPages];
            this.pfns = new long[windowPages];
            this.selfPagemap = proc.open("self/pagemap");
            this.kpageflags = KPageFlags.open(proc);
        }

        SegmentPages read(SysvShm.Segment s, Consumer<String> log) throws IOException {
            Pointer base;
            try {
                base = Libc.INSTANCE.shmat((int) s.shmid(), null, Libc.SHM_RDONLY);
            } catch (LastErrorException e) {
                log.accept("cannot attach segment shmid " + s.shmid() + " (key " + s.key() + "): " + Libc.describe(e));
                return new SegmentPages(s, s.rssBytes(), -1, -1, -1);
            }
            try {
                long addr = Pointer.nativeValue(base);
                long kernelPageSize = PageSize.ofMapping(proc.readString("self/smaps"), addr);
                if (kernelPageSize > pageSize) {
                    return new SegmentPages(s, s.rssBytes(), kernelPageSize, 0, -1);
                }
                long small = 0, large = 0;
                long len = roundUp(s.sizeBytes(), pageSize);
                for (long off = 0; off < len; off += WINDOW_BYTES) {
                    long bytes = Math.min(WINDOW_BYTES, len - off);
                    int n = (int) (bytes / pageSize);
                    Pointer window = base.share(off);
                    Libc.INSTANCE.mincore(window, bytes, resident);
                    for (int i = 0; i < n; i++) {
                        if ((resident[i] & 1) != 0) window.getByte(i * pageSize);
                    }
                    count = 0;
                    pagemap.forEach(selfPagemap, addr + off, addr + off + bytes, this);
                    long lg = largeFrames(pfns, count);
                    large += lg;
                    small += count - lg;
                    Libc.INSTANCE.madvise(window, bytes, Libc.MADV_DONTNEED);
                }
                long perHuge = TWO_MIB / pageSize;
                // frames of smaller large folios (mTHP) than 2 MiB are left as base pages
                return new SegmentPages(s, s.rssBytes(), pageSize, small + large % perHuge, large / perHuge);
            } catch (LastErrorException e) {
                log.accept("cannot read segment shmid " + s.shmid() + " (key " + s.key() + "): " + Libc.describe(e));
                return new SegmentPages(s, s.rssBytes(), -1, -1, -1);
            } finally {
                try {
                    Libc.INSTANCE.shmdt(base);
                } catch (LastErrorException e) {
                    log.accept("cannot detach segment shmid " + s.shmid() + ": " + Libc.describe(e));
                }
            }
        }

        @Override
        public void entry(long vaddr, long entry) {
            if (PageMap.present(entry)) pfns[count++] = PageMap.pfn(entry);
        }

        private long largeFrames(long[] frames, int n) throws IOException {
            return SysvShmPages.largeFrames(kpageflags, flags, frames, n);
        }

        @Override
        public void close() throws IOException {
            selfPagemap.close();
            kpageflags.close();
        }
    }

    /** How many of these frames belong to a transparent or hugetlb huge page (kpageflags), reading flags by spans. */
    static long largeFrames(KPageFlags kpageflags, long[] flags, long[] frames, int n) throws IOException {
        Arrays.sort(frames, 0, n);
        long large = 0;
        int i = 0;
        while (i < n) {
            long start = frames[i];
            int last = i;
            while (last + 1 < n && frames[last + 1] - start < flags.length) last++;
            int got = kpageflags.read(start, flags, (int) (frames[last] - start + 1));
            while (i < n && frames[i] - start < got) {
                long f = flags[(int) (frames[i] - start)];
                if (KPageFlags.has(f, KPageFlags.THP) || KPageFlags.has(f, KPageFlags.HUGE)) large++;
                i++;
            }
            if (got == 0) i++;
        }
        return large;
    }
}
