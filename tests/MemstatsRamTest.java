import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * memstats ram, live and on a snapshot made by snap: the rows add up to the frames of /proc/iomem's
 * System RAM ranges, each class agrees with /proc/meminfo sampled all along the run (the counters move
 * while kpageflags is read), and a workload's known anonymous memory is in the mapped part of anonymous.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NeedsRoot
class MemstatsRamTest {
    static final long MiB = Tool.MiB;
    static final long WORKLOAD_ANON = 64 * MiB;
    Workload w;
    long pageSize, ramFrames;
    Tool.Result live, snapRun, offline;
    Samples liveSamples, snapSamples;
    Path dir;

    /** Each meminfo field's lowest and highest value (bytes, or a count for HugePages_*) while a run lasted. */
    record Samples(Map<String, Long> min, Map<String, Long> max) {
        long min(String f) {
            return min.getOrDefault(f, -1L);
        }

        long max(String f) {
            return max.getOrDefault(f, -1L);
        }
    }

    /** Runs the action while reading /proc/meminfo every few milliseconds, before and after included. */
    static <T> T sampling(Samples s, Supplier<T> action) {
        AtomicBoolean done = new AtomicBoolean();
        Thread t = new Thread(() -> {
            do {
                sample(s);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            } while (!done.get());
            sample(s);
        });
        sample(s);
        t.start();
        try {
            return action.get();
        } finally {
            done.set(true);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void sample(Samples s) {
        try {
            for (var e : lib.proc.Meminfo.parse(Files.readString(Path.of("/proc/meminfo"))).values().entrySet()) {
                s.min().merge(e.getKey(), e.getValue(), Math::min);
                s.max().merge(e.getKey(), e.getValue(), Math::max);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Frames of the top-level System RAM ranges, counted here from the text of /proc/iomem. */
    static long ramFramesOfIomem(long pageSize) throws IOException {
        long frames = 0;
        for (String line : Files.readAllLines(Path.of("/proc/iomem"))) {
            if (line.startsWith(" ") || !line.endsWith(" : System RAM")) continue;
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            long start = Long.parseUnsignedLong(range[0], 16), end = Long.parseUnsignedLong(range[1], 16);
            frames += (end + 1) / pageSize - (start + pageSize - 1) / pageSize;
        }
        return frames;
    }

    @BeforeAll
    void run() throws IOException {
        pageSize = lib.proc.PageSize.live();
        ramFrames = ramFramesOfIomem(pageSize);
        w = Workload.start(Map.of(), "anon:" + WORKLOAD_ANON / MiB);
        String only = "pid(" + w.pid() + ")";
        liveSamples = new Samples(new HashMap<>(), new HashMap<>());
        live = sampling(liveSamples, () -> Tool.memstats("--filter", only, "ram", "--format", "json"));
        dir = Files.createTempDirectory("ramtest");
        snapSamples = new Samples(new HashMap<>(), new HashMap<>());
        snapRun = sampling(snapSamples, () -> Tool.run(snap.commandLine(), "run", dir.resolve("s").toString()));
        offline = Tool.memstats("--procfs-root", dir.resolve("s.tar.gz").toString(), "--filter", only, "ram", "--format", "json");
    }

    @AfterAll
    void cleanUp() throws IOException {
        if (w != null) w.close();
        SnapTest.deleteTree(dir);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> rows(Tool.Result r) {
        assertEquals(0, r.exit(), r.toString());
        Map<String, Map<String, Object>> byClass = new java.util.LinkedHashMap<>();
        for (Object o : (List<Object>) ((Map<String, Object>) r.json().get("ram")).get("rows")) {
            Map<String, Object> row = (Map<String, Object>) o;
            byClass.put((String) row.get("class"), row);
        }
        return byClass;
    }

    static long bytes(Map<String, Map<String, Object>> rows, String cls) {
        return Tool.num(rows.get(cls), "bytes");
    }

    @SuppressWarnings("unchecked")
    void rowsAddUpToTheRam(Tool.Result r) {
        Map<String, Object> ram = (Map<String, Object>) r.json().get("ram");
        assertEquals(ramFrames, Tool.num(ram, "frames"), "RAM frames of /proc/iomem");
        long sum = 0, mapped = 0, unmapped = 0;
        for (Map<String, Object> row : rows(r).values()) {
            sum += Tool.num(row, "frames");
            assertEquals(Tool.num(row, "frames") * pageSize, Tool.num(row, "mapped") + Tool.num(row, "not_mapped"), row.toString());
            mapped += Tool.num(row, "mapped");
            unmapped += Tool.num(row, "not_mapped");
        }
        assertEquals(ramFrames, sum, "the rows add up to the RAM frames");
        assertEquals(ramFrames * pageSize, mapped + unmapped);
    }

    @Test
    void liveRowsAddUpToTheFramesOfSystemRam() {
        rowsAddUpToTheRam(live);
    }

    @Test
    void snapshotRowsAddUpToTheFramesOfSystemRam() {
        assertEquals(0, snapRun.exit(), snapRun.toString());
        rowsAddUpToTheRam(offline);
    }

    /**
     * Each class within its meminfo counter's range over the run, widened by a slack for what the two
     * count differently (README, "memstats ram": tolerances). The slack: 1% of RAM, at least 32 MiB, for
     * pages that change class while kpageflags is swept in address order (a page freed behind the sweep
     * and allocated ahead of it is seen twice) and per-cpu free lists, which are neither buddy nor MemFree.
     */
    void agreesWithMeminfo(Tool.Result r, Samples s) {
        Map<String, Map<String, Object>> rows = rows(r);
        long slack = Math.max(32 * MiB, ramFrames * pageSize / 100);
        String all = rows.toString();
        // free: buddy frames; MemFree also counts frames the kernel has not initialised yet (no flags: kernel row)
        long free = bytes(rows, "free"), noFlags = bytes(rows, "kernel");
        assertTrue(free <= s.max("MemFree") + slack, "free " + free + " vs MemFree " + s.max("MemFree") + all);
        assertTrue(s.min("MemFree") <= free + noFlags + slack, "MemFree " + s.min("MemFree") + " vs free + no flags " + all);
        // anonymous: AnonPages counts mapped anon pages; anon pages only in the swap cache are ANON frames too
        within("anon+thp", bytes(rows, "anon") + bytes(rows, "thp"),
                s.min("AnonPages") + s.min("ShmemHugePages"), s.max("AnonPages") + s.max("ShmemHugePages") + s.max("SwapCached"), slack, all);
        // shmem: Shmem counts shmem THP too, which are in the THP row
        within("shmem", bytes(rows, "shmem"), s.min("Shmem") - s.max("ShmemHugePages"), s.max("Shmem"), slack, all);
        within("page cache", bytes(rows, "file"), s.min("Cached") + s.min("Buffers") - s.max("Shmem"),
                s.max("Cached") + s.max("Buffers") - s.min("Shmem"), slack, all);
        // hugetlb: every frame of a hugetlb page (all sizes) carries HUGE; Hugetlb counts them all: no slack
        within("hugetlb", bytes(rows, "hugetlb_mapped") + bytes(rows, "hugetlb_unmapped"), s.min("Hugetlb"), s.max("Hugetlb"), 0, all);
        within("slab", bytes(rows, "slab"), s.min("Slab"), s.max("Slab"), slack, all);
        within("page tables", bytes(rows, "pgtable"), s.min("PageTables"), s.max("PageTables") + Math.max(0, s.max("SecPageTables")), slack, all);
        // reserved frames are not in MemTotal (boot reservations: kernel image, firmware); more may be left without flags
        long notInMemTotal = ramFrames * pageSize - s.min("MemTotal");
        assertTrue(bytes(rows, "reserved") <= notInMemTotal + slack, "reserved vs RAM-MemTotal " + notInMemTotal + all);
    }

    static void within(String what, long value, long low, long high, long slack, String all) {
        assertTrue(low >= 0 || high >= 0, what + ": meminfo lacks the fields");
        assertTrue(value >= low - slack && value <= high + slack,
                what + " " + value + " not in [" + low + ", " + high + "] ± " + slack + ": " + all);
    }

    @Test
    void liveClassesAgreeWithMeminfo() {
        agreesWithMeminfo(live, liveSamples);
    }

    /** The snapshot's kpageflags against meminfo sampled while snap ran (its own meminfo is one of those instants). */
    @Test
    void snapshotClassesAgreeWithMeminfo() {
        agreesWithMeminfo(offline, snapSamples);
    }

    /** The meminfo column: the snapshot's own meminfo, not this machine's now. */
    @Test
    void snapshotComparesWithItsOwnMeminfo() throws IOException {
        lib.proc.Meminfo saved;
        try (lib.proc.ProcFs p = lib.snapshot.ProcRoot.open(dir.resolve("s.tar.gz").toString())) {
            saved = lib.proc.Meminfo.parse(p.readString("meminfo"));
        }
        assertEquals(saved.get("MemFree"), Tool.num(rows(offline).get("free"), "meminfo"));
        assertEquals(saved.get("Slab"), Tool.num(rows(offline).get("slab"), "meminfo"));
    }

    /** Its 64 MiB are mapped anonymous frames of the one process scanned; no other class is mapped by much. */
    void workloadIsMappedAnonymous(Tool.Result r, long smapsAnon) {
        Map<String, Map<String, Object>> rows = rows(r);
        long anonMapped = Tool.num(rows.get("anon"), "mapped") + Tool.num(rows.get("thp"), "mapped");
        assertTrue(anonMapped >= WORKLOAD_ANON, "mapped anonymous " + anonMapped + " " + rows);
        assertTrue(anonMapped <= smapsAnon, "mapped anonymous " + anonMapped + " above smaps' Anonymous " + smapsAnon + " " + rows);
        assertTrue(Tool.num(rows.get("free"), "mapped") == 0, "a mapped frame is not free " + rows);
    }

    @Test
    void workloadAnonymousIsMappedLive() throws IOException {
        workloadIsMappedAnonymous(live, Tool.smapsSum(w.pid(), "Anonymous"));
    }

    @Test
    void workloadAnonymousIsMappedInTheSnapshot() throws IOException {
        workloadIsMappedAnonymous(offline, Tool.smapsSum(w.pid(), "Anonymous"));
    }

    /** Text: one line per class, a total that is the RAM, and the header says how many frames. */
    @Test
    void textTableEndsWithTheRamTotal() {
        Tool.Result r = Tool.memstats("--filter", "pid(" + w.pid() + ")", "ram");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("Whole RAM: " + ramFrames + " frames of " + pageSize / 1024 + " KiB"), r.out());
        String total = r.out().lines().filter(l -> l.contains("total (RAM)")).findFirst().orElseThrow();
        assertTrue(total.contains(" " + ramFrames + " "), total);
    }

    /** --ram on single adds the section beside the groups; without it there is none (kpageflags is not read). */
    @Test
    void ramSectionOnlyWhenAsked() {
        String only = "pid(" + w.pid() + ")";
        Tool.Result with = Tool.memstats("--filter", only, "--no-db", "single", "--ram", "--format", "json");
        rowsAddUpToTheRam(with);
        assertNotNull(with.json().get("splits"), with.out());
        Tool.Result without = Tool.memstats("--filter", only, "--no-db", "single", "--format", "json");
        assertEquals(0, without.exit(), without.toString());
        assertNull(without.json().get("ram"), without.out());
    }

    /** Threads take disjoint stretches of whole chunks: a gap or an overlap would change the total. */
    @Test
    void threadsNeitherMissNorRepeatFrames() {
        rowsAddUpToTheRam(Tool.memstats("-t", "3", "--filter", "pid(" + w.pid() + ")", "ram", "--format", "json"));
    }

    /** A source without kpageflags: one line, exit 1, before any page is read. */
    @Test
    void sourceWithoutKpageflagsIsOneLine() throws Exception {
        Path d = Files.createTempDirectory(dir, "nokpf");
        Process tar = new ProcessBuilder("tar", "-xzf", dir.resolve("s.tar.gz").toString(), "-C", d.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor(), "tar extracts the snapshot");
        Path root;
        try (var s = Files.walk(d)) {
            root = s.filter(p -> p.getFileName().toString().equals("kpageflags")).findFirst().orElseThrow().getParent();
        }
        Files.delete(root.resolve("kpageflags"));
        Tool.Result r = Tool.memstats("--procfs-root", root.toString(), "ram");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("has no kpageflags"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }
}
