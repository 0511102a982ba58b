package lib;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** /proc/PID/environ: NUL-separated KEY=VALUE strings, as the process was started. */
public final class Environ {
    private Environ() {
    }

    public static Map<String, String> parse(byte[] raw) {
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start) {
                    String kv = new String(raw, start, i - start, StandardCharsets.UTF_8);
                    int eq = kv.indexOf('=');
                    if (eq > 0) env.putIfAbsent(kv.substring(0, eq), kv.substring(eq + 1));
                }
                start = i + 1;
            }
        }
        return env;
    }
}
