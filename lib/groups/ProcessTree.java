package lib.groups;

import lib.proc.ProcessInfo;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;

import java.util.Collection;

/** Parent links of the processes read, for descendants(PID). */
public final class ProcessTree {
    private final Int2IntOpenHashMap parent = new Int2IntOpenHashMap();

    public ProcessTree(Collection<ProcessInfo> processes) {
        parent.defaultReturnValue(-1);
        for (ProcessInfo p : processes) parent.put(p.pid(), p.ppid());
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
