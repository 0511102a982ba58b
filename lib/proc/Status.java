package lib.proc;

import java.util.LinkedHashMap;
import java.util.Map;

/** /proc/PID/status: "Name:\tvalue" lines, with typed accessors for the fields the tools use. */
public record Status(Map<String, String> fields) {

    public static Status parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) m.put(line.substring(0, colon), line.substring(colon + 1).trim());
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
