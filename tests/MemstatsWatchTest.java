import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** memstats --interval: a workload that writes 32 MiB more between two rounds shows that much as its group's change. */
class MemstatsWatchTest {
    static final long MiB = Tool.MiB;

    /** The pid of a process whose environment holds this variable, or -1. */
    static int pidWith(String entry) {
        byte[] want = (entry + "\0").getBytes();
        try (var pids = Files.list(Path.of("/proc"))) {
            for (Path p : pids.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    byte[] env = Files.readAllBytes(p.resolve("environ"));
                    for (int i = 0; i + want.length <= env.length; i++) {
                        if ((i == 0 || env[i - 1] == 0) && java.util.Arrays.equals(env, i, i + want.length, want, 0, want.length)) {
                            return Integer.parseInt(p.getFileName().toString());
                        }
                    }
                } catch (IOException gone) {
                    // ended meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return -1;
    }

    static long vmRssBytes(int pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
        }
        return 0;
    }

    /** The mem_rss_change cell of a group's row in a round's table, in bytes (KiB/MiB/GiB, or decimal MB). */
    static long rssChange(String roundText, String group) {
        for (String line : roundText.lines().toList()) {
            String[] cells = line.split("│");
            if (cells.length > 6 && cells[1].trim().equals(group)) {
                String v = cells[6].trim();
                double scale = v.endsWith(" MiB") ? MiB : v.endsWith(" KiB") ? 1024 : v.endsWith(" GiB") ? 1024.0 * MiB : 1;
                return Math.round(Double.parseDouble(v.replaceAll(" ([KMG]i)?B$", "")) * scale);
            }
        }
        throw new AssertionError("no row " + group + " in " + roundText);
    }

    @Test
    void secondRoundShowsTheGrowth() throws Exception {
        String var = "MEMTEST_WATCH_" + ProcessHandle.current().pid();
        // in a directory of our own: a predictable name in /tmp would let another user plant a link we then write through
        Path triggerDir = Files.createTempDirectory("memtest-watch"), trigger = triggerDir.resolve("grow");
        // 8 MiB at once, 32 MiB more when the test says so: after round 1 was printed, before round 2
        // memload says READY after its last operation: started aside, found by its environment
        CompletableFuture<Workload> started = CompletableFuture.supplyAsync(() -> {
            try {
                return Workload.start(Map.of(var, "W"), "anon:8", "waitfile:" + trigger, "anon:32");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            int pid = -1;
            for (int i = 0; i < 3000 && (pid < 0 || vmRssBytes(pid) < 8 * MiB); i++) {
                Thread.sleep(10);
                if (pid < 0) pid = pidWith(var + "=W");
            }
            assertTrue(pid > 0, "the workload started");
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = memstats.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() ->
                    cl.execute("--filter", "env_k(" + var + ")", "--interval", "6", "--count", "2", "groups", "-e", var));
            for (int i = 0; i < 6000 && !out.toString().contains("Scanned "); i++) Thread.sleep(10);
            assertTrue(out.toString().contains("Scanned "), "round 1 printed: " + out + err);
            Files.writeString(trigger, "");
            int exit = run.get(120, TimeUnit.SECONDS);
            assertEquals(0, exit, out + "\n" + err);
            int at = out.toString().indexOf("Round 2 at ");
            assertTrue(at > 0, out.toString());
            assertFalse(out.toString().contains("Round 3"), out.toString());
            String round2 = out.toString().substring(at);
            long change = rssChange(round2, "W");
            assertTrue(change >= 32 * MiB && change <= 32 * MiB + 2 * MiB, "mem_rss change " + change + "\n" + out);
            assertTrue(round2.contains(" 1 -> 1 "), round2);
        } finally {
            Files.writeString(trigger, "");
            started.get(60, TimeUnit.SECONDS).close();
            Files.deleteIfExists(trigger);
            Files.deleteIfExists(triggerDir);
        }
    }

    @Test
    void watchRefusals() {
        for (String[] args : new String[][]{{"--count", "2", "single"}, {"--interval", "0", "single"},
                {"--interval", "1", "--count", "0", "single"}, {"--interval", "1", "single", "--format", "json"},
                {"--interval", "1", "ram"}}) {
            Tool.Result r = Tool.memstats(args);
            assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r);
            assertEquals(1, r.err().lines().count(), r.err());
        }
    }
}
