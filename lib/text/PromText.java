package lib.text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prometheus text exposition format 0.0.4, as node_exporter's textfile collector reads it: each
 * metric family once (HELP, TYPE, then all its samples together), no timestamps (the collector
 * refuses them), label values escaped. Families without samples are left out.
 */
public final class PromText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** One metric: its samples differ by label values only. */
    public static final class Family {
        private final String name, help, type;
        private final List<String> labels;
        private final List<String> samples = new ArrayList<>();
        private final Set<List<String>> seen = new HashSet<>();

        private Family(String name, String help, String type, List<String> labels) {
            this.name = name;
            this.help = help;
            this.type = type;
            this.labels = labels;
        }

        public Family add(long value, String... labelValues) {
            return sample(Long.toString(value), labelValues);
        }

        public Family add(double value, String... labelValues) {
            String v = Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf")
                    : value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
            return sample(v, labelValues);
        }

        private Family sample(String value, String[] labelValues) {
            if (labelValues.length != labels.size()) {
                throw new IllegalArgumentException(name + " has labels " + labels + ", given " + labelValues.length + " values");
            }
            // a repeated series makes node_exporter fail the whole file
            if (!seen.add(List.of(labelValues))) {
                throw new IllegalArgumentException(name + " already has a sample with labels " + List.of(labelValues));
            }
            StringBuilder sb = new StringBuilder(name);
            if (!labels.isEmpty()) {
                sb.append('{');
                for (int i = 0; i < labels.size(); i++) {
                    if (i > 0) sb.append(',');
                    sb.append(labels.get(i)).append("=\"");
                    escape(sb, labelValues[i], true);
                    sb.append('"');
                }
                sb.append('}');
            }
            samples.add(sb.append(' ').append(value).toString());
            return this;
        }
    }

    /** A gauge family; the name carries the unit in base units (_bytes, _seconds), labels in order. */
    public Family gauge(String name, String help, String... labels) {
        if (!METRIC_NAME.matcher(name).matches()) throw new IllegalArgumentException("bad metric name " + name);
        for (String l : labels) {
            if (!LABEL_NAME.matcher(l).matches() || l.startsWith("__")) throw new IllegalArgumentException("bad label name " + l);
        }
        if (families.containsKey(name)) throw new IllegalArgumentException("metric " + name + " declared twice");
        Family f = new Family(name, help, "gauge", List.of(labels));
        families.put(name, f);
        return f;
    }

    /** Backslash and newline escaped in HELP, and double quotes too in label values (exposition format rules). */
    static void escape(StringBuilder sb, String s, boolean quote) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '"' -> sb.append(quote ? "\\\"" : "\"");
                default -> sb.append(c);
            }
        }
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Family f : families.values()) {
            if (f.samples.isEmpty()) continue;
            sb.append("# HELP ").append(f.name).append(' ');
            escape(sb, f.help, false);
            sb.append('\n').append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            for (String s : f.samples) sb.append(s).append('\n');
        }
        return sb.toString();
    }
}
