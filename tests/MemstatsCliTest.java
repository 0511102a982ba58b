import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** memstats' command line: limits, listing, refusals. */
class MemstatsCliTest {

    @Test
    void memoryLimitStopsTheScanAndMarksItPartial() throws IOException {
        try (Workload w = Workload.start(Map.of(), "anon:4", "fork:20", "anon:1")) {
            Tool.Result r = Tool.memstats("--mem-limit", "1", "--filter", "descendants(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> scan = (Map<String, Object>) r.json().get("scan");
            assertEquals(Boolean.TRUE, scan.get("partial"), r.out());
            assertTrue((Long) scan.get("scanned") < 21, "stopped early: " + scan);
            assertTrue(r.err().contains("Memory limit of 1 MiB reached"), r.err());
        }
    }

    @Test
    void listProcessesShowsWhatWouldBeScanned() throws IOException {
        try (Workload w = Workload.start(Map.of(), "anon:1", "fork:2", "anon:1")) {
            Tool.Result r = Tool.memstats("--filter", "descendants(" + w.pid() + ")", "--list-processes", "single");
            assertEquals(0, r.exit(), r.toString());
            for (int pid : w.pids()) assertTrue(r.out().contains("│ " + pid + " "), r.out());
            assertEquals(3, r.out().lines().filter(l -> l.contains("memload")).count(), r.out());
            assertTrue(r.out().contains("root"), r.out());
            assertFalse(r.out().contains("mem_rss"), "no scan: " + r.out());
        }
    }

    /** Runs memstats as nobody in a JVM of its own: the classpath is copied where nobody can read it. */
    @Test
    void notRootIsOneLineAndExit1() throws Exception {
        Path dir = Files.createTempDirectory("memstats-cp");
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
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    java, "-cp", String.join(File.pathSeparator, cp), "memstats", "groups", "--split-uid")
                    .directory(new File("/tmp")).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), out + err);
            assertEquals("", out);
            assertEquals(1, err.strip().lines().count(), err);
            assertTrue(err.startsWith("memstats: needs root: "), err);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : s.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }
}
