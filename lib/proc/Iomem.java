package lib.proc;

import java.util.ArrayList;
import java.util.List;

/** /proc/iomem: physical address ranges; the top-level "System RAM" ones are RAM. */
public final class Iomem {
    private Iomem() {
    }

    /** One line: [start, end] inclusive as the kernel prints it, its nesting depth and its name. */
    public record Range(long start, long end, int depth, String name) {
        public long sizeBytes() {
            return end - start + 1;
        }

        public long firstPfn(long pageSize) {
            return Long.divideUnsigned(start + pageSize - 1, pageSize);
        }

        /** One past the last whole frame. */
        public long endPfn(long pageSize) {
            return Long.divideUnsigned(end + 1, pageSize);
        }
    }

    public static List<Range> parse(String text) {
        List<Range> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            int depth = 0;
            while (depth < line.length() && line.charAt(depth) == ' ') depth++;
            int dash = line.indexOf('-', depth);
            int colon = line.indexOf(" : ", dash);
            if (dash < 0 || colon < 0) continue;
            long start = Long.parseUnsignedLong(line.substring(depth, dash), 16);
            long end = Long.parseUnsignedLong(line.substring(dash + 1, colon).trim(), 16);
            out.add(new Range(start, end, depth / 2, line.substring(colon + 3)));
        }
        return out;
    }

    /** Top-level System RAM ranges, ascending. All zero when read as non-root. */
    public static List<Range> systemRam(List<Range> ranges) {
        List<Range> out = new ArrayList<>();
        for (Range r : ranges) {
            if (r.depth() == 0 && r.name().equals("System RAM")) out.add(r);
        }
        return out;
    }
}
