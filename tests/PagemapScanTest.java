import lib.proc.Maps;
import lib.proc.PageSize;
import lib.proc.PagemapScan;
import lib.proc.ProcFs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PAGEMAP_SCAN (lib.proc.PagemapScan): reading only the parts the kernel reports finds every present
 * and swapped entry a full read finds, and the tools give the same results with it switched off (the
 * path of kernels older than 6.7). Needs root and a kernel with the ioctl (skips otherwise).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PagemapScanTest {
    static final long MiB = Tool.MiB;
    final String var = "MEMTEST_SCAN_" + ProcessHandle.current().pid();
    KernelObjects.SwapFile swap;
    Workload w;
    Path dir;
    long page;

    @BeforeAll
    void start() throws IOException {
        Assumptions.assumeTrue(PagemapScan.supported(), "this kernel has no PAGEMAP_SCAN (Linux 6.7+)");
        page = PageSize.live();
        dir = Files.createTempDirectory("pagemapscan");
        swap = new KernelObjects.SwapFile(64);
        // resident, file-backed, zero-page, THP, swapped, a 4 GiB reservation and a 16 GiB mapping with 8 MiB written
        w = Workload.start(Map.of(var, "A"), "anon:8", "file:" + dir.resolve("f") + ":4", "zero:4", "thp:8",
                "reserve:4096", "spread:16384:8", "anon:6", "pageout", "read:2", "fork:1", "anon:2");
    }

    @AfterAll
    void stop() throws IOException {
        if (w != null) w.close();
        if (swap != null) swap.close();
        if (dir != null) SnapTest.deleteTree(dir);
    }

    /** vaddr -> entry of every present or swapped page of the process's mappings, read through file; only parts when asked. */
    TreeMap<Long, Long> entries(ProcFs.PositionalFile file, int pid, boolean partsOnly, long[] bytesRead) throws IOException {
        TreeMap<Long, Long> out = new TreeMap<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Maps.Mapping m : Maps.parse(Files.readString(Path.of("/proc/" + pid + "/maps")))) {
            if (m.kind() == Maps.Kind.VSYSCALL) continue;
            ProcFs.Part read = (from, to) -> {
                for (long pos = from; pos < to; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
                    int n = file.read(buf, pos);
                    if (n <= 0) break;
                    bytesRead[0] += n;
                    for (int i = 0; i + 8 <= n; i += 8) {
                        long e = buf.getLong(i);
                        // soft-dirty, exclusive and uffd-wp may change between two reads; the PFN or swap slot may not
                        if ((e & (lib.pages.PageMap.PRESENT | lib.pages.PageMap.SWAPPED)) != 0) out.put((pos + i) / 8 * page, e & ~(7L << 55));
                    }
                    pos += n;
                }
            };
            if (partsOnly) file.presentParts(m.start() / page * 8, m.end() / page * 8, read);
            else read.range(m.start() / page * 8, m.end() / page * 8);
        }
        return out;
    }

    @Test
    void thePartsHoldEveryPresentAndSwappedEntryAndSkipTheRest() throws IOException {
        for (int pid : w.pids()) {
            long[] full = {0}, parts = {0};
            TreeMap<Long, Long> all;
            try (FileChannel ch = FileChannel.open(Path.of("/proc/" + pid + "/pagemap"), StandardOpenOption.READ)) {
                all = entries(ProcFs.PositionalFile.of(ch), pid, false, full);
            }
            TreeMap<Long, Long> scanned;
            try (PagemapScan.File f = PagemapScan.File.open(Path.of("/proc/" + pid + "/pagemap"), page)) {
                scanned = entries(f, pid, true, parts);
            }
            assertTrue(all.values().stream().anyMatch(e -> e < 0), "present pages");
            assertTrue(all.values().stream().anyMatch(e -> (e & lib.pages.PageMap.SWAPPED) != 0), "swapped pages (MADV_PAGEOUT)");
            assertEquals(all, scanned, "pid " + pid);
            // 20 GiB of address space, ~40 MiB written: the parts are a few MiB of it (merged gaps of up to 1 MiB included)
            assertTrue(full[0] > 20 * 1024 * MiB / page * 8, "full read " + full[0]);
            assertTrue(parts[0] < 128 * MiB / page * 8, "pagemap bytes read in the parts: " + parts[0]);
        }
    }

    /** Pages walked by the one pagemap walker over the first process's mappings, through the live ProcFs; entries read in [1]. */
    long[] walk() throws IOException {
        try (ProcFs proc = new lib.proc.LiveProcFs(); ProcFs.PositionalFile f = proc.open(w.pid(), "pagemap")) {
            lib.pages.PagemapWalker walker = new lib.pages.PagemapWalker(page);
            long[] held = {0};
            for (Maps.Mapping m : proc.maps(w.pid())) {
                if (m.kind() == Maps.Kind.VSYSCALL) continue;
                walker.walk(f, m, (mapping, vaddr, e, n) -> {
                    for (int i = 0; i < n; i++) if ((e[i] & (lib.pages.PageMap.PRESENT | lib.pages.PageMap.SWAPPED)) != 0) held[0]++;
                });
            }
            return new long[]{held[0], walker.entriesRead()};
        }
    }

    /** With PAGEMAP_SCAN the walker reads the parts, not the 20 GiB of address space. */
    @Test
    void theWalkerReadsOnlyTheParts() throws IOException {
        long[] r = walk();
        assertTrue(r[0] > 30 * MiB / page, "present or swapped pages " + r[0]);
        assertTrue(r[1] < 128 * MiB / page, "entries read " + r[1] + " of " + 20 * 1024 * MiB / page);
    }

    /** Without it (older kernels) smaps says which mappings hold nothing: the 4 GiB reservation is skipped, the rest read whole. */
    @Test
    void withoutItTheWalkerSkipsWhatSmapsShowsEmpty() throws IOException {
        long[] with = walk();
        long[][] without = new long[1][];
        withoutScan(() -> {
            try {
                without[0] = walk();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
        assertEquals(with[0], without[0][0], "the same present and swapped pages");
        assertTrue(without[0][1] >= 16 * 1024 * MiB / page, "the 16 GiB mapping holds pages: read whole (" + without[0][1] + ")");
        assertTrue(without[0][1] < (16 * 1024 + 512) * MiB / page, "the 4 GiB reservation skipped: " + without[0][1] + " entries read");
    }

    /** Older kernels' path reads status and smaps of a process any user named with bytes that are not UTF-8: it still works. */
    @Test
    void withoutItAProcessNamedInAnyBytesIsReadToo() {
        // "ev\xffil": comm holds any byte but NUL, and status prints it as it is
        try (Workload odd = Workload.start(Map.of(), "name:6576ff696c", "reserve:4096", "anon:8")) {
            String filter = "pid(" + odd.pid() + ")";
            Tool.Result with = Tool.memstats("-f", filter, "single", "--format", "json");
            Tool.Result without = withoutScan(() -> Tool.memstats("-f", filter, "single", "--format", "json"));
            assertEquals(0, without.exit(), without.toString());
            assertEquals(Tool.groups(with, "single"), Tool.groups(without, "single"));
            assertTrue(Tool.num(Tool.groups(without, "single").get("all"), "mem_anon") >= 8 * MiB, without.out());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aFullRegionBufferContinuesWhereTheKernelStopped() throws IOException {
        long both = PagemapScan.PAGE_IS_PRESENT | PagemapScan.PAGE_IS_SWAPPED;
        List<Maps.Mapping> maps = Maps.parse(Files.readString(Path.of("/proc/" + w.pid() + "/maps")));
        long start = maps.get(0).start(), end = maps.stream().filter(m -> m.kind() != Maps.Kind.VSYSCALL).mapToLong(Maps.Mapping::end).max().orElseThrow();
        try (PagemapScan.File f = PagemapScan.File.open(Path.of("/proc/" + w.pid() + "/pagemap"), page);
             PagemapScan.Scanner one = new PagemapScan.Scanner(1); PagemapScan.Scanner many = new PagemapScan.Scanner(4096)) {
            TreeMap<Long, Long> a = new TreeMap<>(), b = new TreeMap<>();
            long[] calls = {0};
            one.scan(f, start, end, both, both, (s, e, c) -> { merge(a, s, e); calls[0]++; });
            many.scan(f, start, end, both, both, (s, e, c) -> merge(b, s, e));
            assertEquals(b, a, "the same pages, one region per call or many");
            assertTrue(calls[0] > 3, "several regions: " + calls[0]);
        }
    }

    /** Adds [s, e) to disjoint ranges start -> end, joining adjacent ones. */
    static void merge(TreeMap<Long, Long> ranges, long s, long e) {
        Map.Entry<Long, Long> last = ranges.lastEntry();
        if (last != null && last.getValue() == s) ranges.put(last.getKey(), e);
        else ranges.put(s, e);
    }

    /** The same command with PAGEMAP_SCAN and without (as on kernels before 6.7): the same part of the JSON. */
    static void sameWithAndWithout(Supplier<Tool.Result> run, String key) {
        Tool.Result[] r = withAndWithout(run);
        assertNotNull(r[0].json().get(key), r[0].toString());
        assertEquals(r[1].json().get(key), r[0].json().get(key));
    }

    /** The results of run with PAGEMAP_SCAN and with it switched off; both exit 0. */
    static Tool.Result[] withAndWithout(Supplier<Tool.Result> run) {
        Tool.Result with = run.get(), without = withoutScan(run);
        assertEquals(0, with.exit(), with.toString());
        assertEquals(0, without.exit(), without.toString());
        return new Tool.Result[]{with, without};
    }

    /** run with PAGEMAP_SCAN switched off, as tests of other classes force the older kernels' path. */
    static Tool.Result withoutScan(Supplier<Tool.Result> run) {
        String was = System.getProperty(PagemapScan.SWITCH_PROPERTY);
        System.setProperty(PagemapScan.SWITCH_PROPERTY, "off");
        try {
            return run.get();
        } finally {
            if (was == null) System.clearProperty(PagemapScan.SWITCH_PROPERTY);
            else System.setProperty(PagemapScan.SWITCH_PROPERTY, was);
        }
    }

    @Test
    void memstatsGivesTheSameGroupsWithoutIt() {
        sameWithAndWithout(() -> Tool.memstats("--filter", "env_k(" + var + ")", "groups", "-c", "pid(" + w.pid() + ")", "--format", "json"), "splits");
    }

    @Test
    void procinfoGivesTheSameMappingsWithoutIt() {
        for (int pid : w.pids()) sameWithAndWithout(() -> Tool.run(procinfo.commandLine(), "--format", "json", Integer.toString(pid)), "processes");
    }
}
