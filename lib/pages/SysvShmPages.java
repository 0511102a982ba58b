package lib.pages;

import lib.proc.Libc;
import lib.proc.Maps;
import lib.proc.Meminfo;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.text.Json;
import lib.text.Units;

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
 * Live (SysvShmAttach): each segment is attached read-only. A hugetlb segment (its mapping's KernelPageSize is a
 * huge page) holds huge pages only, counted from its rss, and nothing is touched: mincore does not
 * see a hugetlb segment's pages unless our own page table maps them, and reading a missing huge page
 * would allocate it. Any other segment is read window by window: mincore tells which pages are
 * resident, only those are touched (mapping them into our page table), our pagemap gives their
 * frames and kpageflags tells 4 KiB pages from transparent huge pages; then our page table entries
 * are dropped (MADV_DONTNEED on our shared mapping unmaps, it never frees the segment's pages).
 * <p>
 * /proc/sysvipc/shm's rss of hugetlb segments is corrected when the kernel is seen to count it in
 * base pages times the huge page size (6.x kernels print 512 times the truth for 2 MiB pages).
 * Snapshot (SysvShmSnapshot): the frames its captured attachers map.
 */
public final class SysvShmPages {
    private SysvShmPages() {
    }

    static final long TWO_MIB = 2L << 20;

    /**
     * One segment with the rss to trust (kernelRssBytes as /proc/sysvipc/shm printed it),
     * pageSizeBytes of its mapping, and resident pages by size; -1 when unknown.
     */
    public record SegmentPages(SysvShm.Segment shm, long rssBytes, long pageSizeBytes, long pages4k, long pages2M) {

        public boolean pagesKnown() {
            return pages4k >= 0 && pages2M >= 0;
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
     * Reads every segment: attached on a live system (SysvShmAttach), from the attaching processes'
     * pagemaps in a snapshot (SysvShmSnapshot); then hugetlb rss corrected. A segment with swap is only
     * read when forceReadShm; one that cannot be attached stays unknown. Both say why on log, one line each.
     */
    public static List<SegmentPages> read(ProcFs proc, List<SysvShm.Segment> segments, Meminfo meminfo, long pageSize,
                                          boolean forceReadShm, Consumer<String> log) throws IOException {
        if (!proc.sysvShmAttachable()) return correctHugetlbRss(SysvShmSnapshot.read(proc, segments, pageSize), meminfo, pageSize, true, log);
        return correctHugetlbRss(SysvShmAttach.read(proc, segments, pageSize, forceReadShm, log), meminfo, pageSize, false, log);
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

    /** How many of these frames belong to a transparent or hugetlb huge page (kpageflags), sorted first so flags are read by runs. */
    static long largeFrames(KPageFlags kpageflags, long[] flags, long[] frames, int n) throws IOException {
        Arrays.sort(frames, 0, n);
        long[] block = n <= flags.length ? frames : new long[flags.length];
        long large = 0;
        for (int from = 0; from < n; from += flags.length) {
            int k = Math.min(flags.length, n - from);
            if (block != frames) System.arraycopy(frames, from, block, 0, k);
            kpageflags.readEach(block, k, flags);
            for (int i = 0; i < k; i++) {
                if (KPageFlags.has(flags[i], KPageFlags.THP) || KPageFlags.has(flags[i], KPageFlags.HUGE)) large++;
            }
        }
        return large;
    }
}
