package lib.proc;

import java.util.ArrayList;
import java.util.List;

/** /proc/PID/maps: one Mapping per line. */
public final class Maps {
    private Maps() {
    }

    /** What a mapping's pathname says it is. */
    public enum Kind {
        /** no pathname */
        ANONYMOUS,
        /** [heap], [stack], [vdso], [anon:NAME]... (anonymous memory with a kernel-given name) */
        PSEUDO,
        /** [vsyscall]: not readable through pagemap */
        VSYSCALL,
        /** /SYSV<key> (deleted): a SysV shm segment, shmid = inode */
        SYSV_SHM,
        /** any other path: file-backed, including /dev/zero (deleted) and /memfd: */
        FILE
    }

    /** One line: start-end perms offset dev inode pathname. */
    public record Mapping(long start, long end, String perms, long offset, String dev, long inode, String pathname) {

        public long sizeBytes() {
            return end - start;
        }

        public Kind kind() {
            if (pathname.isEmpty()) return Kind.ANONYMOUS;
            if (pathname.equals("[vsyscall]")) return Kind.VSYSCALL;
            if (pathname.startsWith("[")) return Kind.PSEUDO;
            if (pathname.startsWith("/SYSV") && pathname.length() >= 13 && isHex(pathname, 5, 13)) return Kind.SYSV_SHM;
            return Kind.FILE;
        }

        /** SPEC: anonymous = no pathname or a [...] pseudo-name. */
        public boolean isAnonymous() {
            Kind k = kind();
            return k == Kind.ANONYMOUS || k == Kind.PSEUDO;
        }

        public boolean isSysvShm() {
            return kind() == Kind.SYSV_SHM;
        }

        /** The SysV key written in the pathname (as a signed int, as sysvipc/shm shows it). */
        public int sysvKey() {
            return (int) Long.parseLong(pathname.substring(5, 13), 16);
        }

        /** The shmid of a SysV mapping (the inode column). */
        public long sysvShmid() {
            return inode;
        }

        public boolean isDeleted() {
            return pathname.endsWith(" (deleted)");
        }

        public boolean readable() {
            return perms.charAt(0) == 'r';
        }

        public boolean shared() {
            return perms.length() > 3 && perms.charAt(3) == 's';
        }

        public boolean contains(long address) {
            return address >= start && address < end;
        }
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) return false;
        }
        return true;
    }

    /** Parses the whole file; pathnames keep their spaces and a " (deleted)" suffix. */
    public static List<Mapping> parse(String text) {
        List<Mapping> out = new ArrayList<>();
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) eol = n;
            if (eol > pos) out.add(parseLine(text, pos, eol));
            pos = eol + 1;
        }
        return out;
    }

    public static Mapping parseLine(String line) {
        return parseLine(line, 0, line.length());
    }

    private static Mapping parseLine(String s, int from, int to) {
        int dash = s.indexOf('-', from);
        int sp1 = s.indexOf(' ', dash);
        int sp2 = s.indexOf(' ', sp1 + 1);
        int sp3 = s.indexOf(' ', sp2 + 1);
        int sp4 = s.indexOf(' ', sp3 + 1);
        int sp5 = s.indexOf(' ', sp4 + 1);
        if (dash < 0 || sp5 < 0 || sp5 > to) {
            // a line with no pathname may end right after the inode
            if (sp4 > 0 && sp4 < to && (sp5 < 0 || sp5 > to)) sp5 = to;
            else throw new IllegalArgumentException("malformed maps line: " + s.substring(from, to));
        }
        long start = Long.parseUnsignedLong(s, from, dash, 16);
        long end = Long.parseUnsignedLong(s, dash + 1, sp1, 16);
        String perms = s.substring(sp1 + 1, sp2);
        long offset = Long.parseUnsignedLong(s, sp2 + 1, sp3, 16);
        String dev = s.substring(sp3 + 1, sp4);
        long inode = Long.parseLong(s, sp4 + 1, sp5, 10);
        int p = sp5;
        while (p < to && s.charAt(p) == ' ') p++;
        String path = p < to ? s.substring(p, to) : "";
        return new Mapping(start, end, perms, offset, dev, inode, path);
    }
}
