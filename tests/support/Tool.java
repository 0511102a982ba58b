import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs a tool's picocli command in this JVM and captures its output. */
final class Tool {
    private Tool() {
    }

    record Result(int exit, String out, String err) {
        /** The JSON document on stdout. */
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) lib.Json.parse(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static Result run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    static Result memstats(String... args) {
        return run(memstats.commandLine(), args);
    }

    /** The groups of the split with this name in memstats JSON output, by group name. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> groups(Result r, String splitName) {
        for (Object s : (List<Object>) r.json().get("splits")) {
            Map<String, Object> split = (Map<String, Object>) s;
            if (split.get("name").equals(splitName)) {
                Map<String, Map<String, Object>> byName = new java.util.LinkedHashMap<>();
                for (Object g : (List<Object>) split.get("groups")) {
                    Map<String, Object> group = (Map<String, Object>) g;
                    byName.put((String) group.get("group_name"), group);
                }
                return byName;
            }
        }
        throw new AssertionError("no split named " + splitName + " in " + r.out());
    }

    /** The row of a JSON list section ("shm", "tmpfs"...) whose column has this value (numbers compared as longs). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> row(Result r, String section, String column, Object value) {
        for (Object o : (List<Object>) r.json().get(section)) {
            Map<String, Object> row = (Map<String, Object>) o;
            Object v = row.get(column);
            if (v instanceof Number n && value instanceof Number w ? n.longValue() == w.longValue() : value.equals(v)) return row;
        }
        throw new AssertionError("no " + section + " row with " + column + " = " + value + " in " + r.out());
    }

    static long num(Map<String, Object> group, String key) {
        return ((Number) group.get(key)).longValue();
    }

    /** Sum of a kB field (Rss, Swap, Pss...) over the mappings of /proc/PID/smaps, in bytes. */
    static long smapsSum(int pid, String field) throws IOException {
        long kb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            if (line.startsWith(field + ":")) kb += Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
        }
        return kb * 1024;
    }

    static final long MiB = 1024 * 1024;
}
