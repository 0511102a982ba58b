package lib.pages;

import lib.proc.ProcFs;

import java.io.IOException;

/** /proc/kpagecount: how many times each PFN is mapped. */
public final class KPageCount implements AutoCloseable {
    private final ProcFs.PositionalFile file;
    private final U64Reader u64 = new U64Reader(0);

    public KPageCount(ProcFs.PositionalFile file) {
        this.file = file;
    }

    public static KPageCount open(ProcFs proc) throws IOException {
        return new KPageCount(proc.open("kpagecount"));
    }

    /** Fills out[i] with the map count of frame pfns[i] (i below count) in a few large reads. */
    public void readEach(long[] pfns, int count, long[] out) throws IOException {
        u64.readEach(file, pfns, count, out);
    }

    /** Mapped more than once: by several processes, or several times by one. */
    public static boolean isShared(long count) {
        return count > 1;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
