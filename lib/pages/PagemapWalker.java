package lib.pages;

import lib.proc.Maps;
import lib.proc.ProcFs;

import java.io.IOException;

/**
 * The one walk of a pagemap: over a range of virtual addresses (a mapping, or part of one), in
 * chunks of entries read into a reused array, no object per page. Every reader of a process's
 * pages goes through here, so a faster way to find the populated ranges serves them all: a range is
 * read only where the file says present or swapped pages may be (a live pagemap asks the kernel,
 * PAGEMAP_SCAN): chunks then cover those parts only, and entries outside them, neither present nor
 * swapped, are not seen. One per thread.
 */
public final class PagemapWalker {

    /** A chunk of entries: entries[0..n) are the pages from vaddr on, in mapping m (null when walking a bare range). */
    @FunctionalInterface
    public interface Chunk {
        void entries(Maps.Mapping m, long vaddr, long[] entries, int n) throws IOException;
    }

    private final PageMap pagemap;
    private final long[] entries;
    private long entriesRead;

    /** Chunks of PageMap.CHUNK_ENTRIES entries. */
    public PagemapWalker(long pageSize) {
        this(pageSize, PageMap.CHUNK_ENTRIES);
    }

    public PagemapWalker(long pageSize, int chunkEntries) {
        this.pagemap = new PageMap(pageSize);
        this.entries = new long[chunkEntries];
    }

    public long pageSize() {
        return pagemap.pageSize();
    }

    /** The entries of a mapping. */
    public void walk(ProcFs.PositionalFile file, Maps.Mapping m, Chunk chunk) throws IOException {
        walk(file, m, m.start(), m.end(), chunk);
    }

    /** The present and swapped entries of [start, end) (and maybe others), m passed on to chunk as it is. */
    public void walk(ProcFs.PositionalFile file, Maps.Mapping m, long start, long end, Chunk chunk) throws IOException {
        long pageSize = pagemap.pageSize();
        file.presentParts(start / pageSize * 8, end / pageSize * 8, (from, to) -> read(file, m, from / 8 * pageSize, to / 8 * pageSize, chunk));
    }

    private void read(ProcFs.PositionalFile file, Maps.Mapping m, long start, long end, Chunk chunk) throws IOException {
        long pageSize = pagemap.pageSize();
        for (long vaddr = start; vaddr < end; ) {
            int n = pagemap.read(file, vaddr, end, entries);
            if (n == 0) break;
            entriesRead += n;
            chunk.entries(m, vaddr, entries, n);
            vaddr += n * pageSize;
        }
    }

    /** Entries read so far by this walker (what skipping saves shows here). */
    public long entriesRead() {
        return entriesRead;
    }

    /** Appends the frame of every present page of [start, end) to frames. */
    public void presentFrames(ProcFs.PositionalFile file, long start, long end, it.unimi.dsi.fastutil.longs.LongCollection frames)
            throws IOException {
        walk(file, null, start, end, (m, vaddr, e, n) -> {
            for (int i = 0; i < n; i++) if (PageMap.present(e[i])) frames.add(PageMap.pfn(e[i]));
        });
    }
}
