package lib.proc;

import java.util.ArrayList;
import java.util.List;

/** /proc/sysvipc/shm: one Segment per line after the header. */
public final class SysvShm {
    private SysvShm() {
    }

    /** The kernel's columns; rss and swap in bytes. */
    public record Segment(int key, long shmid, int perms, long sizeBytes, int cpid, int lpid, long nattch, int uid,
                          int gid, int cuid, int cgid, long atime, long dtime, long ctime, long rssBytes,
                          long swapBytes) {
        /** SHM_DEST (01000 in the mode word): removed with IPC_RMID, gone when the last process detaches. */
        public boolean destroyPending() {
            return (perms & 01000) != 0;
        }

        /** The same line with another rss (a corrected figure). */
        public Segment withRssBytes(long rss) {
            return new Segment(key, shmid, perms, sizeBytes, cpid, lpid, nattch, uid, gid, cuid, cgid, atime, dtime,
                    ctime, rss, swapBytes);
        }
    }

    public static List<Segment> parse(String text) {
        List<Segment> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) continue;
            String[] f = line.split("\\s+");
            if (f.length < 16) throw new IllegalArgumentException("malformed sysvipc/shm line: " + line);
            out.add(new Segment(Integer.parseInt(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2], 8),
                    Long.parseUnsignedLong(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6]),
                    Integer.parseInt(f[7]), Integer.parseInt(f[8]), Integer.parseInt(f[9]), Integer.parseInt(f[10]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseUnsignedLong(f[14]),
                    Long.parseUnsignedLong(f[15])));
        }
        return out;
    }
}
