package lib.proc;

import java.util.LinkedHashMap;
import java.util.Map;

/** /proc/PID/status: "Name:\tvalue" lines, with typed accessors for the fields the tools use. */
public record Status(Map<String, String> fields) {

    public static Status parse(String text) {
        // sized for the ~60 lines of a 6.x kernel's status, so the map is not rehashed as it fills
        Map<String, String> m = new LinkedHashMap<>(128);
        int n = text.length();
        for (int start = 0; start < n; ) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = n;
            int colon = start;
            while (colon < end && text.charAt(colon) != ':') colon++;
            if (colon > start && colon < end) {
                // the value trimmed as String.trim does (every char up to ' ')
                int from = colon + 1, to = end;
                while (from < to && text.charAt(from) <= ' ') from++;
                while (to > from && text.charAt(to - 1) <= ' ') to--;
                m.put(text.substring(start, colon), text.substring(from, to));
            }
            start = end + 1;
        }
        return new Status(m);
    }

    public String name() {
        return fields.getOrDefault("Name", "");
    }

    public int pid() {
        return Integer.parseInt(fields.get("Pid"));
    }

    public int ppid() {
        return Integer.parseInt(fields.getOrDefault("PPid", "0"));
    }

    /** Uid line: real, effective, saved set, filesystem. */
    public int[] uids() {
        return ints(fields.getOrDefault("Uid", "-1 -1 -1 -1"));
    }

    public int[] gids() {
        return ints(fields.getOrDefault("Gid", "-1 -1 -1 -1"));
    }

    public int realUid() {
        return uids()[0];
    }

    public int effectiveUid() {
        return uids()[1];
    }

    /** "Kthread: 1" on kernels that print it, else null. */
    public Boolean kthread() {
        String k = fields.get("Kthread");
        return k == null ? null : k.equals("1");
    }

    /** A "123 kB" field in bytes, -1 when absent. */
    public long kbField(String name) {
        String v = fields.get(name);
        if (v == null) return -1;
        String num = v.endsWith(" kB") ? v.substring(0, v.length() - 3).trim() : v;
        return Long.parseLong(num) * 1024;
    }

    private static int[] ints(String s) {
        String[] parts = s.trim().split("\\s+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = (int) Long.parseLong(parts[i]);
        return out;
    }
}
