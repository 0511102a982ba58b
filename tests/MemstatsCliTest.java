import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** memstats' command line: limits, listing, refusals. */
@NeedsRoot
class MemstatsCliTest {

    @Test
    void memoryLimitStopsTheScanAndMarksItPartial() throws IOException {
        try (Workload w = Workload.start(Map.of(), "anon:4", "fork:20", "anon:1")) {
            Tool.Result r = Tool.memstats("--mem-limit", "1", "--filter", "descendants(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> scan = (Map<String, Object>) r.json().get("scan");
            assertEquals(Boolean.TRUE, scan.get("partial"), r.out());
            assertTrue((Long) scan.get("scanned") < 21, "stopped early: " + scan);
            assertTrue(r.err().contains("Memory limit of 1.00 MiB reached"), r.err());
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

    static void assertOneUsageLine(Tool.Result r, String fragment) {
        String shown = r.toString().length() > 3000 ? r.toString().substring(0, 3000) : r.toString();
        assertEquals(2, r.exit(), shown);
        assertEquals(1, r.err().strip().lines().count(), shown);
        assertTrue(r.err().contains(fragment), shown);
        assertFalse(r.err().contains("Error") || r.err().contains("Exception"), shown);
    }

    /** A filter nested 3,000 deep printed 1,025 lines of StackOverflowError for -f and -c. */
    @Test
    void deeplyNestedFilterIsOneUsageLine() {
        String deep = FilterTest.nested(3000);
        assertOneUsageLine(Tool.memstats("--filter", deep, "single"), "nested more than 64 deep");
        assertOneUsageLine(Tool.memstats("groups", "-c", "uid(0)," + deep), "nested more than 64 deep");
    }

    /** Past 2^63 bytes the limit wrapped to a negative or zero number of bytes, which turned the limit off. */
    @Test
    void memLimitBeyondAnyMemoryIsAUsageError() {
        for (String mib : List.of("8796093022208", "17592186044415", "17592186044416", "9223372036854775807")) {
            assertOneUsageLine(Tool.memstats("--mem-limit", mib, "--filter", "pid(1)", "single"), "--mem-limit " + mib + " MiB");
        }
        Tool.Result largest = Tool.memstats("--mem-limit", "8796093022207", "--filter", "pid(1)", "single");
        assertEquals(0, largest.exit(), largest.toString());
        assertTrue(largest.err().contains("Memory limit: 8.00 EiB\n"), largest.err()); // 2^43 - 1 MiB
    }

    @Test
    void nonPositivePidsAreUsageErrors() {
        for (String pids : List.of("0", "-5", "1,0")) {
            assertOneUsageLine(Tool.memstats("--filter", "pid(1)", "groups", "-p", pids), "a pid is a positive number");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void listProcessesHonoursJson() throws IOException {
        try (Workload w = Workload.start(Map.of(), "anon:1", "fork:2", "anon:1")) {
            Tool.Result r = Tool.memstats("--filter", "descendants(" + w.pid() + ")", "--list-processes", "--format", "json", "single");
            assertEquals(0, r.exit(), r.toString());
            List<Map<String, Object>> list = (List<Map<String, Object>>) r.json().get("processes");
            assertEquals(Set.copyOf(w.pids()), list.stream().map(p -> ((Number) p.get("pid")).intValue()).collect(Collectors.toSet()), r.out());
            for (Map<String, Object> p : list) {
                assertTrue(((String) p.get("comm")).startsWith("memload"), p.toString());
                assertEquals(0L, p.get("uid"));
                assertEquals("root", p.get("user"));
            }
            assertEquals(Set.of("processes"), r.json().keySet(), "no scan: " + r.out());
        }
    }

    /** -t 1000 started 1000 threads of about 1.8 MiB of buffers each. */
    @Test
    void threadsAreCappedAtFourPerCore() throws IOException {
        int max = 4 * Runtime.getRuntime().availableProcessors();
        try (Workload w = Workload.start(Map.of(), "anon:1")) {
            Tool.Result r = Tool.memstats("--threads", "1000", "--filter", "pid(" + w.pid() + ")", "single");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("memstats: --threads 1000 is more than " + max + " (4 per core): using " + max), r.err());
            assertTrue(r.err().contains("Using " + max + " threads"), r.err());
        }
        assertOneUsageLine(Tool.memstats("--threads", "0", "--filter", "pid(1)", "single"), "--threads must be at least 1");
    }

    /** comm and environment values are their owner's: escape sequences in them must not reach root's terminal. */
    static final String ESC_COMM = "m\u001b[2J\u001b]0;x\u0007y";
    static final String ESC_VALUE = "v\u001b]0;pwned\u0007\u009b31m\u007f\u202e";

    /** A control character (but newline) a terminal would act on. */
    static void assertNothingForATerminal(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f || c >= 0x202a && c <= 0x202e;
            assertFalse(control, "raw control character U+" + Integer.toHexString(c) + " at " + i + " of:\n" + text);
        }
    }

    /** memload started through a link named ESC_COMM (its comm), with ESCVAR=ESC_VALUE in its environment. */
    static Workload escapeWorkload(Path dir, String... ops) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve(ESC_COMM), Native.binary("memload"));
        Workload w = Workload.startExec(List.of(), link, Map.of("ESCVAR", ESC_VALUE), ops);
        assertEquals(ESC_COMM + "\n", Files.readString(Path.of("/proc/" + w.pid() + "/comm")), "the kernel keeps ESC in comm");
        return w;
    }

    @Test
    void controlCharactersOfOtherUsersAreEscapedInText() throws IOException {
        Path dir = Files.createTempDirectory("memstats-esc");
        try (Workload w = escapeWorkload(dir, "anon:1")) {
            String filter = "pid(" + w.pid() + ")";
            Tool.Result list = Tool.memstats("--filter", filter, "--list-processes", "single");
            assertEquals(0, list.exit(), list.toString());
            assertTrue(list.out().contains("│ m\\x1b[2J\\x1b]0;x\\x07y "), list.out());
            assertNothingForATerminal(list.out() + list.err());

            Tool.Result groups = Tool.memstats("--filter", filter, "groups", "-e", "ESCVAR");
            assertEquals(0, groups.exit(), groups.toString());
            assertTrue(groups.out().contains("│ v\\x1b]0;pwned\\x07\\x9b31m\\x7f\\u202e "), groups.out());
            assertNothingForATerminal(groups.out() + groups.err());

            // JSON escapes them its own way, and the value reads back as it is
            Tool.Result json = Tool.memstats("--filter", filter, "--format", "json", "groups", "-e", "ESCVAR");
            assertEquals(0, json.exit(), json.toString());
            assertNothingForATerminal(json.out() + json.err());
            assertTrue(Tool.groups(json, "environment variable ESCVAR").containsKey(ESC_VALUE), json.out());
            Tool.Result jsonList = Tool.memstats("--filter", filter, "--format", "json", "--list-processes", "single");
            assertNothingForATerminal(jsonList.out());
            assertTrue(jsonList.out().contains(ESC_COMM.replace("\u001b", "\\u001b").replace("\u0007", "\\u0007")), jsonList.out());
        } finally {
            Files.deleteIfExists(dir.resolve(ESC_COMM));
            Files.deleteIfExists(dir);
        }
    }

    /** stdout on a full disk: memstats said nothing and exited 0. */
    @Test
    void lostOutputIsExit1AndOneLine() throws Exception {
        try (Workload w = Workload.start(Map.of(), "anon:1")) {
            String filter = "pid(" + w.pid() + ")";
            Tool.assertOutputLost("memstats", Tool.toDevFull("memstats", "--filter", filter, "--format", "json", "single"), true);
            Tool.assertOutputLost("memstats", Tool.toDevFull("memstats", "--filter", filter, "groups", "-u"), false);
            Tool.assertOutputLost("memstats", Tool.toDevFull("memstats", "--filter", filter, "--list-processes", "single"), true);
            Tool.assertOutputLost("memstats", Tool.toDevFull("memstats", "--help"), true);
        }
    }
}
