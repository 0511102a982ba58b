//DEPS net.java.dev.jna:jna:5.15.0
/**
 * The kernel files, one record per file and named as the kernel names it (Maps for /proc/PID/maps,
 * Status, Stat, Meminfo, Iomem, Cmdline, Environ, Cgroup for /proc/PID/cgroup, SysvShm for /proc/sysvipc/shm, Tmpfs for the tmpfs
 * lines of mountinfo, Passwd for /etc/passwd), and ProcFs, the one place where a live /proc and a
 * snapshot differ: it answers page size, user names, tmpfs mounts and the per-process files itself.
 * Libc holds the few system calls we make through JNA.
 * <p>May use: lib.text. Knows nothing of pages, groups or snapshot archives.
 */
package lib.proc;
