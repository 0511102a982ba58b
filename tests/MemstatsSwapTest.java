import lib.proc.PageSize;
import lib.proc.SysvShm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** swap_rss / swap_anon / swap_uss and segments with swap, with a swap file of our own (needs root). */
@NeedsRoot
class MemstatsSwapTest {
    static final long MiB = Tool.MiB;
    static KernelObjects.SwapFile swap;
    static long page;

    @BeforeAll
    static void swapOn() throws IOException {
        swap = new KernelObjects.SwapFile(256);
        page = PageSize.live();
    }

    @AfterAll
    static void swapOff() throws IOException {
        if (swap != null) swap.close();
    }

    /** |a - b| within a few pages: what memstats counts against what smaps says of the same pages. */
    static void assertNear(long expected, long actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 8 * page, what + ": " + actual + " bytes, expected " + expected);
    }

    /** MADV_PAGEOUT is best effort (mm/vmscan.c reclaim_pages skips pages it cannot isolate or lock): most, not all. */
    static void assertMostlyPushed(long asked, long pushed, String what) {
        assertTrue(pushed >= asked * 3 / 4 && pushed <= asked, what + ": " + pushed + " bytes pushed out of " + asked);
    }

    @Test
    void pushedOutPagesAreInTheSwapColumns() throws IOException {
        try (Workload w = Workload.start(Map.of(), "anon:64", "pageout")) {
            long smapsSwap = Tool.smapsSum(w.pid(), "Swap");
            assertMostlyPushed(64 * MiB, smapsSwap, "smaps Swap after MADV_PAGEOUT of 64 MiB");
            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> all = Tool.groups(r, "single").get("all");
            for (String col : List.of("swap_rss", "swap_anon", "swap_uss")) {
                assertNear(smapsSwap, Tool.num(all, col), col);
            }
            assertTrue(Tool.num(all, "mem_anon") < 64 * MiB - smapsSwap + 4 * MiB, "pushed pages are not resident: " + Tool.num(all, "mem_anon"));
        }
    }

    @Test
    void swapEntriesSharedAfterForkAreInEveryRssAndTheFamilysUss() throws IOException {
        // pushed out before the fork: the children inherit the swap entries, as they would the pages
        try (Workload w = Workload.start(Map.of(), "anon:16", "pageout", "fork:2")) {
            long pushed = Tool.smapsSum(w.pid(), "Swap");
            assertMostlyPushed(16 * MiB, pushed, "smaps Swap");
            String each = w.pids().stream().map(p -> "pid(" + p + ")").collect(Collectors.joining(","));
            Tool.Result r = Tool.memstats("--filter", "descendants(" + w.pid() + ")", "groups", "-c", each, "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Tool.Result single = Tool.memstats("--filter", "descendants(" + w.pid() + ")", "single", "--format", "json");
            Map<String, Object> family = Tool.groups(single, "single").get("all");
            assertEquals(3, Tool.num(family, "procs"));
            assertNear(pushed, Tool.num(family, "swap_rss"), "family swap_rss");
            assertNear(pushed, Tool.num(family, "swap_uss"), "family swap_uss");
            Map<String, Map<String, Object>> perPid = Tool.groups(r, each);
            for (int pid : w.pids()) {
                Map<String, Object> g = perPid.get("pid(" + pid + ")");
                assertNear(pushed, Tool.num(g, "swap_rss"), pid + " swap_rss");
                assertTrue(Tool.num(g, "swap_uss") <= 8 * page, pid + " swap_uss " + Tool.num(g, "swap_uss") + ": its siblings hold the same entries");
            }
        }
    }

    @Test
    void segmentWithSwapIsReadOnlyWhenForced() throws IOException {
        int key = KernelObjects.uniqueKey();
        try (Workload w = Workload.start(Map.of(), "shmget:" + key + ":16:-", "shmat:" + key + ":16", "shmpageout")) {
            SysvShm.Segment seg = KernelObjects.segment(key);
            assertTrue(seg.swapBytes() >= 8 * MiB, "MADV_PAGEOUT pushed only " + seg.swapBytes() + " bytes of the segment");

            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> row = MemstatsShmTest.shmRow(r, seg.shmid());
            assertNull(row.get("pages_4k"), "not read without --force-read-shm");
            assertNull(row.get("pages_2m"));
            assertEquals(seg.swapBytes(), Tool.num(row, "swap"));
            assertEquals(seg.rssBytes(), Tool.num(row, "rss"));
            assertEquals(100.0, ((Number) row.get("used_pct")).doubleValue(), "rss + swap is all of it");
            assertEquals(1, r.err().lines().filter(l -> l.contains("shmid " + seg.shmid())).count(), r.err());
            assertTrue(r.err().contains("--force-read-shm"), r.err());
            Map<String, Object> all = Tool.groups(r, "single").get("all");
            assertEquals(seg.swapBytes(), Tool.num(all, "shm_swap"));
            assertEquals(seg.rssBytes(), Tool.num(all, "shm_mem"));

            Tool.Result text = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single");
            List<String> cells = MemstatsShmTest.textRow(text, seg.shmid());
            assertEquals(List.of("-", "-"), cells.subList(4, 6), cells.toString());

            SysvShm.Segment now = KernelObjects.segment(key);
            assertEquals(seg.swapBytes(), now.swapBytes(), "reading without --force-read-shm changed the segment");

            Tool.Result forced = Tool.memstats("--force-read-shm", "--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, forced.exit(), forced.toString());
            Map<String, Object> frow = MemstatsShmTest.shmRow(forced, seg.shmid());
            // pushed-out pages linger in the swap cache: mincore calls them resident, and touching one
            // moves it back into the segment (this is why a segment with swap is not read by default)
            long counted = Tool.num(frow, "pages_4k") * page;
            assertTrue(counted > 0 && counted <= 16 * MiB, "counted " + counted);
            assertTrue(forced.err().contains("may be faulted back in"), forced.err());
            SysvShm.Segment afterForced = KernelObjects.segment(key);
            assertTrue(afterForced.rssBytes() + afterForced.swapBytes() <= 16 * MiB, "a page was allocated: " + afterForced);
        } finally {
            KernelObjects.removeSegment(key);
        }
    }
}
