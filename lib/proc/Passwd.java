package lib.proc;

import lib.text.Json;
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

    /**
     * User names for the processes of a /proc tree: the local ones for the live /proc, those saved
     * in a snapshot's metadata.json ("users": {"uid": "name"}) otherwise, none when it has none.
     */
    public static Map<Integer, String> usersOf(ProcFs proc) throws IOException {
        if (proc.isLive()) return users();
        return idMap(proc.metadataJson(), "users");
    }

    private static Map<Integer, String> idMap(String metadataJson, String key) {
        Map<Integer, String> m = new HashMap<>();
        if (metadataJson != null && Json.parse(metadataJson) instanceof Map<?, ?> meta && meta.get(key) instanceof Map<?, ?> ids) {
            for (Map.Entry<?, ?> e : ids.entrySet()) {
                try {
                    m.put(Integer.parseInt(e.getKey().toString()), String.valueOf(e.getValue()));
                } catch (NumberFormatException ignored) {
                    // not an id
                }
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
