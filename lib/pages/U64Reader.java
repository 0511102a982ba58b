package lib.pages;

import lib.proc.ProcFs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * The one reader of the kernel's u64 arrays (pagemap, kpageflags, kpagecount; page-types.c's
 * do_u64_read): little-endian entries at an index, read by large positional reads into a reused
 * direct buffer and copied in bulk, never an object per entry. One per thread; the file is the caller's.
 */
public final class U64Reader {
    // entries between two wanted ones that are read through rather than paying another read
    private static final int GAP = 64;
    private static final int MAX_RUN = 1 << 13;

    private ByteBuffer buffer;
    private LongBuffer longs;
    private long[] sorted = new long[0];
    private long[] values = new long[0];

    /** A reader whose buffer holds entries entries at first (it grows when asked for more). */
    public U64Reader(int entries) {
        allocate(Math.max(entries, MAX_RUN));
    }

    private void allocate(int entries) {
        buffer = ByteBuffer.allocateDirect(entries * 8).order(ByteOrder.LITTLE_ENDIAN);
        longs = buffer.asLongBuffer();
    }

    /**
     * Fills out[0..count) with the entries from index on; returns how many the file had (fewer at its
     * end: past it a snapshot saved nothing, and the rest of out is left as it was).
     */
    public int read(ProcFs.PositionalFile file, long index, long[] out, int count) throws IOException {
        if (buffer.capacity() < count * 8) allocate(count);
        buffer.clear().limit(count * 8);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, index * 8 + buffer.position()) <= 0) break;
        }
        int got = buffer.position() / 8;
        longs.clear();
        longs.get(out, 0, got);
        return got;
    }

    /** Fills out[i] with the entry at index[i] (i below count; 0 past the end) in one read per run of nearby indexes. */
    public void readEach(ProcFs.PositionalFile file, long[] index, int count, long[] out) throws IOException {
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
            buffer.clear().limit(entries * 8);
            while (buffer.hasRemaining()) {
                if (file.read(buffer, first * 8 + buffer.position()) <= 0) break;
            }
            int got = buffer.position() / 8;
            for (int k = i; k < j; k++) {
                int at = (int) (sorted[k] - first);
                values[k] = at < got ? buffer.getLong(at * 8) : 0L;
            }
            i = j;
        }
        for (int k = 0; k < count; k++) out[k] = values[Arrays.binarySearch(sorted, 0, unique, index[k])];
    }
}
