package lib.proc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** The few libc calls the tools make (JNA): SysV shm, mincore, madvise, ids. Errors raise LastErrorException (errno). */
public interface Libc extends Library {
    Libc INSTANCE = Jna.libc(Libc.class);

    int IPC_PRIVATE = 0;
    int IPC_CREAT = 01000;
    int IPC_RMID = 0;
    int IPC_STAT = 2;
    int SHM_RDONLY = 010000;
    int SHM_HUGETLB = 04000;
    int MADV_DONTNEED = 4;
    int MADV_HUGEPAGE = 14;
    int MADV_PAGEOUT = 21;
    /** shmat's failure value. */
    long MAP_FAILED = -1L;

    int shmget(int key, long size, int shmflg) throws LastErrorException;

    Pointer shmat(int shmid, Pointer shmaddr, int shmflg) throws LastErrorException;

    int shmdt(Pointer shmaddr) throws LastErrorException;

    int shmctl(int shmid, int cmd, Pointer buf) throws LastErrorException;

    /** vec gets one byte per page of [addr, addr+length); bit 0 set when the page is resident. */
    int mincore(Pointer addr, long length, byte[] vec) throws LastErrorException;

    int madvise(Pointer addr, long length, int advice) throws LastErrorException;

    int getpagesize();

    int geteuid();

    int getpid();

    /** Sends sig to pid, or to the process group -pid (a timed-out child and everything it started). */
    int kill(int pid, int sig) throws LastErrorException;

    /** strerror of an errno, for one-line messages. */
    String strerror(int errnum);

    /** "EACCES (Permission denied)" style text for a failed call. */
    static String describe(LastErrorException e) {
        return errnoName(e.getErrorCode()) + " (" + INSTANCE.strerror(e.getErrorCode()) + ")";
    }

    /** The symbolic name of the errno values these calls return (Linux numbers), "errno N" for others. */
    static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 28 -> "ENOSPC";
            case 38 -> "ENOSYS";
            case 43 -> "EIDRM";
            default -> "errno " + errno;
        };
    }
}
