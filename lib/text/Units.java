package lib.text;

import java.util.Locale;

/** How sizes are shown: decimal megabytes with two decimals, "0 MB" for nothing (as the seeds). */
public final class Units {
    private Units() {
    }

    public static String mb(long bytes) {
        if (bytes == 0) return "0 MB";
        return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }

    /** A duration for log lines: 72.53ms, 1.46s. */
    public static String duration(long nanos) {
        if (nanos < 1_000_000_000L) return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }
}
