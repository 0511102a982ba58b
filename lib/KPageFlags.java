package lib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
        return readU64s(file, pfn, out, count);
    }

    static int readU64s(ProcFs.PositionalFile file, long index, long[] out, int count) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(count * 8).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            int n = file.read(buf, index * 8 + buf.position());
            if (n <= 0) break;
        }
        int got = buf.position() / 8;
        for (int i = 0; i < got; i++) out[i] = buf.getLong(i * 8);
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

    @Override
    public void close() throws IOException {
        file.close();
    }
}
