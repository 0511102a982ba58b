import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a tool's picocli command in this JVM and captures its output. */
final class Tool {
    private Tool() {
    }

    record Result(int exit, String out, String err) {
        /** The JSON document on stdout. */
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) lib.text.Json.parse(out);
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

    /**
     * Runs a tool's main class in a JVM of its own as nobody (uid and gid 65534): the test classpath
     * is copied where nobody can read it, and removed afterwards.
     */
    static Result runAsNobody(String mainClass, String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tool-cp");
        try {
            List<String> cp = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path src = Path.of(entry);
                if (!Files.isRegularFile(src)) continue;
                Path dst = dir.resolve(cp.size() + "-" + src.getFileName());
                Files.copy(src, dst);
                dst.toFile().setReadable(true, false);
                cp.add(dst.toString());
            }
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    javaBin, "-cp", String.join(File.pathSeparator, cp), mainClass));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(new File("/tmp")).redirectErrorStream(false).start();
            // stderr is small; read it after stdout, which can be large
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(mainClass + " as nobody did not finish");
            }
            return new Result(p.exitValue(), out, err);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    /** Runs a tool's main class in a JVM of its own (this test classpath) with stdout going to /dev/full. */
    static Result toDevFull(String mainClass, String... args) throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(new File("/dev/full")).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(mainClass + " did not finish");
        }
        return new Result(p.exitValue(), "", err);
    }

    /**
     * A tool that wrote to /dev/full: exit 1 and, as its last stderr line, one line saying so; with quiet
     * (a run that logs nothing on stderr) that line is all of stderr.
     */
    static void assertOutputLost(String tool, Result r, boolean quiet) {
        org.junit.jupiter.api.Assertions.assertEquals(1, r.exit(), r.toString());
        List<String> lines = r.err().strip().lines().toList();
        String expected = tool + ": cannot write output: No space left on device";
        if (quiet) org.junit.jupiter.api.Assertions.assertEquals(List.of(expected), lines, r.toString());
        org.junit.jupiter.api.Assertions.assertEquals(expected, lines.get(lines.size() - 1), r.toString());
        org.junit.jupiter.api.Assertions.assertEquals(1, lines.stream().filter(l -> l.contains("cannot write")).count(), r.toString());
        org.junit.jupiter.api.Assertions.assertFalse(r.err().contains("Exception"), r.toString());
    }

    static final long MiB = 1024 * 1024;
}
