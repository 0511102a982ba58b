package lib.proc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.io.IOException;

/**
 * What of a tmpfs file is in RAM and what is in swap, read without faulting a page in or reading any data.
 * <p>
 * cachestat (Linux 6.5+, mm/filemap.c filemap_cachestat) walks the file's page cache: every folio is
 * nr_cache (also one fallocate left not uptodate), a value entry is nr_evicted, and in a shmem mapping
 * a value entry is a swap entry. Without it (older kernels, or switched off): the file's data ranges
 * (lseek SEEK_DATA / SEEK_HOLE: holes of a sparse file cost nothing) are mapped read-only and shared, a
 * window at a time, mincore says which pages are resident (mm/mincore.c mincore_page: uptodate folios,
 * and swapped pages still in the swap cache), the mapping is never touched and is unmapped at once. The
 * two then agree as follows: SEEK_DATA sees uptodate folios and swap entries as data
 * (folio_seek_hole_data), fallocated folios never written as holes, and st_blocks counts every page
 * allocated to the file, in RAM or in swap (shmem_inode_acct_blocks); so fallocated pages =
 * allocated - data, resident = mincore's + fallocated, swapped = data - mincore's. They differ only for
 * a page swapped out but still in the swap cache (mincore: resident; cachestat: swapped), for a moment.
 */
public final class PageCache {
    /** Set to "off" (system property linux-mem.cachestat, or environment LINUX_MEM_CACHESTAT) to take the older kernels' path. */
    public static final String SWITCH_PROPERTY = "linux-mem.cachestat", SWITCH_ENV = "LINUX_MEM_CACHESTAT";
    /** The mincore path maps at most this much of a file at a time (a vector of 16 KiB for 4 KiB pages). */
    static final long WINDOW_BYTES = 64L << 20;

    private PageCache() {
    }

    /** Pages of a file in RAM and in swap (base pages, as the kernel counts them). */
    public record State(long residentPages, long swappedPages) {
    }

    interface C extends Library {
        C LIBC = Jna.libc(C.class);

        long syscall(long number, int fd, Pointer range, Pointer stat, int flags) throws LastErrorException;

        long lseek(int fd, long offset, int whence) throws LastErrorException;

        Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

        int munmap(Pointer addr, long length) throws LastErrorException;

        int mincore(Pointer addr, long length, byte[] vec) throws LastErrorException;
    }

    /** __NR_cachestat: 451 in the generic table (x86_64, arm64, riscv...); unknown elsewhere (the mincore path). */
    private static final long NR_CACHESTAT = System.getProperty("os.arch").matches("amd64|x86_64|aarch64|riscv64") ? 451 : -1;
    private static final int SEEK_DATA = 3, SEEK_HOLE = 4;
    private static final int PROT_READ = 1, MAP_SHARED = 1;
    private static final int ENXIO = 6, EPERM = 1, ENOSYS = 38;

    private static final class Probe {
        static final boolean SUPPORTED = probe();
    }

    /** True when the kernel answers cachestat and it is not switched off. */
    public static boolean cachestatUsed() {
        return !switchedOff() && Probe.SUPPORTED;
    }

    /** "cachestat" or "mincore": how residency is read here. */
    public static String method() {
        return cachestatUsed() ? "cachestat" : "mincore";
    }

    static boolean switchedOff() {
        String v = System.getProperty(SWITCH_PROPERTY, System.getenv(SWITCH_ENV));
        return v != null && (v.equalsIgnoreCase("off") || v.equals("0") || v.equalsIgnoreCase("false"));
    }

    /** Asked once with an invalid descriptor: EBADF says the call exists, ENOSYS that it does not. */
    private static boolean probe() {
        if (NR_CACHESTAT < 0) return false;
        try (Memory range = new Memory(16); Memory stat = new Memory(40)) {
            range.clear();
            C.LIBC.syscall(NR_CACHESTAT, -1, range, stat, 0);
            return true;
        } catch (LastErrorException e) {
            return e.getErrorCode() != ENOSYS;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * The state of an open tmpfs file (a descriptor opened for reading): sizeBytes and allocatedPages
     * (st_blocks in pages) from its fstat. Null when the kernel will not tell us (cachestat and mincore
     * answer only to who could write the file: mm/mincore.c can_do_mincore).
     */
    public static State of(int fd, long sizeBytes, long allocatedPages, long pageSize, boolean mayWrite) throws IOException {
        if (!mayWrite) return null;
        return cachestatUsed() ? cachestat(fd) : mincore(fd, sizeBytes, allocatedPages, pageSize);
    }

    static State cachestat(int fd) throws IOException {
        try (Memory range = new Memory(16); Memory stat = new Memory(40)) {
            range.clear(); // off 0, len 0: to the end of the file
            stat.clear();
            C.LIBC.syscall(NR_CACHESTAT, fd, range, stat, 0);
            // struct cachestat: nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted
            return new State(stat.getLong(0), stat.getLong(24));
        } catch (LastErrorException e) {
            throw new IOException("cachestat: " + Libc.describe(e));
        }
    }

    static State mincore(int fd, long sizeBytes, long allocatedPages, long pageSize) throws IOException {
        long dataPages = 0, resident = 0;
        byte[] vec = new byte[(int) (WINDOW_BYTES / pageSize)];
        long pos = 0;
        while (pos < sizeBytes) {
            long data, hole;
            try {
                data = C.LIBC.lseek(fd, pos, SEEK_DATA);
                hole = C.LIBC.lseek(fd, data, SEEK_HOLE);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENXIO) break; // no data after pos
                throw new IOException("lseek: " + Libc.describe(e));
            }
            long from = data / pageSize * pageSize, to = Math.min(hole, sizeBytes);
            for (long w = from; w < to; w += WINDOW_BYTES) {
                long len = Math.min(WINDOW_BYTES, to - w);
                long pages = (len + pageSize - 1) / pageSize;
                dataPages += pages;
                resident += residentIn(fd, w, len, pages, vec);
            }
            if (to <= pos) break; // a kernel that does not move on
            pos = to;
        }
        long fallocated = Math.max(0, allocatedPages - dataPages);
        return new State(resident + fallocated, Math.max(0, dataPages - resident));
    }

    /** mincore over [offset, offset + len) of the file, mapped read-only and never touched. */
    private static long residentIn(int fd, long offset, long len, long pages, byte[] vec) throws IOException {
        Pointer p;
        try {
            p = C.LIBC.mmap(null, len, PROT_READ, MAP_SHARED, fd, offset);
        } catch (LastErrorException e) {
            throw new IOException("mmap: " + Libc.describe(e));
        }
        try {
            C.LIBC.mincore(p, len, vec);
        } catch (LastErrorException e) {
            throw new IOException("mincore: " + Libc.describe(e));
        } finally {
            C.LIBC.munmap(p, len);
        }
        long n = 0;
        for (int i = 0; i < pages; i++) n += vec[i] & 1;
        return n;
    }
}
