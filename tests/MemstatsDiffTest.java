import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * memstats diff of two snap archives taken around a group that grew by a process with 48 MiB of
 * anonymous memory, a group that appeared and one that vanished; and of an archive against live /proc.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NeedsRoot
class MemstatsDiffTest {
    static final long MiB = Tool.MiB;
    static final long GROWTH = 48 * MiB;
    final String var = "MEMTEST_DIFF_" + ProcessHandle.current().pid();
    Workload grows, added, appeared, vanished;
    Path dir, a, b;
    Tool.Result snapA, snapB, archives, againstLive;
    long addedRss, appearedRss;

    @BeforeAll
    void capture() throws IOException {
        dir = Files.createTempDirectory("difftest");
        grows = Workload.start(Map.of(var, "G"), "anon:16");
        vanished = Workload.start(Map.of(var, "OLD"), "anon:8");
        snapA = Tool.run(snap.commandLine(), "run", dir.resolve("a").toString());
        vanished.close();
        added = Workload.start(Map.of(var, "G"), "anon:" + GROWTH / MiB);
        appeared = Workload.start(Map.of(var, "NEW"), "anon:4");
        addedRss = Tool.smapsSum(added.pid(), "Rss");
        appearedRss = Tool.smapsSum(appeared.pid(), "Rss");
        snapB = Tool.run(snap.commandLine(), "run", dir.resolve("b").toString());
        a = dir.resolve("a.tar.gz");
        b = dir.resolve("b.tar.gz");
        String only = "env_k(" + var + ")";
        archives = Tool.memstats("--filter", only, "diff", a.toString(), b.toString(), "-e", var, "--format", "json");
        againstLive = Tool.memstats("--filter", only, "diff", a.toString(), "/proc", "-e", var, "--format", "json");
    }

    @AfterAll
    void cleanUp() throws IOException {
        for (Workload w : new Workload[]{grows, added, appeared, vanished}) if (w != null) w.close();
        SnapTest.deleteTree(dir);
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups(Tool.Result r) {
        assertEquals(0, snapA.exit(), snapA.toString());
        assertEquals(0, snapB.exit(), snapB.toString());
        assertEquals(0, r.exit(), r.toString());
        List<Object> splits = (List<Object>) r.json().get("splits");
        assertEquals(1, splits.size(), r.out());
        Map<String, Object> split = (Map<String, Object>) splits.get(0);
        assertEquals("environment variable " + var, split.get("name"));
        return ((List<Object>) split.get("groups")).stream().map(g -> (Map<String, Object>) g).toList();
    }

    static Map<String, Object> group(List<Map<String, Object>> groups, String name) {
        return groups.stream().filter(g -> name.equals(g.get("group_name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no group " + name + " in " + groups));
    }

    @SuppressWarnings("unchecked")
    static long col(Map<String, Object> g, String side, String column) {
        return Tool.num((Map<String, Object>) g.get(side), column);
    }

    /** The group that grew shows the added process's 48 MiB (at most its whole Rss) as its change, and comes first. */
    void grewByTheAddedProcess(Tool.Result r) {
        List<Map<String, Object>> groups = groups(r);
        Map<String, Object> g = group(groups, "G");
        assertEquals("both", g.get("status"));
        assertEquals(1, col(g, "before", "procs"));
        assertEquals(2, col(g, "after", "procs"));
        assertEquals(1, col(g, "change", "procs"));
        long anon = col(g, "change", "mem_anon");
        assertTrue(anon >= GROWTH && anon <= addedRss, "mem_anon change " + anon + ", smaps Rss " + addedRss + " " + g);
        // less when memload started elsewhere meanwhile maps its binary too: those file pages leave the group's USS
        assertTrue(col(g, "change", "mem_uss") >= GROWTH - MiB, g.toString());
        assertTrue(col(g, "change", "mem_rss") >= GROWTH, g.toString());
        assertEquals(col(g, "after", "mem_rss") - col(g, "before", "mem_rss"), col(g, "change", "mem_rss"));
        assertEquals("G", groups.get(0).get("group_name"), "largest mem_uss growth first: " + groups);
    }

    @Test
    void twoSnapshotsShowTheGrowth() {
        grewByTheAddedProcess(archives);
    }

    @Test
    void snapshotAgainstLiveShowsTheGrowth() {
        grewByTheAddedProcess(againstLive);
    }

    @Test
    void groupsThatAppearedAndVanished() {
        List<Map<String, Object>> groups = groups(archives);
        Map<String, Object> n = group(groups, "NEW");
        assertEquals("appeared", n.get("status"));
        assertNull(n.get("before"), n.toString());
        long anon = col(n, "after", "mem_anon");
        assertTrue(anon >= 4 * MiB && anon <= appearedRss, n.toString());
        assertEquals(anon, col(n, "change", "mem_anon"));
        Map<String, Object> old = group(groups, "OLD");
        assertEquals("vanished", old.get("status"));
        assertNull(old.get("after"), old.toString());
        assertTrue(col(old, "change", "mem_anon") <= -8 * MiB, old.toString());
        assertEquals(3, groups.size(), groups.toString());
    }

    @Test
    void textNamesBothSourcesAndEveryGroup() {
        Tool.Result r = Tool.memstats("--filter", "env_k(" + var + ")", "diff", a.toString(), b.toString(), "-e", var);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("A: " + a + ": 2 processes scanned\nB: " + b + ": 3 processes scanned\n"), r.out());
        String text = r.out();
        assertTrue(text.contains("appeared") && text.contains("vanished") && text.contains("1 -> 2"), text);
    }

    /** No splitter: all scanned processes as one group, as single. */
    @Test
    void withoutSplitterOneGroup() {
        Tool.Result r = Tool.memstats("--filter", "env_k(" + var + ")", "diff", a.toString(), b.toString(), "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        @SuppressWarnings("unchecked")
        List<Object> groups = (List<Object>) ((Map<String, Object>) ((List<Object>) r.json().get("splits")).get(0)).get("groups");
        assertEquals(1, groups.size(), r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> all = (Map<String, Object>) groups.get(0);
        assertEquals(2, col(all, "before", "procs"), r.out());
        assertEquals(3, col(all, "after", "procs"), r.out());
    }

    @Test
    void aMissingSourceIsOneLine() {
        Tool.Result r = Tool.memstats("diff", a.toString(), dir.resolve("nothing.tar.gz").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        Tool.Result usage = Tool.memstats("diff", a.toString());
        assertEquals(2, usage.exit(), usage.toString());
    }
}
