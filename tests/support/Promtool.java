import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real Prometheus tools (Debian packages prometheus, prometheus-node-exporter): promtool's
 * linter, and a strict reading of the text format for what promtool lets through but
 * node_exporter refuses (a family split in two, a repeated series, a timestamp).
 */
final class Promtool {
    private Promtool() {
    }

    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");

    static boolean available() {
        return Files.isExecutable(PROMTOOL);
    }

    /** promtool check metrics on text: exit 0 and nothing said, or the test fails with what it said. */
    static void check(String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool hangs");
        assertEquals(0, p.exitValue(), "promtool check metrics: " + said + "\non:\n" + text);
        assertEquals("", said.strip(), "promtool check metrics warns");
    }

    /** A sample line parsed: name, labels (unescaped), value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /**
     * Parses exposition text strictly: HELP then TYPE before each family's samples, every family
     * in one block, no repeated series, two fields per sample (no timestamp).
     */
    static List<Sample> parse(String text) {
        List<Sample> out = new java.util.ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> series = new HashSet<>();
        String current = null;
        Map<String, String> help = new HashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) continue;
            if (line.startsWith("# HELP ")) {
                String name = line.substring(7).split(" ", 2)[0];
                assertFalse(done.contains(name) || name.equals(current), "second HELP for " + name);
                if (current != null) done.add(current);
                current = name;
                help.put(name, line);
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                assertEquals(current, line.substring(7).split(" ")[0], "TYPE right after HELP");
                continue;
            }
            assertFalse(line.startsWith("#"), "unexpected comment " + line);
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
            String name = line.substring(0, i);
            assertEquals(current, name, "sample of a family outside its block: " + line);
            Map<String, String> labels = new LinkedHashMap<>();
            if (line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String l = line.substring(i, eq);
                    i = eq + 1;
                    assertEquals('"', line.charAt(i));
                    i++;
                    StringBuilder v = new StringBuilder();
                    while (line.charAt(i) != '"') {
                        char c = line.charAt(i++);
                        if (c == '\\') {
                            char e = line.charAt(i++);
                            v.append(switch (e) {
                                case 'n' -> '\n';
                                case '\\' -> '\\';
                                case '"' -> '"';
                                default -> throw new AssertionError("bad escape \\" + e + " in " + line);
                            });
                        } else {
                            v.append(c);
                        }
                    }
                    i++;
                    labels.put(l, v.toString());
                    if (line.charAt(i) == ',') i++;
                }
                i++;
            }
            String[] rest = line.substring(i).trim().split(" ");
            assertEquals(1, rest.length, "a sample has a value and no timestamp: " + line);
            assertTrue(series.add(name + labels), "repeated series " + line);
            out.add(new Sample(name, labels, Double.parseDouble(rest[0])));
        }
        return out;
    }
}
