package lib.groups;

import lib.proc.ProcessInfo;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;

import java.util.Collection;
import java.util.Map;

/** Parent links of the processes read, for descendants(PID); the user names of their /proc, for user(NAME). */
public final class ProcessTree {
    private final Int2IntOpenHashMap parent = new Int2IntOpenHashMap();
    private final Map<Integer, String> users;

    public ProcessTree(Collection<ProcessInfo> processes) {
        this(processes, Map.of());
    }

    public ProcessTree(Collection<ProcessInfo> processes, Map<Integer, String> users) {
        parent.defaultReturnValue(-1);
        for (ProcessInfo p : processes) parent.put(p.pid(), p.ppid());
        this.users = users;
    }

    /** The user's name, or the uid as a number when the passwd of that /proc does not name it (as -u shows it). */
    public String userName(int uid) {
        String n = users.get(uid);
        return n != null ? n : Integer.toString(uid);
    }

    /** True when pid is ancestor itself or one of its descendants. */
    public boolean isDescendant(int pid, int ancestor) {
        int p = pid;
        for (int depth = 0; p > 0 && depth < 100_000; depth++) {
            if (p == ancestor) return true;
            p = parent.get(p);
        }
        return false;
    }
}
