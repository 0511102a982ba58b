package lib.proc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import lib.text.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The files of each tmpfs (POSIX shared memory in /dev/shm, Oracle's AMM SGA): the largest by what they
 * hold (st_blocks: in RAM or in swap) and every one a process maps, with the pages of each in RAM and in
 * swap (PageCache: nothing faulted in, no data read).
 * <p>
 * The walk is safe among files any user creates: no link is followed (each folder opened from the one above
 * with O_NOFOLLOW, O_DIRECTORY), it stays on the tmpfs's device, goes MAX_DEPTH folders deep and reads at most
 * MAX_ENTRIES names per tmpfs; a file is opened only as itself (O_PATH, O_NOFOLLOW), checked to be the regular
 * file listed (device and inode), and only then reopened for reading through /proc/self/fd, so no FIFO or
 * device is ever opened; O_NOATIME where the kernel allows it (mapping a file would update its atime).
 * Memory stays bounded: LARGEST files per tmpfs and the mapped ones are kept, a name at a time otherwise.
 * A snapshot keeps the result (snap writes it as tmpfs_files.json). mappers: the pids mapping each file, as the
 * live walk found them (every process's maps read once for both); null when not known (read from a snapshot).
 */
public record TmpfsFiles(String method, long pageSize, List<Mount> mounts, Map<Key, IntArrayList> mappers) {
    /** Files kept per tmpfs besides those processes map. */
    public static final int LARGEST = 50;
    static final int MAX_DEPTH = 32;
    static final long MAX_ENTRIES = 200_000;
    /** snap's tmpfs_files.json: LARGEST files per tmpfs and the mapped ones, a few hundred bytes each. */
    public static final long MAX_JSON_BYTES = 16L << 20;
    public static final String SNAPSHOT_FILE = "tmpfs_files.json";

    /** A file as /proc/PID/maps names it: device and inode. */
    public record Key(int major, int minor, long inode) {
        /** The key of a mapping (its "fd:01" device is hex major:minor). */
        public static Key of(Maps.Mapping m) {
            int colon = m.dev().indexOf(':');
            if (colon < 0) return null;
            try {
                return new Key(Integer.parseInt(m.dev(), 0, colon, 16), Integer.parseInt(m.dev(), colon + 1, m.dev().length(), 16), m.inode());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * One file: path as found (show it through Text.visible), size, what it holds (st_blocks, in bytes),
     * its pages in RAM and in swap (-1 when the kernel would not tell), and whether it is among the
     * largest of its tmpfs (else it is kept because a process maps it).
     */
    public record File(String path, long sizeBytes, long allocatedBytes, long inode, long residentPages, long swappedPages,
                       boolean largest) {
    }

    /**
     * One tmpfs: where it was walked, its device, how many files it holds and their st_blocks total, why the
     * walk stopped early (null when it saw everything), and the files kept, largest first.
     */
    public record Mount(String mountPoint, int major, int minor, long fileCount, long allocatedBytes, String stopped,
                        List<File> files) {
        public String device() {
            return major + ":" + minor;
        }
    }

    /** The file of a key, or null when no tmpfs here holds it (or it was not kept). */
    public File file(Key k) {
        for (Mount m : mounts) {
            if (m.major() != k.major() || m.minor() != k.minor()) continue;
            for (File f : m.files()) if (f.inode() == k.inode()) return f;
        }
        return null;
    }

    /** The mount a key's device belongs to, or null. */
    public Mount mount(Key k) {
        for (Mount m : mounts) if (m.major() == k.major() && m.minor() == k.minor()) return m;
        return null;
    }

    // ---- who maps what (the same for a live /proc and a snapshot: both have the processes' maps)

    /** Where a process maps a file: through /proc/PID/map_files a file no walk finds (deleted) can still be measured. */
    public record Mapped(int pid, long start, long end, String pathname) {
    }

    /**
     * pids of these processes (ascending) mapping each file of these tmpfs devices; a process gone or
     * unreadable is left out.
     */
    public static Map<Key, IntArrayList> mappers(ProcFs proc, List<Integer> pids, List<Tmpfs.Device> devices) {
        Map<Key, IntArrayList> out = new LinkedHashMap<>();
        eachMapping(proc, pids, devices, (pid, k, m) -> {
            IntArrayList l = out.computeIfAbsent(k, x -> new IntArrayList(2));
            if (l.isEmpty() || l.getInt(l.size() - 1) != pid) l.add(pid);
        });
        return out;
    }

    /**
     * Walks every tmpfs of this mountinfo and measures its files (scan), reading these processes' maps once: for
     * the first mapping of each file (which reaches a deleted one) and for all the pids that map it (mappers).
     */
    public static TmpfsFiles scan(ProcFs proc, List<Integer> pids, String mountinfo, long pageSize) {
        Map<Key, Mapped> first = new LinkedHashMap<>();
        Map<Key, IntArrayList> all = new LinkedHashMap<>();
        eachMapping(proc, pids, Tmpfs.devices(mountinfo), (pid, k, m) -> {
            first.putIfAbsent(k, new Mapped(pid, m.start(), m.end(), m.pathname()));
            IntArrayList l = all.computeIfAbsent(k, x -> new IntArrayList(2));
            if (l.isEmpty() || l.getInt(l.size() - 1) != pid) l.add(pid);
        });
        TmpfsFiles t = scan(mountinfo, first, pageSize);
        return new TmpfsFiles(t.method(), t.pageSize(), t.mounts(), all);
    }

    /** Called for each mapping of a tmpfs file. */
    @FunctionalInterface
    public interface MappingVisitor {
        void mapping(int pid, Key key, Maps.Mapping m);
    }

    /** The mapping's key when it maps a file of one of these tmpfs devices, else null. */
    public static Key tmpfsKey(Maps.Mapping m, List<Tmpfs.Device> devices) {
        if (m.inode() == 0 || m.kind() != Maps.Kind.FILE) return null;
        Key k = Key.of(m);
        if (k == null) return null;
        for (Tmpfs.Device d : devices) if (d.major() == k.major() && d.minor() == k.minor()) return k;
        return null;
    }

    private static void eachMapping(ProcFs proc, List<Integer> pids, List<Tmpfs.Device> devices, MappingVisitor visitor) {
        if (devices.isEmpty()) return;
        // maps prints the device as %02x:%02x (fs/proc/task_mmu.c show_map_vma): only lines with one of these are parsed
        List<String> devs = new ArrayList<>();
        for (Tmpfs.Device d : devices) devs.add(" " + String.format("%02x:%02x", d.major(), d.minor()) + " ");
        for (int pid : pids) {
            String text;
            try {
                text = proc.readString(pid, "maps");
            } catch (IOException | RuntimeException e) {
                continue;
            }
            for (String dev : devs) {
                for (int at = text.indexOf(dev); at >= 0; at = text.indexOf(dev, at + 1)) {
                    int bol = text.lastIndexOf('\n', at) + 1, eol = text.indexOf('\n', at);
                    Maps.Mapping m;
                    try {
                        m = Maps.parseLine(text.substring(bol, eol < 0 ? text.length() : eol));
                    } catch (RuntimeException e) {
                        continue; // a pathname holding the device's text: its own line is parsed where it starts
                    }
                    Key k = tmpfsKey(m, devices);
                    if (k != null && dev.equals(" " + m.dev() + " ")) visitor.mapping(pid, k, m);
                }
            }
        }
    }

    /** The tmpfs devices of this result, as mappers() wants them. */
    public List<Tmpfs.Device> devices() {
        List<Tmpfs.Device> out = new ArrayList<>();
        for (Mount m : mounts) out.add(new Tmpfs.Device(m.major(), m.minor(), m.mountPoint(), "/"));
        return out;
    }

    // ---- the live walk

    /**
     * Walks every tmpfs of this mountinfo (our mount namespace's) and reads the residency of the LARGEST
     * files of each and of every file in mapped; one the walk does not find (deleted while mapped, or past
     * the walk's limits) is measured through the map_files link of its mapping, listed under the pathname
     * maps gives it ("/dev/shm/x (deleted)"). pageSize: the base page size.
     */
    public static TmpfsFiles scan(String mountinfo, Map<Key, Mapped> mapped, long pageSize) {
        List<Mount> mounts = new ArrayList<>();
        for (Tmpfs.Device d : Tmpfs.devices(mountinfo)) {
            Map<Long, Mapped> wanted = new HashMap<>();
            for (Map.Entry<Key, Mapped> e : mapped.entrySet()) {
                Key k = e.getKey();
                if (k.major() == d.major() && k.minor() == d.minor()) wanted.put(k.inode(), e.getValue());
            }
            Mount m = new Walk(d, wanted, pageSize).run();
            if (m != null) mounts.add(m);
        }
        return new TmpfsFiles(PageCache.method(), pageSize, List.copyOf(mounts), null);
    }

    /** libc, names as bytes: a file name need not be UTF-8, and must reach the kernel as it is. */
    interface C extends Library {
        C LIBC = Jna.libc(C.class);

        int open(String path, int flags) throws LastErrorException;

        int openat(int dirfd, byte[] name, int flags) throws LastErrorException;

        int close(int fd);

        long getdents64(int fd, Pointer buf, long count) throws LastErrorException;

        int statx(int dirfd, byte[] path, int flags, int mask, Pointer buf) throws LastErrorException;

        int faccessat(int dirfd, String path, int mode, int flags) throws LastErrorException;

        int geteuid();
    }

    private static final boolean ARM_LIKE = System.getProperty("os.arch").matches("(aarch64|arm.*|ppc.*)");
    /** asm-generic/fcntl.h; arm, arm64 and powerpc have their own O_DIRECTORY and O_NOFOLLOW. */
    static final int O_RDONLY = 0, O_NONBLOCK = 04000, O_CLOEXEC = 02000000, O_NOATIME = 01000000, O_PATH = 010000000,
            O_DIRECTORY = ARM_LIKE ? 040000 : 0200000, O_NOFOLLOW = ARM_LIKE ? 0100000 : 0400000;
    static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000, AT_EACCESS = 0x200, W_OK = 2;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000;
    static final byte DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8;
    private static final byte[] EMPTY = {0};
    private static final int EPERM = 1;

    /** struct statx: the fields used (include/uapi/linux/stat.h), from a buffer of 256 bytes. */
    record Stat(int mode, int uid, long inode, long size, long blocks, int devMajor, int devMinor) {
        static Stat of(Memory b) {
            return new Stat(b.getShort(28) & 0xffff, b.getInt(20), b.getLong(32), b.getLong(40), b.getLong(48), b.getInt(136), b.getInt(140));
        }

        boolean regular() {
            return (mode & S_IFMT) == S_IFREG;
        }

        boolean directory() {
            return (mode & S_IFMT) == S_IFDIR;
        }
    }

    private static byte[] cstring(byte[] name) {
        byte[] c = java.util.Arrays.copyOf(name, name.length + 1);
        return c;
    }

    /** A file found by the walk: its path's names below the mount point, and its statx. */
    private record Found(byte[][] names, Stat stat) {
        long allocated() {
            return stat.blocks() * 512;
        }
    }

    private static final Comparator<Found> SMALLEST_FIRST = Comparator.comparingLong(Found::allocated)
            .thenComparingLong(f -> f.stat().size()).thenComparingLong(f -> -f.stat().inode());

    /** One tmpfs's walk. */
    private static final class Walk {
        final Tmpfs.Device dev;
        final Map<Long, Mapped> wanted;
        final long pageSize;
        final Memory statBuf = new Memory(256);
        final Memory dents = new Memory(32 << 10);
        final PriorityQueue<Found> largest = new PriorityQueue<>(SMALLEST_FIRST);
        final LongOpenHashSet inLargest = new LongOpenHashSet(), seen = new LongOpenHashSet();
        final Map<Long, Found> mapped = new HashMap<>();
        long entries, files, allocated;
        String stopped;

        Walk(Tmpfs.Device dev, Map<Long, Mapped> wanted, long pageSize) {
            this.dev = dev;
            this.wanted = wanted;
            this.pageSize = pageSize;
        }

        /** Null when the mount point shows another file system now (mounted over). */
        Mount run() {
            int fd;
            try {
                fd = openDir(-1, null);
            } catch (LastErrorException e) {
                return new Mount(dev.mountPoint(), dev.major(), dev.minor(), 0, 0, "unreadable: " + Libc.describe(e), List.of());
            }
            try {
                Stat s = fstat(fd);
                if (s == null || s.devMajor() != dev.major() || s.devMinor() != dev.minor()) return null;
                walk(fd, new byte[0][], 0);
            } finally {
                C.LIBC.close(fd);
            }
            List<Found> kept = new ArrayList<>(largest);
            kept.sort(SMALLEST_FIRST.reversed());
            List<File> out = new ArrayList<>();
            for (Found f : kept) {
                File file = measure(f, true);
                if (file != null) out.add(file);
            }
            for (Found f : mapped.values()) {
                if (inLargest.contains(f.stat().inode())) continue;
                File file = measure(f, false);
                if (file != null) out.add(file);
            }
            for (Map.Entry<Long, Mapped> e : wanted.entrySet()) {
                if (mapped.containsKey(e.getKey())) continue;
                File file = measureMapped(e.getKey(), e.getValue());
                if (file != null) out.add(file);
            }
            return new Mount(dev.mountPoint(), dev.major(), dev.minor(), files, allocated, stopped, List.copyOf(out));
        }

        /** The mount point (dirfd -1), or a folder below dirfd: never through a link, never a FIFO or device. */
        int openDir(int dirfd, byte[] name) {
            int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK;
            for (int noatime : new int[]{O_NOATIME, 0}) {
                try {
                    return dirfd < 0 ? C.LIBC.open(dev.mountPoint(), flags | noatime)
                            : C.LIBC.openat(dirfd, cstring(name), flags | O_NOFOLLOW | noatime);
                } catch (LastErrorException e) {
                    // O_NOATIME is for the owner or CAP_FOWNER: EPERM otherwise, then without it
                    if (e.getErrorCode() != EPERM || noatime == 0) throw e;
                }
            }
            throw new IllegalStateException();
        }

        Stat fstat(int fd) {
            try {
                C.LIBC.statx(fd, EMPTY, AT_EMPTY_PATH, STATX_BASIC_STATS, statBuf);
                return Stat.of(statBuf);
            } catch (LastErrorException e) {
                return null;
            }
        }

        Stat lstatAt(int dirfd, byte[] name) {
            try {
                C.LIBC.statx(dirfd, cstring(name), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, statBuf);
                return Stat.of(statBuf);
            } catch (LastErrorException e) {
                return null; // removed meanwhile
            }
        }

        void walk(int dirfd, byte[][] path, int depth) {
            List<byte[]> dirs = new ArrayList<>();
            while (stopped == null) {
                long n;
                try {
                    n = C.LIBC.getdents64(dirfd, dents, dents.size());
                } catch (LastErrorException e) {
                    break; // the folder was removed while we read it
                }
                if (n <= 0) break;
                for (long off = 0; off < n; ) {
                    int reclen = dents.getShort(off + 16) & 0xffff;
                    if (reclen == 0) break;
                    byte type = dents.getByte(off + 18);
                    byte[] name = nameAt(off + 19, off + reclen);
                    off += reclen;
                    if (isDot(name)) continue;
                    if (++entries > MAX_ENTRIES) {
                        stopped = "stopped after " + MAX_ENTRIES + " names";
                        break;
                    }
                    if (type != DT_REG && type != DT_DIR && type != DT_UNKNOWN) continue; // links, FIFOs, sockets, devices
                    Stat s = lstatAt(dirfd, name);
                    if (s == null || s.devMajor() != dev.major() || s.devMinor() != dev.minor()) continue; // another mount
                    if (s.directory()) dirs.add(name);
                    else if (s.regular()) found(append(path, name), s);
                }
            }
            for (byte[] d : dirs) {
                if (stopped != null) return;
                if (depth + 1 > MAX_DEPTH) {
                    stopped = "stopped at " + MAX_DEPTH + " folders deep";
                    return;
                }
                int fd;
                try {
                    fd = openDir(dirfd, d);
                } catch (LastErrorException e) {
                    continue; // replaced by a link, or removed
                }
                try {
                    Stat s = fstat(fd);
                    if (s != null && s.devMajor() == dev.major() && s.devMinor() == dev.minor()) walk(fd, append(path, d), depth + 1);
                } finally {
                    C.LIBC.close(fd);
                }
            }
        }

        void found(byte[][] path, Stat s) {
            if (!seen.add(s.inode())) return; // another name of a file met before (a hard link): counted once
            files++;
            allocated += s.blocks() * 512;
            Found f = new Found(path, s);
            if (wanted.containsKey(s.inode())) mapped.putIfAbsent(s.inode(), f);
            if (largest.size() < LARGEST) {
                largest.add(f);
                inLargest.add(s.inode());
            } else if (SMALLEST_FIRST.compare(f, largest.peek()) > 0) {
                inLargest.remove(largest.poll().stat().inode());
                largest.add(f);
                inLargest.add(s.inode());
            }
        }

        byte[] nameAt(long from, long end) {
            long to = from;
            while (to < end && dents.getByte(to) != 0) to++;
            return dents.getByteArray(from, (int) (to - from));
        }

        /**
         * Path, size and residency of a file found, opened again from the mount point one name at a time
         * (no link followed); null when it is gone or is no longer the file the walk saw.
         */
        File measure(Found f, boolean isLargest) {
            List<Integer> fds = new ArrayList<>();
            try {
                int dirfd = openDir(-1, null);
                fds.add(dirfd);
                byte[][] names = f.names();
                for (int i = 0; i < names.length - 1; i++) {
                    dirfd = openDir(dirfd, names[i]);
                    fds.add(dirfd);
                }
                int pathFd = C.LIBC.openat(dirfd, cstring(names[names.length - 1]), O_PATH | O_NOFOLLOW | O_CLOEXEC);
                fds.add(pathFd);
                return measureAt(pathFd, f.stat().inode(), path(names), isLargest, fds);
            } catch (LastErrorException e) {
                return null;
            } finally {
                for (int fd : fds) C.LIBC.close(fd);
            }
        }

        /** A mapped file the walk did not find, through the mapping's /proc/PID/map_files link (root only). */
        File measureMapped(long inode, Mapped m) {
            List<Integer> fds = new ArrayList<>();
            try {
                // O_PATH: the link leads to the mapped file itself, which is opened as nothing yet
                int pathFd = C.LIBC.open("/proc/" + m.pid() + "/map_files/" + Long.toHexString(m.start()) + "-" + Long.toHexString(m.end()),
                        O_PATH | O_CLOEXEC);
                fds.add(pathFd);
                return measureAt(pathFd, inode, m.pathname(), false, fds);
            } catch (LastErrorException e) {
                return null; // the process is gone, or we are not root
            } finally {
                for (int fd : fds) C.LIBC.close(fd);
            }
        }

        /** The file an O_PATH descriptor holds, if it is the regular file of this tmpfs and inode: reopened as itself and measured. */
        File measureAt(int pathFd, long inode, String path, boolean isLargest, List<Integer> fds) {
            Stat s = fstat(pathFd);
            if (s == null || !same(s, inode)) return null;
            // the regular file checked above, reopened as itself: no name is looked up again
            int fd = reopen(pathFd);
            fds.add(fd);
            Stat r = fstat(fd);
            if (r == null || !same(r, inode)) return null;
            PageCache.State st = null;
            try {
                st = PageCache.of(fd, r.size(), r.blocks() * 512 / pageSize, pageSize, mayWrite(fd, r));
            } catch (java.io.IOException e) {
                // residency unknown; the file is still listed
            }
            return new File(path, r.size(), r.blocks() * 512, r.inode(), st == null ? -1 : st.residentPages(),
                    st == null ? -1 : st.swappedPages(), isLargest);
        }

        int reopen(int pathFd) {
            String self = "/proc/self/fd/" + pathFd;
            int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
            try {
                return C.LIBC.open(self, flags | O_NOATIME);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EPERM) throw e;
                return C.LIBC.open(self, flags);
            }
        }

        /** What mm/mincore.c can_do_mincore and cachestat ask: owner or CAP_FOWNER (root), or write permission. */
        static boolean mayWrite(int fd, Stat s) {
            int euid = C.LIBC.geteuid();
            if (euid == 0 || euid == s.uid()) return true;
            try {
                return C.LIBC.faccessat(-100, "/proc/self/fd/" + fd, W_OK, AT_EACCESS) == 0;
            } catch (LastErrorException e) {
                return false;
            }
        }

        boolean same(Stat s, long inode) {
            return s.regular() && s.inode() == inode && s.devMajor() == dev.major() && s.devMinor() == dev.minor();
        }

        String path(byte[][] names) {
            StringBuilder sb = new StringBuilder(dev.mountPoint());
            for (byte[] n : names) {
                if (sb.length() == 0 || sb.charAt(sb.length() - 1) != '/') sb.append('/');
                sb.append(new String(n, StandardCharsets.UTF_8));
            }
            return sb.toString();
        }
    }

    private static boolean isDot(byte[] n) {
        return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
    }

    private static byte[][] append(byte[][] path, byte[] name) {
        byte[][] p = java.util.Arrays.copyOf(path, path.length + 1);
        p[path.length] = name;
        return p;
    }

    // ---- a snapshot's copy

    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("method", method);
        j.put("page_size", pageSize);
        List<Object> ms = new ArrayList<>();
        for (Mount m : mounts) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mount_point", m.mountPoint());
            o.put("device", m.device());
            o.put("file_count", m.fileCount());
            o.put("allocated", m.allocatedBytes());
            o.put("stopped", m.stopped());
            List<Object> fs = new ArrayList<>();
            for (File f : m.files()) {
                Map<String, Object> fo = new LinkedHashMap<>();
                fo.put("path", f.path());
                fo.put("size", f.sizeBytes());
                fo.put("allocated", f.allocatedBytes());
                fo.put("inode", f.inode());
                fo.put("resident_pages", f.residentPages() < 0 ? null : f.residentPages());
                fo.put("swapped_pages", f.swappedPages() < 0 ? null : f.swappedPages());
                fo.put("largest", f.largest());
                fs.add(fo);
            }
            o.put("files", fs);
            ms.add(o);
        }
        j.put("mounts", ms);
        return j;
    }

    /** A snapshot's tmpfs_files.json; an IOException naming what is wrong when it is not what snap writes. */
    public static TmpfsFiles fromJson(String text) throws IOException {
        try {
            if (!(Json.parse(text) instanceof Map<?, ?> j)) throw new IllegalArgumentException("not a JSON object");
            List<Mount> mounts = new ArrayList<>();
            for (Object o : list(j.get("mounts"))) {
                Map<?, ?> m = map(o);
                String[] dev = string(m.get("device")).split(":");
                if (dev.length != 2) throw new IllegalArgumentException("device " + m.get("device"));
                List<File> files = new ArrayList<>();
                for (Object fo : list(m.get("files"))) {
                    Map<?, ?> f = map(fo);
                    files.add(new File(string(f.get("path")), number(f.get("size")), number(f.get("allocated")),
                            number(f.get("inode")), orMinus(f.get("resident_pages")), orMinus(f.get("swapped_pages")),
                            Boolean.TRUE.equals(f.get("largest"))));
                }
                mounts.add(new Mount(string(m.get("mount_point")), Integer.parseInt(dev[0]), Integer.parseInt(dev[1]),
                        number(m.get("file_count")), number(m.get("allocated")),
                        m.get("stopped") == null ? null : string(m.get("stopped")), List.copyOf(files)));
            }
            long ps = number(j.get("page_size"));
            if (ps <= 0) throw new IllegalArgumentException("page_size " + ps);
            return new TmpfsFiles(string(j.get("method")), ps, List.copyOf(mounts), null);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(SNAPSHOT_FILE + ": not what snap writes (" + e.getMessage() + ")");
        }
    }

    private static List<?> list(Object o) {
        if (o instanceof List<?> l) return l;
        throw new IllegalArgumentException("a list expected, not " + o);
    }

    private static Map<?, ?> map(Object o) {
        if (o instanceof Map<?, ?> m) return m;
        throw new IllegalArgumentException("an object expected, not " + o);
    }

    private static String string(Object o) {
        if (o instanceof String s) return s;
        throw new IllegalArgumentException("a string expected, not " + o);
    }

    private static long number(Object o) {
        if (o instanceof Long l && l >= 0) return l;
        throw new IllegalArgumentException("a count expected, not " + o);
    }

    private static long orMinus(Object o) {
        return o == null ? -1 : number(o);
    }
}
