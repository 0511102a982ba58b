package lib.snapshot;

import lib.proc.ProcFs;
import it.unimi.dsi.fastutil.longs.LongArrayList;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Where a kernel file of u64 entries (pagemap, kpageflags, kpagecount) holds non-zero data, read
 * over chosen byte ranges: the regions a sparse archive entry stores. Zero gaps shorter than
 * MERGE_GAP_BYTES stay inside a region (fewer regions, no hole smaller than a filesystem block).
 * The data is kept while it fits in keepLimit bytes, so most files are read once; past that only
 * the regions are kept and the data is read again when it is written.
 */
public record SparseRegions(long realSize, long[] offsets, long[] lengths, int count, byte[] data, long bytesRead) {
    public static final int MERGE_GAP_BYTES = 4096;

    /** Bytes of data the regions hold. */
    public long dataBytes() {
        long n = 0;
        for (int i = 0; i < count; i++) n += lengths[i];
        return n;
    }

    public boolean dataKept() {
        return data != null;
    }

    /**
     * The ranges themselves as regions (widened to whole 512-byte blocks, merged where they touch),
     * data to be read when written: one read, nothing kept. For kpageflags and kpagecount, whose
     * System RAM ranges hold data almost everywhere and are too large to read twice.
     */
    public static SparseRegions ofRanges(long[] starts, long[] ends, int ranges, long realSize) {
        LongArrayList offsets = new LongArrayList(), lengths = new LongArrayList();
        long data = 0;
        for (int r = 0; r < ranges; r++) {
            long s = starts[r] - starts[r] % TarWriter.BLOCK, e = Math.min(TarWriter.roundUp(ends[r]), realSize);
            if (e <= s) continue;
            int last = offsets.size() - 1;
            if (last >= 0 && offsets.getLong(last) + lengths.getLong(last) >= s) {
                long end = Math.max(e, offsets.getLong(last) + lengths.getLong(last));
                data += end - offsets.getLong(last) - lengths.getLong(last);
                lengths.set(last, end - offsets.getLong(last));
            } else {
                offsets.add(s);
                lengths.add(e - s);
                data += e - s;
            }
        }
        return new SparseRegions(realSize, offsets.toLongArray(), lengths.toLongArray(), offsets.size(), null, data);
    }

    /**
     * A scanner with its own read buffer and kept-data buffer, reused from one file to the next: the
     * data of a result is valid until the next scan.
     */
    public static final class Scanner {
        private final ByteBuffer buffer;
        private byte[] kept = new byte[1 << 16];

        public Scanner(int bufferBytes) {
            buffer = ByteBuffer.allocateDirect(bufferBytes - bufferBytes % 8).order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * Scans [starts[i], ends[i]) (byte offsets, ascending, multiples of 8) of file; realSize is the
         * size the extracted file will have (at least the end of the last range).
         */
        public SparseRegions scan(ProcFs.PositionalFile file, long[] starts, long[] ends, int ranges, long realSize,
                                  long keepLimit) throws IOException {
            State s = new State(keepLimit, realSize, kept);
            for (int r = 0; r < ranges; r++) {
                long pos = starts[r];
                while (pos < ends[r]) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), ends[r] - pos));
                    int got = 0;
                    while (buffer.hasRemaining()) {
                        int n = file.read(buffer, pos + buffer.position());
                        if (n <= 0) break;
                        got += n;
                    }
                    s.bytesRead += got;
                    int entries = got / 8;
                    for (int i = 0; i < entries; i++) {
                        long v = buffer.getLong(i * 8);
                        if (v != 0) s.nonZero(pos + i * 8L, v);
                    }
                    if (got < buffer.limit()) break; // the file ends here (a process that exited)
                    pos += got;
                }
            }
            s.close();
            if (s.data != null) kept = s.data;
            return new SparseRegions(realSize, s.offsets.toLongArray(), s.lengths.toLongArray(), s.offsets.size(),
                    s.data, s.bytesRead);
        }
    }

    /**
     * Runs of 512-byte blocks holding a non-zero entry: GNU tar stores each region in whole blocks, so
     * regions start on a block and end on one (or at the end of the file).
     */
    private static final class State {
        final LongArrayList offsets = new LongArrayList(), lengths = new LongArrayList();
        final long keepLimit, realSize;
        byte[] data;
        int dataLen;
        long runStart = -1, runEnd, bytesRead;

        State(long keepLimit, long realSize, byte[] reused) {
            this.keepLimit = keepLimit;
            this.realSize = realSize;
            this.data = reused;
        }

        void nonZero(long pos, long value) {
            long block = pos - pos % TarWriter.BLOCK;
            if (runStart >= 0 && block - alignedEnd() >= MERGE_GAP_BYTES) close();
            if (runStart < 0) {
                runStart = block;
                runEnd = block;
            }
            keep(pos - runEnd);
            keepValue(value);
            runEnd = pos + 8;
        }

        private long alignedEnd() {
            return Math.min(TarWriter.roundUp(runEnd), realSize);
        }

        /** Appends zero bytes to the kept data. */
        private void keep(long zeros) {
            if (!room(zeros)) return;
            Arrays.fill(data, dataLen, dataLen + (int) zeros, (byte) 0); // the buffer is reused: clear it
            dataLen += (int) zeros;
        }

        private void keepValue(long value) {
            if (!room(8)) return;
            for (int b = 0; b < 8; b++) data[dataLen + b] = (byte) (value >>> (8 * b));
            dataLen += 8;
        }

        /** Makes room for n more bytes of kept data, or drops the data past the limit. */
        private boolean room(long n) {
            if (data == null) return false;
            long need = dataLen + n;
            if (need > keepLimit) {
                data = null;
                return false;
            }
            if (need > data.length) data = Arrays.copyOf(data, (int) Math.min(keepLimit, Math.max(need, 2L * data.length)));
            return true;
        }

        void close() {
            if (runStart < 0) return;
            long end = alignedEnd();
            keep(end - runEnd);
            offsets.add(runStart);
            lengths.add(end - runStart);
            runStart = -1;
        }
    }

    /**
     * The data of the regions, in order, for TarWriter.sparseFile: from the kept data, or read again
     * from the file (a process that exited meanwhile gives less: the writer pads with zeros).
     */
    public TarWriter.RegionSource source(ProcFs.PositionalFile file, ByteBuffer buffer) {
        return new TarWriter.RegionSource() {
            private long dataOffset;
            private final byte[] chunk = data != null ? null : new byte[Math.min(buffer.capacity(), 1 << 20)];

            @Override
            public void write(int region, long offset, long length, OutputStream out) throws IOException {
                if (data != null) {
                    out.write(data, (int) dataOffset, (int) length);
                    dataOffset += length;
                    return;
                }
                long pos = offset, end = offset + length;
                while (pos < end) {
                    buffer.clear().limit((int) Math.min(chunk.length, end - pos));
                    int n = file.read(buffer, pos);
                    if (n <= 0) return;
                    buffer.flip();
                    buffer.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                    pos += n;
                }
            }
        };
    }
}
