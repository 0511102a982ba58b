package lib.proc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** /proc/PID/environ: NUL-separated KEY=VALUE strings, as the process was started. */
public final class Environ {
    private Environ() {
    }

    /**
     * Variables kept per process: any user can start a process with an environment of millions of tiny
     * variables, each an entry of root's heap (a hundred bytes per few input bytes), kept for the whole run.
     */
    public static final int MAX_VARIABLES = 4096;

    /** The variables, the first of a name winning (as getenv finds it), at most MAX_VARIABLES of them. */
    public static Map<String, String> parse(byte[] raw) {
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= raw.length && env.size() < MAX_VARIABLES; i++) {
            if (i == raw.length || raw[i] == 0) {
                // cut at the first '=' byte, then decoded: UTF-8 never uses 0x3D inside a multi-byte sequence, and a
                // malformed one before it decodes the same cut or whole (ParsersTest compares with the whole decode)
                int eq = start;
                while (eq < i && raw[eq] != '=') eq++;
                if (eq > start && eq < i) {
                    env.putIfAbsent(new String(raw, start, eq - start, StandardCharsets.UTF_8),
                            new String(raw, eq + 1, i - eq - 1, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return env;
    }

    /**
     * The same environ with only the named variables' values: every other KEY=VALUE becomes KEY=
     * (names stay, so a snapshot still splits by them), and a string that is not KEY=VALUE (a
     * process may write anything over its environment) is dropped.
     */
    public static byte[] keepValues(byte[] raw, Set<String> keep) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i < raw.length && raw[i] != 0) continue;
            int eq = start;
            while (eq < i && raw[eq] != '=') eq++;
            if (eq > start && eq < i) {
                String name = new String(raw, start, eq - start, StandardCharsets.UTF_8);
                out.write(raw, start, (keep.contains(name) ? i : eq + 1) - start);
                out.write(0);
            }
            start = i + 1;
        }
        return out.toByteArray();
    }
}
