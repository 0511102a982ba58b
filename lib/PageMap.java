package lib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * /proc/PID/pagemap: one little-endian u64 per virtual page. Entries are decoded from a reused
 * direct buffer filled by large positional reads, so reading costs no object per page.
 */
public final class PageMap {
    public static final long PRESENT = 1L << 63;
    public static final long SWAPPED = 1L << 62;
    public static final long FILE_SHARED = 1L << 61;
    public static final long EXCLUSIVE = 1L << 56;
    public static final long SOFT_DIRTY = 1L << 55;
    public static final long PFN_MASK = (1L << 55) - 1;

    /** Called for every entry of a range, with the virtual address of its page. */
    @FunctionalInterface
    public interface EntryVisitor {
        void entry(long vaddr, long entry);
    }

    private static final int BUFFER_BYTES = 1 << 19;

    private final long pageSize;
    private final ByteBuffer buffer;

    /** A reader with its own buffer: one per thread. */
    public PageMap(long pageSize) {
        this.pageSize = pageSize;
        this.buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    public long pageSize() {
        return pageSize;
    }

    /**
     * Visits the entries of [start, end) of a pagemap file; a short file (a snapshot without that
     * range) reads as not present.
     */
    public void forEach(ProcFs.PositionalFile file, long start, long end, EntryVisitor visitor) throws IOException {
        long vaddr = start;
        while (vaddr < end) {
            long pages = Math.min((end - vaddr) / pageSize, BUFFER_BYTES / 8);
            buffer.clear().limit((int) (pages * 8));
            long pos = (vaddr / pageSize) * 8;
            while (buffer.hasRemaining()) {
                int n = file.read(buffer, pos + buffer.position());
                if (n <= 0) break;
            }
            int got = buffer.position() / 8;
            for (int i = 0; i < got; i++) {
                visitor.entry(vaddr + i * pageSize, buffer.getLong(i * 8));
            }
            vaddr += got * pageSize;
            if (got < pages) {
                for (; vaddr < end; vaddr += pageSize) visitor.entry(vaddr, 0L);
                return;
            }
        }
    }

    public static boolean present(long entry) {
        return (entry & PRESENT) != 0;
    }

    public static boolean swapped(long entry) {
        return (entry & SWAPPED) != 0;
    }

    public static boolean fileShared(long entry) {
        return (entry & FILE_SHARED) != 0;
    }

    public static boolean exclusive(long entry) {
        return (entry & EXCLUSIVE) != 0;
    }

    public static boolean softDirty(long entry) {
        return (entry & SOFT_DIRTY) != 0;
    }

    /** The page frame number of a present page (zero when not root). */
    public static long pfn(long entry) {
        return entry & PFN_MASK;
    }

    public static int swapType(long entry) {
        return (int) (entry & 0x1f);
    }

    public static long swapOffset(long entry) {
        return (entry & PFN_MASK) >>> 5;
    }

    /** "present exclusive soft-dirty file-shared" style names of the flag bits set. */
    public static String flagNames(long entry) {
        StringBuilder sb = new StringBuilder();
        if (present(entry)) sb.append("PRESENT ");
        if (swapped(entry)) sb.append("SWAPPED ");
        if (fileShared(entry)) sb.append("FILE_SHARED ");
        if (exclusive(entry)) sb.append("EXCLUSIVE ");
        if (softDirty(entry)) sb.append("SOFT_DIRTY ");
        return sb.toString().trim();
    }
}
