package lib.proc;

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
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        // the kernel ends the list with a NUL; text after the last one is an argument a process rewrote
        if (start < raw.length) args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        return args;
    }
}
