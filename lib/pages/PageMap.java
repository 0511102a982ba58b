package lib.pages;

import lib.proc.ProcFs;
import java.io.IOException;

/**
 * /proc/PID/pagemap: one little-endian u64 per virtual page, read through U64Reader; the bits of an
 * entry (Documentation/admin-guide/mm/pagemap.rst). PagemapWalker walks it over a process's mappings.
 */
public final class PageMap {
    public static final long PRESENT = 1L << 63;
    public static final long SWAPPED = 1L << 62;
    public static final long FILE_SHARED = 1L << 61;
    public static final long EXCLUSIVE = 1L << 56;
    public static final long SOFT_DIRTY = 1L << 55;
    public static final long PFN_MASK = (1L << 55) - 1;

    /** Entries per positional read: 512 KiB of pagemap, 256 MiB of address space with 4 KiB pages. */
    public static final int CHUNK_ENTRIES = 1 << 16;

    private final long pageSize;
    private final U64Reader u64 = new U64Reader(CHUNK_ENTRIES);

    /** A reader with its own buffers: one per thread. */
    public PageMap(long pageSize) {
        this.pageSize = pageSize;
    }

    public long pageSize() {
        return pageSize;
    }

    /**
     * Reads the entries of the pages from vaddr (at most out.length, never past end) into out, in one
     * positional read; returns how many. Past the end of the file (a snapshot that did not save that
     * range) entries read as 0, not present.
     */
    public int read(ProcFs.PositionalFile file, long vaddr, long end, long[] out) throws IOException {
        int pages = (int) Math.min((end - vaddr) / pageSize, out.length);
        int got = u64.read(file, vaddr / pageSize, out, pages);
        java.util.Arrays.fill(out, got, pages, 0L);
        return pages;
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
