package lib.pages;

import lib.proc.ProcFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

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
    private final ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    private final Batch batch = new Batch();
    private ByteBuffer chunk;

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
        one.clear();
        int n = file.read(one, pfn * 8);
        return n == 8 ? one.getLong(0) : 0L;
    }

    /** Fills out[0..count) with the flags of count frames from pfn; returns how many were read. */
    public int read(long pfn, long[] out, int count) throws IOException {
        if (chunk == null || chunk.capacity() < count * 8) chunk = ByteBuffer.allocateDirect(count * 8);
        return readU64s(file, pfn, out, count, chunk);
    }

    /** Fills out[i] with the flags of frame pfns[i] (i below count) in a few large reads over the sorted frames. */
    public void readEach(long[] pfns, int count, long[] out) throws IOException {
        batch.read(file, pfns, count, out);
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

    static int readU64s(ProcFs.PositionalFile file, long index, long[] out, int count) throws IOException {
        return readU64s(file, index, out, count, ByteBuffer.allocate(count * 8));
    }

    /** The same into a caller's buffer (at least count * 8 bytes), so a scan of all RAM allocates nothing per chunk. */
    static int readU64s(ProcFs.PositionalFile file, long index, long[] out, int count, ByteBuffer buf) throws IOException {
        buf.clear().limit(count * 8);
        while (buf.hasRemaining()) {
            int n = file.read(buf, index * 8 + buf.position());
            if (n <= 0) break;
        }
        int got = buf.position() / 8;
        buf.flip();
        buf.order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out, 0, got);
        return got;
    }

    /** "ANON LRU DIRTY" style names of the bits set, in bit order. */
    public static String names(long flags) {
        StringBuilder sb = new StringBuilder();
        for (int bit = 0; bit < NAMES.length; bit++) {
            if (has(flags, bit)) sb.append(NAMES[bit]).append(' ');
        }
        return sb.toString().trim();
    }

    /** Positional reads of u64 entries at scattered indexes: one read per run of nearby indexes, buffers reused. */
    static final class Batch {
        // entries between two wanted ones that are read through rather than paying another read
        private static final int GAP = 64;
        private static final int MAX_RUN = 1 << 13;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(MAX_RUN * 8).order(ByteOrder.LITTLE_ENDIAN);
        private long[] sorted = new long[0];
        private long[] values = new long[0];

        void read(ProcFs.PositionalFile file, long[] index, int count, long[] out) throws IOException {
            if (sorted.length < count) {
                sorted = new long[count];
                values = new long[count];
            }
            System.arraycopy(index, 0, sorted, 0, count);
            Arrays.sort(sorted, 0, count);
            int unique = 0;
            for (int i = 0; i < count; i++) {
                if (unique == 0 || sorted[unique - 1] != sorted[i]) sorted[unique++] = sorted[i];
            }
            int i = 0;
            while (i < unique) {
                long first = sorted[i];
                int j = i + 1;
                while (j < unique && sorted[j] - sorted[j - 1] <= GAP && sorted[j] - first < MAX_RUN) j++;
                int entries = (int) (sorted[j - 1] - first + 1);
                buf.clear().limit(entries * 8);
                while (buf.hasRemaining()) {
                    if (file.read(buf, first * 8 + buf.position()) <= 0) break;
                }
                int got = buf.position() / 8;
                for (int k = i; k < j; k++) {
                    int at = (int) (sorted[k] - first);
                    values[k] = at < got ? buf.getLong(at * 8) : 0L;
                }
                i = j;
            }
            for (int k = 0; k < count; k++) out[k] = values[Arrays.binarySearch(sorted, 0, unique, index[k])];
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
