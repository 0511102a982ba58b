package lib.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** /etc/passwd and /etc/group: id to name. */
public final class Passwd {
    private Passwd() {
    }

    /** name:x:id:... lines to id -> name (the first name for an id wins). */
    public static Map<Integer, String> parse(String text) {
        Map<Integer, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length < 3 || line.startsWith("#")) continue;
            try {
                m.putIfAbsent(Integer.parseInt(f[2]), f[0]);
            } catch (NumberFormatException ignored) {
                // a NIS "+" line or similar: no id
            }
        }
        return m;
    }

    /** The local users; empty when /etc/passwd cannot be read. */
    public static Map<Integer, String> users() {
        return read(Path.of("/etc/passwd"));
    }

    public static Map<Integer, String> groups() {
        return read(Path.of("/etc/group"));
    }

    private static Map<Integer, String> read(Path p) {
        try {
            return parse(Files.readString(p));
        } catch (IOException e) {
            return Map.of();
        }
    }
}
