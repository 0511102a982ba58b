package lib.proc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** /proc/PID/cmdline: NUL-separated arguments (empty for kernel threads and zombies). */
public final class Cmdline {
    private Cmdline() {
    }

    /**
     * Arguments kept per process: any user can start a process of millions of one-byte arguments, each of
     * which would cost root a String (tens of bytes per input byte); what the tools ask of a cmdline is its
     * first few arguments.
     */
    public static final int MAX_ARGS = 4096;

    /** The arguments, at most MAX_ARGS of them (the rest is dropped). */
    public static List<String> parse(byte[] raw) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < raw.length && args.size() < MAX_ARGS; i++) {
            if (raw[i] == 0) {
                args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        // the kernel ends the list with a NUL; text after the last one is an argument a process rewrote
        if (start < raw.length && args.size() < MAX_ARGS) args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
        return args;
    }
}
