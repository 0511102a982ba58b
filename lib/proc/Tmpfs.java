package lib.proc;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * tmpfs mounts: options from /proc/PID/mountinfo (noswap, huge=), sizes from statvfs of the mount
 * point (what df shows). A snapshot holds no statvfs: its metadata.json "tmpfs" list is used when present.
 */
public final class Tmpfs {
    private Tmpfs() {
    }

    /** One tmpfs mount; fsSizeBytes / fsUsedBytes are -1 when unknown. huge is the huge= option ("never" when absent). */
    public record Mount(String mountPoint, boolean noswap, String huge, long fsSizeBytes, long fsUsedBytes) {

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mount_point", mountPoint);
            m.put("noswap", noswap);
            m.put("huge", huge);
            m.put("fs_size", fsSizeBytes < 0 ? null : fsSizeBytes);
            m.put("fs_used", fsUsedBytes < 0 ? null : fsUsedBytes);
            return m;
        }

        public static Mount fromJson(Map<?, ?> m) {
            return new Mount(String.valueOf(m.get("mount_point")), Boolean.TRUE.equals(m.get("noswap")),
                    m.get("huge") == null ? "never" : m.get("huge").toString(), number(m.get("fs_size")),
                    number(m.get("fs_used")));
        }

        private static long number(Object o) {
            return o instanceof Number n ? n.longValue() : -1;
        }
    }

    /**
     * The tmpfs mounts of a mountinfo text, sizes unknown. A mount point mounted over several times
     * is listed once, as its last (visible) mount.
     */
    public static List<Mount> parseMountinfo(String text) {
        Map<String, Mount> byPoint = new LinkedHashMap<>();
        for (String[][] lr : tmpfsLines(text)) {
            String[] left = lr[0], right = lr[1];
            String point = unescape(left[4]);
            boolean noswap = false;
            String huge = "never";
            for (String opt : right[2].split(",")) {
                if (opt.equals("noswap")) noswap = true;
                else if (opt.startsWith("huge=")) huge = opt.substring(5);
            }
            byPoint.remove(point);
            byPoint.put(point, new Mount(point, noswap, huge, -1, -1));
        }
        return new ArrayList<>(byPoint.values());
    }

    /** A tmpfs as a device: major:minor (as /proc/PID/maps shows it, in hex), one mount point that shows it, and the folder of the tmpfs mounted there. */
    public record Device(int major, int minor, String mountPoint, String root) {
    }

    /**
     * Each tmpfs of a mountinfo text once, at a mount of its whole tree (root "/") when there is one, else
     * at its first mount; a bind mount of a folder of it is not walked twice.
     */
    public static List<Device> devices(String text) {
        Map<String, Device> byDev = new LinkedHashMap<>();
        for (String[][] lr : tmpfsLines(text)) {
            String[] left = lr[0];
            String[] mm = left[2].split(":");
            if (mm.length != 2) continue;
            Device d;
            try {
                d = new Device(Integer.parseInt(mm[0]), Integer.parseInt(mm[1]), unescape(left[4]), unescape(left[3]));
            } catch (NumberFormatException e) {
                continue;
            }
            Device had = byDev.get(left[2]);
            if (had == null || (!had.root().equals("/") && d.root().equals("/"))) byDev.put(left[2], d);
        }
        return new ArrayList<>(byDev.values());
    }

    /**
     * The tmpfs lines of a mountinfo text, each split at " - " into its fields before (id parent major:minor
     * root mount_point options [optional fields...]) and after (fstype source super_options).
     */
    private static List<String[][]> tmpfsLines(String text) {
        List<String[][]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            int sep = line.indexOf(" - ");
            if (sep < 0) continue;
            String[] left = line.substring(0, sep).split(" ");
            String[] right = line.substring(sep + 3).split(" ");
            if (left.length >= 5 && right.length >= 3 && right[0].equals("tmpfs")) out.add(new String[][]{left, right});
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        }
        return true;
    }

    /** The same mount with fs_size / fs_used from statvfs of its mount point (left unknown when that fails). */
    public static Mount measure(Mount m) {
        try {
            FileStore fs = Files.getFileStore(Path.of(m.mountPoint()));
            long total = fs.getTotalSpace();
            return new Mount(m.mountPoint(), m.noswap(), m.huge(), total, total - fs.getUnallocatedSpace());
        } catch (IOException | RuntimeException e) {
            return m;
        }
    }
}
