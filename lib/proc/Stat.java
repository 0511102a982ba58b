package lib.proc;

/** /proc/PID/stat, the fields the tools use. comm may hold spaces and parentheses: it ends at the last ')'. */
public record Stat(int pid, String comm, char state, int ppid, long flags, long startTime, long vsizeBytes, long rssPages) {
    /** PF_KTHREAD from include/linux/sched.h. */
    public static final long PF_KTHREAD = 0x00200000L;

    public static Stat parse(String text) {
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open < 0 || close < open) throw new IllegalArgumentException("malformed stat: " + text);
        int pid = Integer.parseInt(text.substring(0, open).trim());
        String comm = text.substring(open + 1, close);
        String[] f = text.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); field N is f[N-3]
        return new Stat(pid, comm, f[0].charAt(0), Integer.parseInt(f[1]), Long.parseUnsignedLong(f[6]),
                Long.parseLong(f[19]), Long.parseUnsignedLong(f[20]), Long.parseLong(f[21]));
    }

    public boolean isKernelThread() {
        return (flags & PF_KTHREAD) != 0;
    }
}
