package lib.pages;

import lib.proc.Iomem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The machine's RAM as frames: iomem's System RAM ranges as whole frames [firstPfn, endPfn), laid end to
 * end (position 0 is the first range's first frame), and kpageflags read over positions of them in chunks.
 */
public record RamFrames(long[] firstPfn, long[] endPfn, long frames) {
    /** Frames per kpageflags read: 512 KiB of flags. */
    public static final int CHUNK = 1 << 16;

    /** The flags of n frames from firstPfn on (flags[0..n), n at most CHUNK). */
    @FunctionalInterface
    public interface Chunk {
        void flags(long firstPfn, long[] flags, int n) throws IOException;
    }

    /** RAM ranges (inclusive byte addresses) as whole frames; a range holding no whole frame is left out. */
    public static RamFrames of(List<Iomem.Range> ram, long pageSize) {
        List<long[]> runs = new ArrayList<>();
        long frames = 0;
        for (Iomem.Range r : ram) {
            long first = r.firstPfn(pageSize), end = r.endPfn(pageSize);
            if (end > first) {
                runs.add(new long[]{first, end});
                frames += end - first;
            }
        }
        return new RamFrames(runs.stream().mapToLong(a -> a[0]).toArray(), runs.stream().mapToLong(a -> a[1]).toArray(), frames);
    }

    public int ranges() {
        return firstPfn.length;
    }

    /**
     * Reads the flags of positions [start, end), chunk by chunk (never across a range's end), into chunk;
     * frames a snapshot's sparse or short kpageflags does not hold read as no flags.
     */
    public void read(KPageFlags kpf, long start, long end, Chunk chunk) throws IOException {
        long[] flags = new long[CHUNK];
        long rangeStart = 0;
        for (int r = 0; r < firstPfn.length && rangeStart < end; r++) {
            long rangeFrames = endPfn[r] - firstPfn[r];
            long from = Math.max(start, rangeStart), to = Math.min(end, rangeStart + rangeFrames);
            for (long pos = from; pos < to; ) {
                long pfn = firstPfn[r] + (pos - rangeStart);
                int n = (int) Math.min(CHUNK, to - pos);
                int got = kpf.read(pfn, flags, n);
                Arrays.fill(flags, Math.max(0, got), n, 0L);
                chunk.flags(pfn, flags, n);
                pos += n;
            }
            rangeStart += rangeFrames;
        }
    }
}
