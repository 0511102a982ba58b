import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** memstats groups on real processes with known memory (needs root, like memstats itself). */
@NeedsRoot
class MemstatsGroupsTest {
    static final long MiB = Tool.MiB;
    // binaries, libc, stacks and page tables of a small C program: what a group holds beyond its data
    static final long SLACK = 3 * MiB;

    /** Env values unique to this run: other test runs may share the machine. */
    static final String RUN = Long.toString(ProcessHandle.current().pid());

    static String pidFilters(List<Integer> pids) {
        return pids.stream().map(p -> "pid(" + p + ")").collect(Collectors.joining(","));
    }

    @Test
    void copyOnWriteFamilyUssIsSharedPlusPrivate() throws IOException {
        int n = 64, m = 16, k = 3;
        try (Workload w = Workload.start(Map.of("MEMTEST_GROUP", "cow" + RUN), "anon:" + n, "fork:" + k, "anon:" + m)) {
            Tool.Result r = Tool.memstats("groups", "-e", "MEMTEST_GROUP", "-c", pidFilters(w.pids()), "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> cow = Tool.groups(r, "environment variable MEMTEST_GROUP").get("cow" + RUN);
            assertEquals(k + 1L, Tool.num(cow, "procs"));
            long expected = (n + (long) k * m) * MiB;
            long uss = Tool.num(cow, "mem_uss");
            assertTrue(uss >= expected && uss <= expected + SLACK, "mem_uss " + uss / MiB + " MiB, expected ~" + expected / MiB);
            assertTrue(Tool.num(cow, "mem_rss") >= uss);
            assertTrue(Tool.num(cow, "mem_anon") >= expected);
            assertEquals(0, Tool.num(cow, "swap_rss"));

            // one group per process: each child holds the shared N and its own M, and never more than smaps says
            Map<String, Map<String, Object>> perPid = Tool.groups(r, pidFilters(w.pids()));
            for (int pid : w.children()) {
                Map<String, Object> g = perPid.get("pid(" + pid + ")");
                long rss = Tool.num(g, "mem_rss");
                assertTrue(rss >= (n + m) * MiB, "child rss " + rss);
                assertTrue(rss <= Tool.smapsSum(pid, "Rss"), "mem_rss " + rss + " > smaps Rss " + Tool.smapsSum(pid, "Rss"));
                // its own M MiB is only its own; the shared N is held by its siblings too
                long childUss = Tool.num(g, "mem_uss");
                assertTrue(childUss >= m * MiB && childUss <= m * MiB + SLACK, "child uss " + childUss / MiB);
            }
        }
    }

    @Test
    void sharedFileIsInBothRssAndNeitherUss() throws IOException {
        Path dir = Files.createTempDirectory("memstats-shared");
        Path file = dir.resolve("shared.dat");
        try (Workload a = Workload.start(Map.of("MEMTEST_GROUP", "fileA" + RUN), "file:" + file + ":32", "anon:4");
             Workload b = Workload.start(Map.of("MEMTEST_GROUP", "fileB" + RUN), "file:" + file + ":32", "anon:4")) {
            Tool.Result r = Tool.memstats("--filter", "or(env_kv(MEMTEST_GROUP,fileA" + RUN + "),env_kv(MEMTEST_GROUP,fileB" + RUN + "))",
                    "groups", "-e", "MEMTEST_GROUP", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Map<String, Object>> g = Tool.groups(r, "environment variable MEMTEST_GROUP");
            for (String name : List.of("fileA" + RUN, "fileB" + RUN)) {
                long rss = Tool.num(g.get(name), "mem_rss"), uss = Tool.num(g.get(name), "mem_uss");
                assertTrue(rss >= 36 * MiB, name + " rss " + rss / MiB);
                assertTrue(uss >= 4 * MiB && uss < 4 * MiB + SLACK, name + " uss " + uss / MiB + " must hold its anon but not the file");
                assertTrue(Tool.num(g.get(name), "mem_anon") >= 4 * MiB);
                assertTrue(Tool.num(g.get(name), "mem_anon") < 4 * MiB + SLACK, "the shared file is not anonymous");
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void groupsByUidPidsAndCustom() throws IOException {
        try (Workload mine = Workload.start(Map.of("MEMTEST_GROUP", "u0"), "anon:8");
             Workload other = Workload.start(Map.of("MEMTEST_GROUP", "u65534"), "setuid:65534", "anon:24")) {
            String pids = mine.pid() + "," + other.pid();
            Tool.Result r = Tool.memstats("--filter", "or(pid(" + mine.pid() + "),pid(" + other.pid() + "))", "groups",
                    "--split-uid", "--split-pids", Integer.toString(other.pid()),
                    "-c", "uid(65534),comm(memload-none)", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> scan = (Map<String, Object>) r.json().get("scan");
            assertEquals(2L, scan.get("scanned"), r.out());

            Map<String, Map<String, Object>> byUid = Tool.groups(r, "UID");
            assertEquals(List.of("nobody", "root"), List.copyOf(byUid.keySet()), "sorted by mem_rss, user names");
            assertTrue(Tool.num(byUid.get("nobody"), "mem_uss") >= 24 * MiB);

            Map<String, Map<String, Object>> byPids = Tool.groups(r, "pids");
            assertEquals(1, Tool.num(byPids.get(Integer.toString(other.pid())), "procs"));
            assertEquals(1, Tool.num(byPids.get("Other"), "procs"));

            Map<String, Map<String, Object>> custom = Tool.groups(r, "uid(65534),comm(memload-none)");
            assertEquals(1, Tool.num(custom.get("uid(65534)"), "procs"));
            assertEquals(0, Tool.num(custom.get("comm(memload-none)"), "procs"), "a named group stays, empty");
            assertEquals(0, Tool.num(custom.get("comm(memload-none)"), "mem_rss"));
            assertEquals(1, Tool.num(custom.get("Other"), "procs"));
            assertTrue(pids.contains(Integer.toString(mine.pid())));
        }
    }

    @Test
    void envGroupsHaveCleanNamesAndUnset() throws IOException {
        try (Workload a = Workload.start(Map.of("MEMTEST_SID", "DBB1"), "anon:4");
             Workload b = Workload.start(Map.of(), "anon:2")) {
            Tool.Result r = Tool.memstats("--filter", "or(pid(" + a.pid() + "),pid(" + b.pid() + "))", "groups", "-e", "MEMTEST_SID");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("environment variable MEMTEST_SID"), r.out());
            assertTrue(r.out().contains("│ DBB1 "), r.out());
            assertTrue(r.out().contains("│ <unset> "), r.out());
            assertFalse(r.out().contains("Some("), r.out());
            assertTrue(r.out().contains("┌") && r.out().contains("┘"), "box-drawn");
        }
    }

    @Test
    void singleIsOneGroupAll() throws IOException {
        try (Workload w = Workload.start(Map.of(), "anon:8", "fork:1", "anon:8")) {
            Tool.Result r = Tool.memstats("--filter", "descendants(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> all = Tool.groups(r, "single").get("all");
            assertEquals(2, Tool.num(all, "procs"));
            assertTrue(Tool.num(all, "mem_uss") >= 16 * MiB);
        }
    }

    @Test
    void usageErrorsAreOneLineWithExit2() {
        Tool.Result r = Tool.memstats("groups", "-c", "and(uid(0),comm(bash)");
        assertEquals(2, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("column 22"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        Tool.Result f = Tool.memstats("--filter", "uid(x)", "single");
        assertEquals(2, f.exit(), f.toString());
        assertTrue(f.err().contains("column 5"), f.err());

        Tool.Result none = Tool.memstats("groups");
        assertEquals(2, none.exit(), none.toString());
        assertEquals(1, none.err().strip().lines().count(), none.err());

        Tool.Result missing = Tool.memstats("--procfs-root", "/nonexistent/proc", "single");
        assertEquals(1, missing.exit(), missing.toString());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }
}
