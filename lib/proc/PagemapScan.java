package lib.proc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The PAGEMAP_SCAN ioctl on /proc/PID/pagemap (Linux 6.7+, fs/proc/task_mmu.c): the kernel walks the
 * page tables of a range and returns the runs of pages in the asked categories (present, swapped),
 * skipping unpopulated page tables whole. A 64 TiB reservation with 200 MiB resident then costs what
 * the 200 MiB cost, where reading its pagemap costs 16 G entries. The entries themselves (PFNs, swap
 * slots) still come from reading the pagemap, through the same descriptor: one open, one process.
 * LiveProcFs opens pagemaps as a PagemapScan.File when the kernel has the ioctl; its presentParts is
 * how the pagemap walker skips what is not there.
 */
public final class PagemapScan {
    /** page_region.categories bits (include/uapi/linux/fs.h). */
    public static final long PAGE_IS_FILE = 1L << 2;
    public static final long PAGE_IS_PRESENT = 1L << 3;
    public static final long PAGE_IS_SWAPPED = 1L << 4;
    public static final long PAGE_IS_PFNZERO = 1L << 5;
    public static final long PAGE_IS_HUGE = 1L << 6;

    /** struct pm_scan_arg: twelve u64 (size, flags, start, end, walk_end, vec, vec_len, max_pages, four masks). */
    static final int ARG_SIZE = 96;
    /** struct page_region: start, end, categories. */
    static final int REGION_SIZE = 24;
    /** _IOWR('f', 16, struct pm_scan_arg) */
    static final long PAGEMAP_SCAN = (3L << 30) | ((long) ARG_SIZE << 16) | ('f' << 8) | 16;

    private static final int O_RDONLY = 0, O_CLOEXEC = 02000000;
    private static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EACCES = 13;

    /** Set to "off" (system property linux-mem.pagemap-scan, or environment LINUX_MEM_PAGEMAP_SCAN) to take the older kernels' path. */
    public static final String SWITCH_PROPERTY = "linux-mem.pagemap-scan", SWITCH_ENV = "LINUX_MEM_PAGEMAP_SCAN";

    private PagemapScan() {
    }

    /** libc through JNA's direct mapping: a call costs about as much as a plain JNI call. */
    static final class C {
        static {
            Native.register(Jna.libc());
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

        static native long pread(int fd, Pointer buf, long count, long offset) throws LastErrorException;
    }

    private static final class Probe {
        static final boolean SUPPORTED = probe();
    }

    /**
     * True when this kernel answers PAGEMAP_SCAN (asked once, on our own pagemap, for an empty range)
     * and it is not switched off. Older kernels answer ENOTTY (no ioctl on pagemap), a future struct
     * layout EINVAL.
     */
    public static boolean supported() {
        return !switchedOff() && Probe.SUPPORTED;
    }

    static boolean switchedOff() {
        String v = System.getProperty(SWITCH_PROPERTY, System.getenv(SWITCH_ENV));
        return v != null && (v.equalsIgnoreCase("off") || v.equals("0") || v.equalsIgnoreCase("false"));
    }

    private static boolean probe() {
        try (File fd = File.open(Path.of("/proc/self/pagemap"), 4096); Scanner s = new Scanner(1)) {
            s.once(fd, 0, 0, PAGE_IS_PRESENT, PAGE_IS_PRESENT);
            return true;
        } catch (IOException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * A live pagemap opened the best way this kernel allows: with PAGEMAP_SCAN where it has it, else with
     * smaps telling which mappings can be skipped (SmapsParts). Either way presentParts says where to read.
     */
    public static ProcFs.PositionalFile openLive(Path pagemap, long pageSize) throws IOException {
        return supported() ? File.open(pagemap, pageSize) : new SmapsParts(pagemap, pageSize);
    }

    /** Two parts of one range closer than this many pages are read as one: a read costs more than a few hundred entries. */
    static final long MERGE_GAP_PAGES = 256;
    /** A smaller range is given whole: reading it costs about what asking the kernel for its parts does. */
    static final long SCAN_MIN_PAGES = 512;

    private static final ThreadLocal<Scanner> SCANNERS = ThreadLocal.withInitial(() -> new Scanner(512));

    /** A live pagemap opened for both the ioctl and positional reads: the kernel says where to read. */
    public static final class File implements ProcFs.PositionalFile {
        private int fd;
        private final String path;
        private final long pageSize;

        private File(int fd, String path, long pageSize) {
            this.fd = fd;
            this.path = path;
            this.pageSize = pageSize;
        }

        public static File open(Path path, long pageSize) throws IOException {
            try {
                return new File(C.open(path.toString(), O_RDONLY | O_CLOEXEC), path.toString(), pageSize);
            } catch (LastErrorException e) {
                throw error(path.toString(), e);
            }
        }

        /** Reads up to dst.remaining() bytes at pos into a direct buffer; returns bytes read, -1 at end of file. */
        @Override
        public int read(ByteBuffer dst, long pos) throws IOException {
            if (!dst.isDirect()) throw new IllegalArgumentException("a direct buffer is needed");
            if (!dst.hasRemaining()) return 0;
            try {
                long n = C.pread(fd, Native.getDirectBufferPointer(dst).share(dst.position()), dst.remaining(), pos);
                if (n <= 0) return -1;
                dst.position(dst.position() + (int) n);
                return (int) n;
            } catch (LastErrorException e) {
                throw error(path, e);
            }
        }

        /**
         * The runs of present or swapped pages in [from, to) (pagemap byte offsets), cut to that range,
         * two runs less than MERGE_GAP_PAGES apart given as one; a range under SCAN_MIN_PAGES whole.
         */
        @Override
        public void presentParts(long from, long to, ProcFs.Part part) throws IOException {
            if ((to - from) / 8 < SCAN_MIN_PAGES) {
                if (from < to) part.range(from, to);
                return;
            }
            long start = from / 8 * pageSize, end = to / 8 * pageSize, gap = MERGE_GAP_PAGES * pageSize;
            long both = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
            long[] pending = {-1, -1};
            SCANNERS.get().scan(this, start, end, both, both, (rs, re, categories) -> {
                long s = Math.max(rs, start), e = Math.min(re, end);
                if (s >= e) return;
                if (pending[0] >= 0 && s - pending[1] < gap) {
                    pending[1] = e;
                    return;
                }
                if (pending[0] >= 0) part.range(pending[0] / pageSize * 8, pending[1] / pageSize * 8);
                pending[0] = s;
                pending[1] = e;
            });
            if (pending[0] >= 0) part.range(pending[0] / pageSize * 8, pending[1] / pageSize * 8);
        }

        int fd() {
            return fd;
        }

        String path() {
            return path;
        }

        @Override
        public void close() {
            if (fd >= 0) {
                try {
                    C.close(fd);
                } catch (LastErrorException ignored) {
                    // the descriptor is released whatever close says (Linux)
                }
                fd = -1;
            }
        }
    }

    /** ENOENT / ESRCH (the process is gone) and EACCES / EPERM as the java.nio exceptions the readers already handle. */
    static IOException error(String path, LastErrorException e) {
        return switch (e.getErrorCode()) {
            case ENOENT, ESRCH -> new NoSuchFileException(path, null, "process gone (errno " + e.getErrorCode() + ")");
            case EACCES, EPERM -> new AccessDeniedException(path, null, "errno " + e.getErrorCode());
            default -> new IOException(path + ": errno " + e.getErrorCode(), e);
        };
    }

    /** Called for each run of pages [start, end) whose categories (as masked by returnMask) are the same. */
    @FunctionalInterface
    public interface RegionVisitor {
        void region(long start, long end, long categories) throws IOException;
    }

    /**
     * Native argument and region buffers, reused from call to call: one per thread. The regions of the
     * last call are in start(i), end(i), categories(i) for i below count().
     */
    public static final class Scanner implements AutoCloseable {
        private final int capacity;
        private final Memory arg = new Memory(ARG_SIZE);
        private final Memory vec;
        private final long[] raw;
        private int count;

        public Scanner(int capacity) {
            if (capacity < 1) throw new IllegalArgumentException("capacity " + capacity);
            this.capacity = capacity;
            this.vec = new Memory((long) capacity * REGION_SIZE);
            this.raw = new long[capacity * 3];
        }

        public int capacity() {
            return capacity;
        }

        public int count() {
            return count;
        }

        public long start(int i) {
            return raw[3 * i];
        }

        public long end(int i) {
            return raw[3 * i + 1];
        }

        public long categories(int i) {
            return raw[3 * i + 2];
        }

        /**
         * One ioctl over [start, end) (page-aligned): the runs of pages having any of anyOf, categories
         * reported as masked by returnMask, at most capacity() of them. Returns where the kernel's walk
         * stopped: end when it covered the range, less when the region buffer filled first.
         */
        public long once(File fd, long start, long end, long anyOf, long returnMask) throws IOException {
            arg.setLong(0, ARG_SIZE);          // size
            arg.setLong(8, 0);                 // flags: report only, never write-protect
            arg.setLong(16, start);
            arg.setLong(24, end);
            arg.setLong(32, 0);                // walk_end, written by the kernel
            arg.setLong(40, Pointer.nativeValue(vec));
            arg.setLong(48, capacity);         // vec_len
            arg.setLong(56, 0);                // max_pages: no limit
            arg.setLong(64, 0);                // category_inverted
            arg.setLong(72, 0);                // category_mask
            arg.setLong(80, anyOf);            // category_anyof_mask
            arg.setLong(88, returnMask);
            int n;
            try {
                n = C.ioctl(fd.fd(), PAGEMAP_SCAN, arg);
            } catch (LastErrorException e) {
                count = 0;
                throw error(fd.path(), e);
            }
            if (n < 0 || n > capacity) throw new IOException(fd.path() + ": PAGEMAP_SCAN returned " + n + " regions");
            count = n;
            vec.read(0, raw, 0, 3 * n);
            return arg.getLong(32);
        }

        /**
         * Every run of [start, end) having any of anyOf, in address order, calling the ioctl again from
         * where the kernel stopped each time the region buffer filled. A run cut by a full buffer comes
         * as two adjacent regions.
         */
        public void scan(File fd, long start, long end, long anyOf, long returnMask, RegionVisitor visitor) throws IOException {
            long from = start;
            while (from < end) {
                long walkEnd = once(fd, from, end, anyOf, returnMask);
                for (int i = 0; i < count; i++) visitor.region(start(i), end(i), categories(i));
                // walk_end never goes back; one that does not move means the kernel had nothing more to say
                if (walkEnd <= from) {
                    if (count == 0) break;
                    walkEnd = end(count - 1);
                    if (walkEnd <= from) break;
                }
                from = walkEnd;
            }
        }

        @Override
        public void close() {
            arg.close();
            vec.close();
        }
    }

}
