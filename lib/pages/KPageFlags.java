package lib.pages;

import lib.proc.ProcFs;
import java.io.IOException;

/** /proc/kpageflags: one u64 of flags per PFN (Documentation/admin-guide/mm/pagemap.rst). */
public final class KPageFlags implements AutoCloseable {
    public static final int LOCKED = 0, ERROR = 1, REFERENCED = 2, UPTODATE = 3, DIRTY = 4, LRU = 5, ACTIVE = 6,
            SLAB = 7, WRITEBACK = 8, RECLAIM = 9, BUDDY = 10, MMAP = 11, ANON = 12, SWAPCACHE = 13,
            SWAPBACKED = 14, COMPOUND_HEAD = 15, COMPOUND_TAIL = 16, HUGE = 17, UNEVICTABLE = 18, HWPOISON = 19,
            NOPAGE = 20, KSM = 21, THP = 22, OFFLINE = 23, ZERO_PAGE = 24, IDLE = 25, PGTABLE = 26;

    public static final String[] NAMES = {"LOCKED", "ERROR", "REFERENCED", "UPTODATE", "DIRTY", "LRU", "ACTIVE",
            "SLAB", "WRITEBACK", "RECLAIM", "BUDDY", "MMAP", "ANON", "SWAPCACHE", "SWAPBACKED", "COMPOUND_HEAD",
            "COMPOUND_TAIL", "HUGE", "UNEVICTABLE", "HWPOISON", "NOPAGE", "KSM", "THP", "OFFLINE", "ZERO_PAGE",
            "IDLE", "PGTABLE"};

    private final ProcFs.PositionalFile file;
    private final U64Reader u64 = new U64Reader(0);
    private final long[] one = new long[1];

    public KPageFlags(ProcFs.PositionalFile file) {
        this.file = file;
    }

    public static KPageFlags open(ProcFs proc) throws IOException {
        return new KPageFlags(proc.open("kpageflags"));
    }

    public static boolean has(long flags, int bit) {
        return (flags & (1L << bit)) != 0;
    }

    /** Flags of one frame (0 when the file has nothing there). */
    public long get(long pfn) throws IOException {
        return u64.read(file, pfn, one, 1) == 1 ? one[0] : 0L;
    }

    /** Fills out[0..count) with the flags of count frames from pfn; returns how many were read. */
    public int read(long pfn, long[] out, int count) throws IOException {
        return u64.read(file, pfn, out, count);
    }

    /** Fills out[i] with the flags of frame pfns[i] (i below count) in a few large reads over the sorted frames. */
    public void readEach(long[] pfns, int count, long[] out) throws IOException {
        u64.readEach(file, pfns, count, out);
    }

    // Classes of a resident page (several can hold at once). Flags 0 means no data: a page mapped by a
    // process always has at least MMAP or ZERO_PAGE, so 0 comes only from a hole in a snapshot.

    /** True when the kernel gave flags for this frame. */
    public static boolean known(long flags) {
        return flags != 0;
    }

    public static boolean isAnon(long flags) {
        return has(flags, ANON);
    }

    /** Page cache, including shmem, tmpfs and SysV segments: resident, not anonymous, not the zero page. */
    public static boolean isFile(long flags) {
        return known(flags) && !has(flags, ANON) && !has(flags, ZERO_PAGE);
    }

    /** Part of a transparent huge page (head or tail). */
    public static boolean isThp(long flags) {
        return has(flags, THP) && !has(flags, ZERO_PAGE);
    }

    /** Part of a hugetlbfs page (SysV SHM_HUGETLB, MAP_HUGETLB). */
    public static boolean isHugetlb(long flags) {
        return has(flags, HUGE);
    }

    public static boolean isDirty(long flags) {
        return has(flags, DIRTY);
    }

    public static boolean isSwapCache(long flags) {
        return has(flags, SWAPCACHE);
    }

    public static boolean isKsm(long flags) {
        return has(flags, KSM);
    }

    /** The shared zero page (or huge zero page): mapped on read faults, not counted in Rss by the kernel. */
    public static boolean isZeroPage(long flags) {
        return has(flags, ZERO_PAGE);
    }

    /** "ANON LRU DIRTY" style names of the bits set, in bit order. */
    public static String names(long flags) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < NAMES.length; bit++) {
            if (has(flags, bit)) sb.append(NAMES[bit]).append(' ');
        }
        return sb.toString().trim();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
