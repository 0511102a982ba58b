//DEPS net.java.dev.jna:jna:5.15.0
/**
 * The kernel files, one record per file and named as the kernel names it (Maps for /proc/PID/maps,
 * Status, Stat, Meminfo, Iomem, Cmdline, Environ, Cgroup for /proc/PID/cgroup, SysvShm for /proc/sysvipc/shm, Tmpfs for the tmpfs
 * lines of mountinfo, Passwd for /etc/passwd), and ProcFs, the one place where a live /proc and a
 * snapshot differ: it answers page size, user names, tmpfs mounts and the per-process files itself,
 * and which parts of a pagemap may hold present or swapped pages (PositionalFile.presentParts: a live
 * one asks the kernel, PagemapScan's PAGEMAP_SCAN ioctl, or on older kernels smaps, SmapsParts; it
 * lives here, not in lib.pages, because it is how live and snapshot differ, and lib.proc may not
 * call up). TmpfsFiles walks the tmpfs mounts (no link followed, no FIFO or device opened) for their
 * largest files and those processes map, PageCache reads what of each is in RAM and in swap (cachestat, or
 * mincore on a read-only mapping never touched); a snapshot answers from what snap recorded of them.
 * Libc holds the few system calls we make through JNA; TrustedPath decides which program root may run
 * (one nobody else could have chosen: Sqlplus' setpriv and sqlplus, snap's getconf).
 * <p>May use: lib.text. Knows nothing of pages, groups or snapshot archives.
 */
package lib.proc;
