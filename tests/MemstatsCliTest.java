import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.Map;

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

    /** With no locale at all (cron, env -i) Java's default would print the box characters as '?'. */
    @Test
    void tablesAreUtf8WithoutALocale() throws Exception {
        try (Workload w = Workload.start(Map.of(), "anon:1")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "memstats",
                    "--filter", "pid(" + w.pid() + ")", "--list-processes", "single");
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.getErrorStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("┌") && out.contains("│ " + w.pid() + " "), out);
            assertFalse(out.contains("?"), out);
        }
    }

    /** Runs memstats as nobody in a JVM of its own. */
    @Test
    void notRootIsOneLineAndExit1() throws Exception {
        Tool.Result r = Tool.runAsNobody("memstats", "groups", "--split-uid");
        assertEquals(1, r.exit(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("memstats: needs root: "), r.err());
    }
}
