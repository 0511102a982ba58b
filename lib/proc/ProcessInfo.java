package lib.proc;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;

/**
 * What the tools know of one process before reading its pages: read once, shared by every filter and splitter.
 * cgroup: null when unknown (a snapshot made without it); exe: the program's path, null when unreadable.
 */
public record ProcessInfo(int pid, int ppid, int uid, String comm, List<String> cmdline, Map<String, String> environ,
                          boolean kernelThread, Cgroup cgroup, String exe) {

    public ProcessInfo(int pid, int ppid, int uid, String comm, List<String> cmdline, Map<String, String> environ,
                       boolean kernelThread) {
        this(pid, ppid, uid, comm, cmdline, environ, kernelThread, null, null);
    }

    /** Thrown when the process is gone (or became unreadable) while we read it. */
    public static final class VanishedException extends IOException {
        public VanishedException(int pid, Throwable cause) {
            super("process " + pid + " vanished", cause);
        }
    }

    /**
     * Reads status, stat, cmdline, environ, cgroup and the exe link. uid is the effective uid (what ps shows
     * as USER). environ is empty when unreadable (another user's process when not root).
     */
    public static ProcessInfo read(ProcFs proc, int pid) throws IOException {
        try {
            Status status = Status.parse(proc.readString(pid, "status"));
            boolean kthread;
            Boolean k = status.kthread();
            List<String> cmdline = Cmdline.parse(proc.read(pid, "cmdline"));
            if (k != null) {
                kthread = k;
            } else if (proc.exists(pid, "stat")) {
                kthread = Stat.parse(proc.readString(pid, "stat")).isKernelThread();
            } else {
                kthread = cmdline.isEmpty() && status.fields().get("VmSize") == null;
            }
            Map<String, String> env;
            try {
                env = Environ.parse(proc.read(pid, "environ"));
            } catch (NoSuchFileException e) {
                // a snapshot has no environ for kernel threads (ESRCH when captured): only a vanished dir means gone
                if (!proc.exists(pid)) throw e;
                env = Map.of();
            } catch (IOException e) {
                env = Map.of();
            }
            if (kthread) return new ProcessInfo(pid, status.ppid(), status.effectiveUid(), status.name(), cmdline, env, true);
            return new ProcessInfo(pid, status.ppid(), status.effectiveUid(), status.name(), cmdline, env, false,
                    cgroup(proc, pid), exe(proc, pid));
        } catch (NoSuchFileException e) {
            throw new VanishedException(pid, e);
        } catch (IOException e) {
            if (!proc.exists(pid)) throw new VanishedException(pid, e);
            throw e;
        }
    }

    /** /proc/PID/cgroup, null when absent (a snapshot made before snap kept it) or unreadable. */
    private static Cgroup cgroup(ProcFs proc, int pid) {
        try {
            return Cgroup.parse(proc.readString(pid, "cgroup"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The exe link's target ("PATH (deleted)" when the program was replaced), null when unreadable. */
    private static String exe(ProcFs proc, int pid) {
        try {
            return proc.readLink(pid, "exe");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
