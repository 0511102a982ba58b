package lib.proc;

import java.util.ArrayList;
import java.util.List;

/**
 * /proc/PID/cgroup: one line per hierarchy, "ID:CONTROLLERS:PATH" (cgroups(7)). v1 hierarchies
 * list their controllers ("4:memory:/a", "3:cpu,cpuacct:/b", "1:name=systemd:/c"); the v2
 * hierarchy is "0::/path". A path outside the reader's cgroup namespace starts with "/..".
 */
public record Cgroup(List<Line> lines) {

    public record Line(int id, List<String> controllers, String path) {
    }

    /** Which path a splitter or filter uses. */
    public enum Hierarchy {
        /** the memory controller's: v1 memory when it is mounted as v1 (RHEL 7/8, hybrid hosts), else v2 */
        AUTO,
        /** the v1 memory controller's hierarchy */
        V1,
        /** the unified hierarchy */
        V2
    }

    public static Cgroup parse(String text) {
        List<Line> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            int a = l.indexOf(':');
            int b = a < 0 ? -1 : l.indexOf(':', a + 1);
            // the path is everything after the second colon: it may hold colons itself
            if (b < 0) continue;
            int id;
            try {
                id = Integer.parseInt(l.substring(0, a));
            } catch (NumberFormatException e) {
                continue;
            }
            String c = l.substring(a + 1, b);
            out.add(new Line(id, c.isEmpty() ? List.of() : List.of(c.split(",")), l.substring(b + 1)));
        }
        return new Cgroup(List.copyOf(out));
    }

    /** The v2 path ("0::" line), or null when the process shows none. */
    public String v2Path() {
        for (Line l : lines) if (l.id() == 0 && l.controllers().isEmpty()) return l.path();
        return null;
    }

    /** The path in the v1 hierarchy the memory controller is mounted on, or null. */
    public String v1MemoryPath() {
        for (Line l : lines) if (l.id() != 0 && l.controllers().contains("memory")) return l.path();
        return null;
    }

    /** The path in that hierarchy, or null when the process has none there. */
    public String path(Hierarchy h) {
        return switch (h) {
            case V1 -> v1MemoryPath();
            case V2 -> v2Path();
            case AUTO -> v1MemoryPath() != null ? v1MemoryPath() : v2Path();
        };
    }

    /** True when path is prefix or a cgroup below it (whole path components: /a does not cover /ab). */
    public static boolean isUnder(String path, String prefix) {
        if (path == null) return false;
        String p = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (p.equals("/")) return path.startsWith("/");
        return path.equals(p) || path.startsWith(p + "/");
    }

    /**
     * The name a group shows: a systemd unit by its name (the deepest component that is a .service
     * or .scope, the units that hold processes), under a user manager as "user@UID.service/UNIT" so
     * two users' units of one name stay apart; any other path as it is.
     */
    public static String displayName(String path) {
        String[] c = path.split("/");
        int unit = -1;
        for (int i = c.length - 1; i >= 0 && unit < 0; i--) {
            if (c[i].endsWith(".service") || c[i].endsWith(".scope")) unit = i;
        }
        if (unit < 0) return path;
        for (int i = unit - 1; i >= 0; i--) {
            if (c[i].matches("user@[0-9]+\\.service")) return c[i] + "/" + c[unit];
        }
        return c[unit];
    }
}
