package lib.text;

import java.util.Locale;

/** How durations are shown in log lines (sizes: Bytes). */
public final class Units {
    private Units() {
    }

    /** A size as every tool shows it (binary units, Bytes.AUTO): for code not yet moved to Bytes. */
    public static String mb(long bytes) {
        return Bytes.AUTO.format(bytes);
    }

    /** A duration for log lines: 72.53ms, 1.46s. */
    public static String duration(long nanos) {
        if (nanos < 1_000_000_000L) return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }
}
