import lib.pages.KPageFlags;
import lib.proc.Maps;
import lib.proc.Meminfo;
import lib.pages.PageMap;
import lib.pages.PagemapWalker;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.pages.SysvShmPages;
import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Huge pages for real (needs root): hugetlb segments, hugetlb and transparent huge pages in page sets, the meminfo line. */
@NeedsRoot
class MemstatsHugePagesTest {
    static final long MiB = Tool.MiB;
    static final long SLACK = 3 * MiB;

    @Test
    void hugetlbSegmentAttachedByTwoGroups() throws IOException {
        int key = KernelObjects.uniqueKey();
        try (var reserve = new KernelObjects.HugePages(32);
             // A: the creator writes all of it, then two children inherit the attachment
             Workload a = Workload.start(Map.of("MEMTEST_HUGE", "A"), "shmget:" + key + ":64:h", "shmat:" + key + ":64", "fork:2");
             // B: attaches it and touches nothing
             Workload b = Workload.start(Map.of("MEMTEST_HUGE", "B"), "shmat:" + key + ":0", "fork:1")) {
            SysvShm.Segment seg = KernelObjects.segment(key);
            Meminfo before = KernelObjects.meminfo();
            Tool.Result r = Tool.memstats("--filter", "env_k(MEMTEST_HUGE)", "groups", "-e", "MEMTEST_HUGE", "--format", "json");
            assertEquals(0, r.exit(), r.toString());

            Map<String, Object> row = MemstatsShmTest.shmRow(r, seg.shmid());
            assertEquals(64 * MiB, Tool.num(row, "size"));
            assertEquals(64 * MiB, Tool.num(row, "rss"), "kernel said " + seg.rssBytes());
            assertEquals(32, Tool.num(row, "pages_2m"));
            assertEquals(0, Tool.num(row, "pages_4k"));
            assertEquals(2 * MiB, Tool.num(row, "page_size"));
            assertEquals(100.0, ((Number) row.get("used_pct")).doubleValue());

            Map<String, Map<String, Object>> g = Tool.groups(r, "environment variable MEMTEST_HUGE");
            assertEquals(3, Tool.num(g.get("A"), "procs"));
            assertEquals(2, Tool.num(g.get("B"), "procs"));
            for (String name : List.of("A", "B")) {
                assertEquals(64 * MiB, Tool.num(g.get(name), "shm_mem"), name);
                assertEquals(0, Tool.num(g.get(name), "shm_unknown"), name);
                // segment pages are shm_mem's, never mem_rss's: a group holds only its programs there
                assertTrue(Tool.num(g.get(name), "mem_rss") < 8 * MiB, name + " mem_rss " + Tool.num(g.get(name), "mem_rss"));
            }

            @SuppressWarnings("unchecked")
            Map<String, Object> huge = (Map<String, Object>) r.json().get("hugepages");
            assertEquals(before.hugePagesTotal(), Tool.num(huge, "total"));
            assertEquals(before.hugePagesFree(), Tool.num(huge, "free"));
            assertEquals(before.hugePagesRsvd(), Tool.num(huge, "reserved"));
            assertEquals(before.hugePagesTotal() - before.hugePagesFree() + before.hugePagesRsvd(), Tool.num(huge, "in_use"));
            assertEquals(2 * MiB, Tool.num(huge, "page_size"));

            Meminfo after = KernelObjects.meminfo();
            assertEquals(before.hugePagesFree(), after.hugePagesFree(), "memstats took huge pages");
            assertEquals(seg.rssBytes(), KernelObjects.segment(key).rssBytes());
        } finally {
            KernelObjects.removeSegment(key);
        }
    }

    @Test
    void halfWrittenHugetlbSegmentDoesNotGrow() throws IOException {
        int key = KernelObjects.uniqueKey();
        try (var reserve = new KernelObjects.HugePages(32);
             // written half, then detached: no page table maps its pages, only the segment holds them
             Workload w = Workload.start(Map.of(), "shmget:" + key + ":64:h", "shmat:" + key + ":32", "shmdt")) {
            SysvShm.Segment seg = KernelObjects.segment(key);
            Meminfo before = KernelObjects.meminfo();
            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> row = MemstatsShmTest.shmRow(r, seg.shmid());
            assertEquals(32 * MiB, Tool.num(row, "rss"), "kernel said " + seg.rssBytes());
            assertEquals(16, Tool.num(row, "pages_2m"));
            assertEquals(0, Tool.num(row, "pages_4k"));
            assertEquals(50.0, ((Number) row.get("used_pct")).doubleValue());

            Meminfo after = KernelObjects.meminfo();
            assertEquals(before.hugePagesFree(), after.hugePagesFree(), "memstats faulted huge pages in");
            assertEquals(before.hugePagesRsvd(), after.hugePagesRsvd(), "memstats used the segment's reserve");
            assertEquals(seg.rssBytes(), KernelObjects.segment(key).rssBytes(), "the kernel's figure changed");
        } finally {
            KernelObjects.removeSegment(key);
        }
    }

    /** The frames of the first mapping whose pathname contains this text, as pagemap gives them (one per base page). */
    static long[] frames(int pid, String pathPart) throws IOException {
        long page = PageSize.live();
        try (ProcFs proc = ProcRoot.open("/proc"); ProcFs.PositionalFile pm = proc.open(pid + "/pagemap")) {
            for (Maps.Mapping m : Maps.parse(proc.readString(pid + "/maps"))) {
                if (!m.pathname().contains(pathPart)) continue;
                long[] out = new long[(int) (m.sizeBytes() / page)];
                int[] n = {0};
                new PagemapWalker(page).walk(pm, m, (mapping, va, e, count) -> {
                    for (int i = 0; i < count; i++) out[n[0]++] = PageMap.present(e[i]) ? PageMap.pfn(e[i]) : -1;
                });
                return out;
            }
        }
        throw new AssertionError("no mapping " + pathPart + " in process " + pid);
    }

    @Test
    void hugetlbPagesAreCountedIn4KiBFrames() throws IOException {
        long page = PageSize.live();
        try (var reserve = new KernelObjects.HugePages(16);
             Workload w = Workload.start(Map.of(), "hugeanon:32")) {
            long[] pfns = frames(w.pid(), "/anon_hugepage");
            long perHuge = 2 * MiB / page;
            assertEquals(32 * MiB / page, pfns.length);
            int heads = 0;
            try (ProcFs proc = ProcRoot.open("/proc"); KPageFlags kf = KPageFlags.open(proc)) {
                for (int i = 0; i < pfns.length; i++) {
                    assertTrue(pfns[i] > 0, "page " + i + " not present");
                    // one entry per base page, each naming its own frame inside the huge page
                    if (i % perHuge != 0) assertEquals(pfns[i - 1] + 1, pfns[i], "frame of page " + i);
                    long f = kf.get(pfns[i]);
                    assertTrue(KPageFlags.has(f, KPageFlags.HUGE), "frame " + pfns[i] + ": " + KPageFlags.names(f));
                    if (KPageFlags.has(f, KPageFlags.COMPOUND_HEAD)) heads++;
                }
            }
            assertEquals(16, heads, "one head frame per huge page");

            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> all = Tool.groups(r, "single").get("all");
            long rss = Tool.num(all, "mem_rss"), uss = Tool.num(all, "mem_uss");
            assertTrue(rss >= 32 * MiB && rss <= 32 * MiB + SLACK, "mem_rss " + rss);
            assertTrue(uss >= 32 * MiB && uss <= rss, "mem_uss " + uss);
        }
    }

    @Test
    void transparentHugePagesAreCountedIn4KiBFrames() throws IOException {
        try (Workload w = Workload.start(Map.of(), "thp:32")) {
            long thp = Tool.smapsSum(w.pid(), "AnonHugePages");
            assertTrue(thp >= 16 * MiB, "the kernel gave only " + thp / MiB + " MiB of THP: nothing to check");
            Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> all = Tool.groups(r, "single").get("all");
            for (String col : List.of("mem_rss", "mem_anon", "mem_uss")) {
                long v = Tool.num(all, col);
                assertTrue(v >= 32 * MiB && v <= 32 * MiB + SLACK, col + " " + v / MiB + " MiB");
            }
        }
    }

    static SysvShmPages.SegmentPages hugeSegment(long size, long kernelRss) {
        SysvShm.Segment s = new SysvShm.Segment(1, 7, 0600, size, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, kernelRss, 0);
        return new SysvShmPages.SegmentPages(s, kernelRss, 2 * MiB, 0, -1);
    }

    static Meminfo meminfo(long total, long free) {
        return Meminfo.parse("HugePages_Total: " + total + "\nHugePages_Free: " + free + "\nHugePages_Rsvd: 0\nHugepagesize: 2048 kB\n");
    }

    @Test
    void inflatedHugetlbRssIsRecognised() {
        long page = 4096, gib = 1024 * MiB;
        // 6.x: 16 huge pages of a 64 MiB segment read as 16 GiB
        assertTrue(SysvShmPages.hugetlbRssInflated(List.of(hugeSegment(64 * MiB, 16 * gib)), meminfo(40, 24), page));
        // sparse: 1 huge page of a 4 GiB segment reads as 1 GiB, within the size; more than the pages in use
        assertTrue(SysvShmPages.hugetlbRssInflated(List.of(hugeSegment(4 * gib, gib)), meminfo(4, 3), page));
        // a kernel that counts right: 1 GiB of a 4 GiB segment with 512 pages in use
        assertFalse(SysvShmPages.hugetlbRssInflated(List.of(hugeSegment(4 * gib, gib)), meminfo(2048, 1536), page));
        // not a multiple of 512 huge pages: cannot be inflated
        assertFalse(SysvShmPages.hugetlbRssInflated(List.of(hugeSegment(64 * MiB, 32 * MiB)), meminfo(16, 0), page));
        assertFalse(SysvShmPages.hugetlbRssInflated(List.of(), meminfo(16, 0), page));
    }
}
