package lib;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** /proc/PID/cmdline: NUL-separated arguments (empty for kernel threads and zombies). */
public final class Cmdline {
    private Cmdline() {
    }

    public static List<String> parse(byte[] raw) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start || i < raw.length) args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        // a trailing NUL gives no extra empty argument
        if (!args.isEmpty() && raw.length > 0 && raw[raw.length - 1] == 0 && args.get(args.size() - 1).isEmpty()) {
            args.remove(args.size() - 1);
        }
        return args;
    }

    /** Arguments joined by spaces, as ps shows them. */
    public static String display(List<String> args) {
        return String.join(" ", args);
    }
}
