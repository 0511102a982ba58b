import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.pages.SysvShmPages;
import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The SysV segment table and shm_mem on real segments (needs root). */
@NeedsRoot
class MemstatsShmTest {
    static final long MiB = Tool.MiB;

    /** The "shm" row of a shmid in memstats JSON output. */
    static Map<String, Object> shmRow(Tool.Result r, long shmid) {
        return Tool.row(r, "shm", "shmid", shmid);
    }

    /** The text table line of a shmid: its cells, trimmed. */
    static List<String> textRow(Tool.Result r, long shmid) {
        for (String line : r.out().lines().toList()) {
            String[] cells = line.split("│");
            if (cells.length > 3 && cells[2].trim().equals(Long.toString(shmid))) {
                List<String> out = new ArrayList<>();
                for (int i = 1; i < cells.length; i++) out.add(cells[i].trim());
                return out;
            }
        }
        throw new AssertionError("no table line for shmid " + shmid + " in " + r.out());
    }

    @Test
    void halfWrittenSegmentKeepsItsRss() throws IOException {
        int key = KernelObjects.uniqueKey(), idle = KernelObjects.uniqueKey();
        long page = PageSize.live();
        try (Workload w = Workload.start(Map.of("MEMTEST_SHM", "half"), "shmget:" + key + ":64:-", "shmat:" + key + ":32");
             // written then detached by everyone: only the kernel knows its pages
             Workload d = Workload.start(Map.of("MEMTEST_SHM", "detached"), "shmget:" + idle + ":16:-", "shmat:" + idle + ":8", "shmdt")) {
            SysvShm.Segment before = KernelObjects.segment(key), idleBefore = KernelObjects.segment(idle);
            assertEquals(32 * MiB, before.rssBytes(), "the workload wrote half");
            assertEquals(8 * MiB, idleBefore.rssBytes());
            assertEquals(0, idleBefore.nattch());

            Tool.Result r = Tool.memstats("--filter", "env_k(MEMTEST_SHM)", "groups", "-e", "MEMTEST_SHM", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> row = shmRow(r, before.shmid());
            assertEquals((long) key, Tool.num(row, "key"));
            assertEquals(64 * MiB, Tool.num(row, "size"));
            assertEquals(32 * MiB, Tool.num(row, "rss"));
            assertEquals(32 * MiB / page, Tool.num(row, "pages_4k"));
            assertEquals(0, Tool.num(row, "pages_2m"));
            assertEquals(0, Tool.num(row, "swap"));
            assertEquals(50.0, ((Number) row.get("used_pct")).doubleValue());
            assertEquals(List.of(), row.get("sids"));
            Map<String, Object> idleRow = shmRow(r, idleBefore.shmid());
            assertEquals(8 * MiB, Tool.num(idleRow, "rss"));
            assertEquals(8 * MiB / page, Tool.num(idleRow, "pages_4k"));
            assertEquals(50.0, ((Number) idleRow.get("used_pct")).doubleValue());

            Map<String, Map<String, Object>> g = Tool.groups(r, "environment variable MEMTEST_SHM");
            assertEquals(32 * MiB, Tool.num(g.get("half"), "shm_mem"));
            assertEquals(0, Tool.num(g.get("half"), "shm_unknown"));
            assertEquals(0, Tool.num(g.get("detached"), "shm_mem"), "a detached segment is no one's");

            Tool.Result text = Tool.memstats("--filter", "env_k(MEMTEST_SHM)", "groups", "-e", "MEMTEST_SHM");
            assertEquals(0, text.exit(), text.toString());
            assertEquals(List.of(Integer.toString(key), Long.toString(before.shmid()), "64.0 MiB", "32.0 MiB",
                    Long.toString(32 * MiB / page), "0", "0 B", "50", ""), textRow(text, before.shmid()));

            // the point of it all: looking did not grow the segments
            SysvShm.Segment after = KernelObjects.segment(key), idleAfter = KernelObjects.segment(idle);
            assertEquals(32 * MiB, after.rssBytes(), "memstats grew the segment");
            assertEquals(8 * MiB, idleAfter.rssBytes(), "memstats grew the detached segment");
            assertEquals(before.nattch(), after.nattch(), "memstats left an attachment behind");
            assertEquals(0, idleAfter.nattch());
        } finally {
            KernelObjects.removeSegment(key);
            KernelObjects.removeSegment(idle);
        }
    }

    @Test
    void segmentThatCannotBeAttachedIsUnknownWithOneWarning() throws IOException {
        int key = KernelObjects.uniqueKey();
        SysvShm.Segment gone;
        try (Workload w = Workload.start(Map.of(), "shmget:" + key + ":4:-", "shmat:" + key + ":4")) {
            gone = KernelObjects.segment(key);
            KernelObjects.removeSegment(key);
        }
        // the workload detached: the segment is destroyed, as when one goes between reading the list and attaching
        assertNull(KernelObjects.segment(key));
        List<String> log = new ArrayList<>();
        try (ProcFs proc = ProcRoot.open("/proc")) {
            List<SysvShmPages.SegmentPages> pages = SysvShmPages.read(proc, List.of(gone), lib.proc.Meminfo.parse(proc.readString("meminfo")), PageSize.live(), false, log::add);
            assertEquals(1, pages.size());
            assertFalse(pages.get(0).pagesKnown());
            assertEquals(gone.rssBytes(), pages.get(0).rssBytes(), "the kernel's figures stay");
        }
        assertEquals(1, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("cannot attach segment shmid " + gone.shmid()), log.get(0));
    }

    @Test
    void segmentOfAnotherIpcNamespaceIsUnknownNotMisattributed() throws IOException {
        int key = KernelObjects.uniqueKey();
        try (Workload w = Workload.startAs(List.of("unshare", "--ipc"), Map.of("MEMTEST_SHM", "foreign"),
                "shmget:" + key + ":8:-", "shmat:" + key + ":8")) {
            assertNull(KernelObjects.segment(key), "our /proc/sysvipc/shm does not list another namespace's segment");
            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "groups", "-e", "MEMTEST_SHM", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> g = Tool.groups(r, "environment variable MEMTEST_SHM").get("foreign");
            assertEquals(1, Tool.num(g, "shm_unknown"));
            assertEquals(0, Tool.num(g, "shm_mem"), "its shmid may name one of our segments: never count that one");

            Tool.Result text = Tool.memstats("--filter", "pid(" + w.pid() + ")", "groups", "-e", "MEMTEST_SHM");
            assertTrue(text.out().contains("<unknown>: foreign attaches 1 segment(s)"), text.out());
        }
        // the segment lived in the workload's namespace, gone with it
    }

    @Test
    void shmemTransparentHugePagesAreCountedAs2M() throws IOException {
        int key = KernelObjects.uniqueKey();
        long page = PageSize.live();
        try (var knob = new KernelObjects.Knob(Path.of("/sys/kernel/mm/transparent_hugepage/shmem_enabled"), "advise");
             Workload w = Workload.start(Map.of(), "shmget:" + key + ":16:-", "shmat:" + key + ":16:t")) {
            long pmdMapped = KernelObjects.smapsField(w.pid(), "/SYSV", "ShmemPmdMapped");
            assertTrue(pmdMapped >= 2 * MiB, "the kernel gave the segment no transparent huge page: nothing to check");
            SysvShm.Segment seg = KernelObjects.segment(key);
            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> row = shmRow(r, seg.shmid());
            assertEquals(pmdMapped / (2 * MiB), Tool.num(row, "pages_2m"));
            assertEquals(16 * MiB, Tool.num(row, "pages_4k") * page + Tool.num(row, "pages_2m") * 2 * MiB);
            assertEquals(16 * MiB, KernelObjects.segment(key).rssBytes());
        } finally {
            KernelObjects.removeSegment(key);
        }
    }

    @Test
    void snapshotShowsTheKernelFiguresAndCorrectsInflatedHugetlbRss(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("proc/sysvipc"));
        Files.writeString(dir.resolve("proc/meminfo"), "MemTotal: 24684084 kB\nMemAvailable: 20000000 kB\n"
                + "HugePages_Total: 40\nHugePages_Free: 24\nHugePages_Rsvd: 16\nHugePages_Surp: 0\nHugepagesize: 2048 kB\n");
        // the fixture's 128 MiB segment, and a 64 MiB hugetlb one half written as a 6.x kernel prints it
        Files.writeString(dir.resolve("proc/sysvipc/shm"), String.join("\n",
                "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap",
                "1296387404          0   666             134217728     2    12      3     0     0     0     0 1795314792          0 1795314792             134217728                     0",
                "1295194537          5   600              67108864     2    12      0     0     0     0     0 1795314792          0 1795314792           17179869184                     0", ""));
        Files.writeString(dir.resolve("metadata.json"), "{\"page_size\": 4096}");
        Tool.Result r = Tool.memstats("--procfs-root", dir.toString(), "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> plain = shmRow(r, 0);
        assertEquals(128 * MiB, Tool.num(plain, "rss"));
        assertNull(plain.get("pages_4k"), "a snapshot cannot say");
        Map<String, Object> huge = shmRow(r, 5);
        assertEquals(32 * MiB, Tool.num(huge, "rss"));
        assertEquals(17179869184L, Tool.num(huge, "kernel_rss"));
        assertEquals(16, Tool.num(huge, "pages_2m"));
        assertEquals(0, Tool.num(huge, "pages_4k"));
        assertTrue(r.err().contains("512 times too high"), r.err());
    }

    @Test
    void sectionsComeInOrderThroughJbang() throws Exception {
        int key = KernelObjects.uniqueKey();
        try (Workload w = Workload.start(Map.of("MEMTEST_SHM", "order"), "shmget:" + key + ":4:-", "shmat:" + key + ":4")) {
            Process p = new ProcessBuilder("./jbang", "memstats.java", "--filter", "pid(" + w.pid() + ")", "groups", "-e", "MEMTEST_SHM")
                    .directory(Native.repoRoot().toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            int tmpfs = out.indexOf("tmpfs"), oracle = out.indexOf("Oracle instance"), shm = out.indexOf("SysV shared memory segments"),
                    huge = out.indexOf("HugePages ("), scanned = out.indexOf("Scanned 1 processes"),
                    split = out.indexOf("environment variable MEMTEST_SHM");
            assertTrue(tmpfs == 0 && tmpfs < oracle && oracle < shm && shm < huge && huge < scanned && scanned < split, out);
            assertTrue(out.contains("│ " + key + " "), out);
        } finally {
            KernelObjects.removeSegment(key);
        }
    }
}
