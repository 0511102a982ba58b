package lib.pages;

import lib.proc.ProcFs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;

/**
 * /proc/PID/pagemap: one little-endian u64 per virtual page. Entries come from large positional
 * reads into a reused direct buffer, copied in bulk to a long[]: no object per page.
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

    /** Entries per positional read: 512 KiB of pagemap, 256 MiB of address space with 4 KiB pages. */
    public static final int CHUNK_ENTRIES = 1 << 16;

    private final long pageSize;
    private final ByteBuffer buffer;
    private final LongBuffer longs;
    private final long[] chunk = new long[CHUNK_ENTRIES];

    /** A reader with its own buffers: one per thread. */
    public PageMap(long pageSize) {
        this.pageSize = pageSize;
        this.buffer = ByteBuffer.allocateDirect(CHUNK_ENTRIES * 8).order(ByteOrder.LITTLE_ENDIAN);
        this.longs = buffer.asLongBuffer();
    }

    public long pageSize() {
        return pageSize;
    }

    /**
     * Reads the entries of the pages from vaddr (at most CHUNK_ENTRIES, never past end) into out,
     * in one positional read; returns how many. Past the end of the file (a snapshot that did not
     * save that range) entries read as 0, not present.
     */
    public int read(ProcFs.PositionalFile file, long vaddr, long end, long[] out) throws IOException {
        int pages = (int) Math.min((end - vaddr) / pageSize, Math.min(CHUNK_ENTRIES, out.length));
        buffer.clear().limit(pages * 8);
        long pos = (vaddr / pageSize) * 8;
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, pos + buffer.position());
            if (n <= 0) break;
        }
        int got = buffer.position() / 8;
        longs.clear();
        longs.get(out, 0, got);
        java.util.Arrays.fill(out, got, pages, 0L);
        return pages;
    }

    /** Visits the entries of [start, end) of a pagemap file, chunk by chunk. */
    public void forEach(ProcFs.PositionalFile file, long start, long end, EntryVisitor visitor) throws IOException {
        for (long vaddr = start; vaddr < end; ) {
            int n = read(file, vaddr, end, chunk);
            for (int i = 0; i < n; i++) visitor.entry(vaddr + i * pageSize, chunk[i]);
            vaddr += n * pageSize;
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
