import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** procinfo on real processes with known memory, checked against the kernel's own /proc/PID/smaps. Needs root. */
@NeedsRoot
class ProcinfoTest {
    static final long MiB = Tool.MiB;
    static final long PAGE = 4096;

    static Tool.Result procinfo(String... args) {
        return Tool.run(procinfo.commandLine(), args);
    }

    /** Per-mapping kB fields of /proc/PID/smaps (or a snapshot's), keyed by start address. */
    static Map<Long, Map<String, Long>> smaps(Path file) throws IOException {
        Map<Long, Map<String, Long>> out = new LinkedHashMap<>();
        Map<String, Long> current = null;
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            if (Character.digit(line.charAt(0), 16) >= 0 && line.indexOf('-') > 0 && (colon < 0 || colon > line.indexOf(' '))) {
                current = new LinkedHashMap<>();
                out.put(Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16), current);
            } else if (current != null && line.endsWith(" kB")) {
                current.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()) * 1024);
            }
        }
        return out;
    }

    static long sum(Map<Long, Map<String, Long>> smaps, String field) {
        return smaps.values().stream().mapToLong(m -> m.getOrDefault(field, 0L)).sum();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static long n(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    /** procinfo's JSON mappings of one process, keyed by start address. */
    static Map<Long, Map<String, Object>> mappings(Map<String, Object> process) {
        Map<Long, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> m : list(process.get("mappings"))) {
            out.put(Long.parseUnsignedLong(((String) m.get("start")).substring(2), 16), m);
        }
        return out;
    }

    /** The one mapping of this size (and pathname) in procinfo's output. */
    static Map<String, Object> mappingOf(Map<String, Object> process, long sizeBytes, String pathname) {
        List<Map<String, Object>> found = list(process.get("mappings")).stream()
                .filter(m -> n(m, "vsz_bytes") == sizeBytes && m.get("pathname").equals(pathname)).toList();
        assertEquals(1, found.size(), "mappings of " + sizeBytes / MiB + " MiB named '" + pathname + "': " + found);
        return found.get(0);
    }

    /**
     * procinfo --format json of one live pid, with smaps read before and after: retried until nothing
     * moved in between (other tests on this machine may swap on/off while we read).
     */
    record Reading(Map<String, Object> process, Map<Long, Map<String, Long>> smaps) {
    }

    static Reading readStable(int pid) throws IOException {
        Path smapsFile = Path.of("/proc/" + pid + "/smaps");
        for (int attempt = 0; ; attempt++) {
            Map<Long, Map<String, Long>> before = smaps(smapsFile);
            Tool.Result r = procinfo("--format", "json", Integer.toString(pid));
            assertEquals(0, r.exit(), r.toString());
            Map<Long, Map<String, Long>> after = smaps(smapsFile);
            if (before.equals(after) || attempt == 4) {
                return new Reading(list(r.json().get("processes")).get(0), after);
            }
        }
    }

    /** Every mapping's RSS and swap equal the kernel's Rss (+ *_Hugetlb) and Swap, and the totals their sums. */
    static void assertAgreesWithSmaps(Map<String, Object> process, Map<Long, Map<String, Long>> smaps) {
        Map<Long, Map<String, Object>> ours = mappings(process);
        assertEquals(smaps.keySet(), ours.keySet(), "the same mappings as smaps");
        for (var e : ours.entrySet()) {
            Map<String, Long> k = smaps.get(e.getKey());
            String where = e.getValue().get("start") + " " + e.getValue().get("pathname");
            long kernelRss = k.getOrDefault("Rss", 0L) + k.getOrDefault("Private_Hugetlb", 0L) + k.getOrDefault("Shared_Hugetlb", 0L);
            assertEquals(kernelRss, n(e.getValue(), "rss_bytes"), "RSS of " + where);
            assertEquals(k.getOrDefault("Swap", 0L), n(e.getValue(), "swap_bytes"), "swap of " + where);
            assertEquals(k.get("Size"), n(e.getValue(), "vsz_bytes"), "size of " + where);
        }
        Map<String, Object> total = map(process.get("total"));
        assertEquals(sum(smaps, "Rss") + sum(smaps, "Private_Hugetlb") + sum(smaps, "Shared_Hugetlb"), n(total, "rss_bytes"));
        assertEquals(sum(smaps, "Swap"), n(total, "swap_bytes"));
    }

    /** A swap file of our own, on for the test and off (only it) and deleted afterwards. */
    static final class TestSwap implements AutoCloseable {
        final Path file;

        TestSwap(long mib) throws IOException, InterruptedException {
            file = Path.of("/var/tmp/procinfo-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".swap");
            try (OutputStream o = Files.newOutputStream(file)) {
                byte[] zeros = new byte[(int) MiB];
                for (long i = 0; i < mib; i++) o.write(zeros);
            }
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            try {
                exec("mkswap", file.toString());
                exec("swapon", file.toString());
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
        }

        static void exec(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + log);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                if (Files.readString(Path.of("/proc/swaps")).contains(file.toString())) exec("swapoff", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void summaryCountsMatchPrivateSharedFileSwappedZeroAndThpPages() throws Exception {
        Path dir = Files.createTempDirectory("procinfo-test");
        Path shared = dir.resolve("shared.dat");
        try (TestSwap swap = new TestSwap(256);
             Workload other = Workload.start(Map.of(), "file:" + shared + ":16");
             Workload w = Workload.start(Map.of(), "anon:64", "pageout", "read:8", "file:" + shared + ":16", "anon:32",
                     "zero:4", "thp:8")) {
            Reading reading = readStable(w.pid());
            Map<String, Object> p = reading.process();
            assertAgreesWithSmaps(p, reading.smaps());

            // 64 MiB written, all paged out, the first 8 MiB read back: resident again and still in the swap cache
            Map<String, Object> swapped = mappingOf(p, 64 * MiB, "");
            assertEquals(8 * MiB, n(swapped, "rss_bytes"), swapped.toString());
            assertEquals(56 * MiB, n(swapped, "swap_bytes"), swapped.toString());
            assertEquals(8 * MiB / PAGE, n(swapped, "anon_pages"));
            assertEquals(8 * MiB / PAGE, n(swapped, "swapcache_pages"));
            assertEquals(0, n(swapped, "file_pages"));
            assertEquals(0, n(swapped, "shared_pages"));

            // the file both processes map: page cache, every page mapped twice
            Map<String, Object> file = mappingOf(p, 16 * MiB, shared.toString());
            assertEquals(16 * MiB, n(file, "rss_bytes"));
            assertEquals(16 * MiB / PAGE, n(file, "file_pages"));
            assertEquals(16 * MiB / PAGE, n(file, "shared_pages"));
            assertEquals(0, n(file, "anon_pages"));
            assertEquals(0, n(file, "swap_bytes"));

            Map<String, Object> priv = mappingOf(p, 32 * MiB, "");
            assertEquals(32 * MiB / PAGE, n(priv, "anon_pages"));
            assertEquals(32 * MiB, n(priv, "rss_bytes"));
            assertEquals(0, n(priv, "shared_pages"));
            assertEquals(0, n(priv, "swapcache_pages"));
            assertEquals(0, n(priv, "zero_pages"));

            // read-only touched: each read fault maps the shared zero page, which is no RSS (smaps does not count
            // it either), or, on a kernel booted not to use it, a private zeroed page; smaps says which it did
            Map<String, Object> zero = mappingOf(p, 4 * MiB, "");
            Map<String, Long> zeroSmaps = reading.smaps().get(Long.parseUnsignedLong(((String) zero.get("start")).substring(2), 16));
            long privateRead = zeroSmaps.getOrDefault("Rss", 0L);
            assertEquals(privateRead, zeroSmaps.getOrDefault("Anonymous", 0L), "what a read fault took is private anon: " + zeroSmaps);
            assertEquals((4 * MiB - privateRead) / PAGE, n(zero, "zero_pages"), "every page not in Rss maps the zero page");
            assertEquals(privateRead, n(zero, "rss_bytes"));
            assertEquals(privateRead / PAGE, n(zero, "anon_pages"));
            assertEquals(0, n(zero, "shared_pages"));
            assertEquals(0, n(zero, "file_pages"));

            // THP as the kernel made them: AnonHugePages of that mapping in smaps
            Map<String, Object> thp = mappingOf(p, 8 * MiB, "");
            long start = Long.parseUnsignedLong(((String) thp.get("start")).substring(2), 16);
            assertEquals(reading.smaps().get(start).getOrDefault("AnonHugePages", 0L) / PAGE, n(thp, "thp_pages"));
            assertEquals(8 * MiB / PAGE, n(thp, "anon_pages"));

            Map<String, Object> total = map(p.get("total"));
            for (String k : List.of("anon_pages", "file_pages", "shared_pages", "swapcache_pages", "zero_pages", "thp_pages")) {
                long sum = list(p.get("mappings")).stream().mapToLong(m -> n(m, k)).sum();
                assertEquals(sum, n(total, k), "total " + k);
            }
            assertEquals(0, n(total, "hugetlb_pages"));
            assertEquals(0, n(total, "no_flags_pages"));

            // the text summary: one row per mapping, then the total row with the same figures
            Tool.Result text = procinfo("--summary", Integer.toString(w.pid()));
            assertEquals(0, text.exit(), text.toString());
            assertTrue(text.out().contains("│ total "), text.out());
            long rows = text.out().lines().filter(l -> l.startsWith("│ ") && !l.startsWith("│ start ")).count();
            assertEquals(list(p.get("mappings")).size() + 1, rows, text.out());

            // the page dump of the swapped mapping: one line per resident page and per swapped page
            Tool.Result dump = procinfo("--mapping", (String) swapped.get("start"), Integer.toString(w.pid()));
            assertEquals(0, dump.exit(), dump.toString());
            List<String> lines = dump.out().lines().toList();
            assertTrue(lines.get(1).startsWith(swapped.get("start").toString().replace("0x", "0x0000")), lines.get(1));
            assertEquals(8 * MiB / PAGE, lines.stream().filter(l -> l.startsWith("PFN=")).count());
            assertEquals(56 * MiB / PAGE, lines.stream().filter(l -> l.startsWith("SWAP=")).count());
            Pattern pfn = Pattern.compile("PFN=0x[0-9a-f]{10,} PRESENT( [A-Z_]+)* / ([A-Z_]+ )*ANON( [A-Z_]+)*");
            Pattern swp = Pattern.compile("SWAP=\\d+: 0x[0-9a-f]+");
            for (String l : lines) {
                if (l.startsWith("PFN=")) assertTrue(pfn.matcher(l).matches(), l);
                if (l.startsWith("SWAP=")) assertTrue(swp.matcher(l).matches(), l);
            }
            assertEquals("stats: VSZ=65536 KiB, RSS=8192 KiB, SWAP=57344 KiB", lines.get(lines.size() - 2));
            assertEquals("total: VSZ=65536 KiB, RSS=8192 KiB, SWAP=57344 KiB", lines.get(lines.size() - 1));
        } finally {
            Files.deleteIfExists(shared);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void totalsEqualSmapsSumsForRealProcesses() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "120").start();
        try (Workload w = Workload.start(Map.of(), "anon:24", "zero:2", "fork:1", "anon:8")) {
            for (int pid : List.of((int) sleep.pid(), w.pid(), w.children().get(0))) {
                Reading r = readStable(pid);
                assertAgreesWithSmaps(r.process(), r.smaps());
                assertTrue(n(map(r.process().get("total")), "rss_bytes") > 0);
            }
            // the fork child shares the parent's 24 MiB copy-on-write
            Reading child = readStable(w.children().get(0));
            assertTrue(n(map(child.process().get("total")), "shared_pages") >= 24 * MiB / PAGE);
        } finally {
            sleep.destroy();
            sleep.waitFor();
        }
    }

    @Test
    void snapshotTotalsEqualItsSmaps() throws Exception {
        Path fixture = Native.repoRoot().resolve("../shared/fixtures/snap-py-sample.tar.gz").normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(fixture), fixture + " is absent (only our machines have ../shared)");
        Path dir = Files.createTempDirectory("procinfo-snapshot");
        try {
            TestSwap.exec("tar", "-xzf", fixture.toString(), "-C", dir.toString());
            Path root = dir.resolve("sample");
            List<String> pids = new ArrayList<>();
            try (Stream<Path> s = Files.list(root.resolve("proc"))) {
                s.map(x -> x.getFileName().toString()).filter(x -> x.matches("\\d+")).sorted().forEach(pids::add);
            }
            List<String> args = new ArrayList<>(List.of("--procfs-root", root.toString(), "--format", "json"));
            args.addAll(pids);
            Tool.Result r = procinfo(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.toString());
            List<Map<String, Object>> processes = list(r.json().get("processes"));
            assertEquals(pids.size(), processes.size());
            for (Map<String, Object> p : processes) {
                assertAgreesWithSmaps(p, smaps(root.resolve("proc/" + p.get("pid") + "/smaps")));
            }
            // group C attaches one 128 MiB SysV segment, all of it resident: page cache (shmem), no hugetlb
            Map<String, Object> c = processes.stream().filter(p -> p.get("comm").equals("memlab_c")).findFirst().orElseThrow();
            Map<String, Object> sysv = list(c.get("mappings")).stream()
                    .filter(m -> ((String) m.get("pathname")).startsWith("/SYSV")).findFirst().orElseThrow();
            assertEquals(128 * MiB, n(sysv, "rss_bytes"));
            assertEquals(128 * MiB / PAGE, n(sysv, "file_pages"));
            assertEquals(0, n(sysv, "hugetlb_pages"));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
            }
        }
    }

    /** A kernel thread's pid: Kthread: 1 in its status. */
    static int kernelThread() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("status")).contains("\nKthread:\t1")) return Integer.parseInt(p.getFileName().toString());
                } catch (IOException gone) {
                    // raced with its exit
                }
            }
        }
        throw new AssertionError("no kernel thread found");
    }

    @Test
    void failingPidsGetOneLineEachAndTheOthersGoOn() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        int kthread = kernelThread();
        try (Workload w = Workload.start(Map.of(), "anon:4")) {
            // /proc/1 here is unreadable even to root
            Tool.Result r = procinfo("--summary", "1", Integer.toString(kthread), Long.toString(gone.pid()), Integer.toString(w.pid()));
            assertEquals(1, r.exit(), r.toString());
            List<String> err = r.err().lines().toList();
            assertEquals(3, err.size(), r.err());
            assertTrue(err.contains("procinfo: pid " + kthread + " is a kernel thread: it has no user memory"), r.err());
            assertTrue(err.contains("procinfo: pid " + gone.pid() + ": no such process"), r.err());
            assertTrue(err.stream().anyMatch(l -> l.startsWith("procinfo: pid 1: permission denied")), r.err());
            assertTrue(r.out().contains("pid " + w.pid() + " (memload"), r.out());
            assertTrue(r.out().contains("│ total "), r.out());
            assertFalse(r.err().contains("Exception"), r.err());

            Tool.Result json = procinfo("--format", "json", Long.toString(gone.pid()), Integer.toString(w.pid()));
            assertEquals(1, json.exit(), json.toString());
            assertEquals(1, list(json.json().get("processes")).size());
            assertEquals(gone.pid(), n(list(json.json().get("errors")).get(0), "pid"));
        }
    }

    @Test
    void mappingFilterByNameOrAddress() throws Exception {
        Path dir = Files.createTempDirectory("procinfo-test");
        Path file = dir.resolve("mapped-by-name.dat");
        try (Workload w = Workload.start(Map.of(), "file:" + file + ":2", "anon:3")) {
            String pid = Integer.toString(w.pid());
            Tool.Result byName = procinfo("--mapping", "mapped-by-name", pid);
            assertEquals(0, byName.exit(), byName.toString());
            List<String> lines = byName.out().lines().toList();
            assertTrue(lines.get(0).startsWith("pid " + pid + " (memload"), lines.get(0));
            assertTrue(lines.get(1).matches("0x[0-9a-f]{16}-0x[0-9a-f]{16} rw-s \\d+ " + Pattern.quote(file.toString())), lines.get(1));
            assertEquals(2 * MiB / PAGE, lines.stream().filter(l -> l.startsWith("PFN=")).count());
            assertEquals("stats: VSZ=2048 KiB, RSS=2048 KiB, SWAP=0 KiB", lines.get(lines.size() - 2));
            assertEquals("total: VSZ=2048 KiB, RSS=2048 KiB, SWAP=0 KiB", lines.get(lines.size() - 1));

            Map<String, Object> anon = mappingOf(list(procinfo("--format", "json", pid).json().get("processes")).get(0), 3 * MiB, "");
            long inside = Long.parseUnsignedLong(((String) anon.get("start")).substring(2), 16) + 5 * PAGE;
            Tool.Result byAddr = procinfo("--summary", "--format", "json", "-m", "0x" + Long.toHexString(inside), pid);
            List<Map<String, Object>> only = list(list(byAddr.json().get("processes")).get(0).get("mappings"));
            assertEquals(1, only.size(), byAddr.out());
            assertEquals(anon.get("start"), only.get(0).get("start"));

            Tool.Result none = procinfo("-m", "no-such-mapping-name", pid);
            assertEquals(0, none.exit());
            assertTrue(none.out().endsWith("total: VSZ=0 KiB, RSS=0 KiB, SWAP=0 KiB\n"), none.out());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void refusesWithOneLineWhenNotRoot() throws Exception {
        // the test classpath lives under root's home: copy it where user nobody can read it
        Path dir = Files.createTempDirectory("procinfo-nobody");
        try {
            List<String> cp = new ArrayList<>();
            int i = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path copy = dir.resolve((i++) + ".jar");
                Files.copy(Path.of(entry), copy);
                cp.add(copy.toString());
            }
            TestSwap.exec("chmod", "-R", "a+rX", dir.toString());
            String javaBin = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", javaBin, "-cp",
                    String.join(java.io.File.pathSeparator, cp), "procinfo", "--summary", Long.toString(ProcessHandle.current().pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), err);
            assertEquals(List.of("procinfo: needs root: as another user /proc/PID/pagemap shows no physical frames (PFNs)"),
                    err.lines().toList());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
            }
        }
    }

    @Test
    void usageErrorsAreOneLine() {
        for (String[] args : List.of(new String[]{}, new String[]{"abc"}, new String[]{"-m", "0xZZ", "1"}, new String[]{"--format", "xml", "1"})) {
            Tool.Result r = procinfo(args);
            assertEquals(2, r.exit(), List.of(args) + " " + r);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("procinfo: "), r.err());
        }
        Tool.Result missing = procinfo("--procfs-root", "/nonexistent/proc", "1");
        assertEquals(1, missing.exit(), missing.toString());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }

    @Test
    void runsAsAScriptThroughJbang() throws Exception {
        try (Workload w = Workload.start(Map.of(), "anon:6")) {
            Process p = new ProcessBuilder(Native.repoRoot().resolve("jbang").toString(), "procinfo.java", "--summary",
                    Integer.toString(w.pid())).directory(Native.repoRoot().toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(180, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("│ total "), out);
            assertTrue(out.contains(" 6.00 MiB │"), "the 6 MiB mapping: " + out);
        }
    }

    /** comm and pathnames are their owner's: escape sequences in them must not reach root's terminal. */
    @Test
    void controlCharactersOfOtherUsersAreEscapedInText() throws Exception {
        Path dir = Files.createTempDirectory("procinfo-esc");
        Path file = dir.resolve("f\u001b]0;x\u0007.dat");
        try (Workload w = MemstatsCliTest.escapeWorkload(dir, "file:" + file + ":1")) {
            String pid = Integer.toString(w.pid());
            String comm = "m\\x1b[2J\\x1b]0;x\\x07y", path = "f\\x1b]0;x\\x07.dat";
            Tool.Result summary = procinfo("--summary", pid);
            assertEquals(0, summary.exit(), summary.toString());
            assertTrue(summary.out().contains("pid " + pid + " (" + comm + "): "), summary.out());
            assertTrue(summary.out().contains(path + " "), summary.out());
            MemstatsCliTest.assertNothingForATerminal(summary.out() + summary.err());

            Tool.Result dump = procinfo("-m", "dat", pid);
            assertEquals(0, dump.exit(), dump.toString());
            assertTrue(dump.out().startsWith("pid " + pid + " (" + comm + ")\n"), dump.out());
            assertTrue(dump.out().lines().anyMatch(l -> l.startsWith("0x") && l.endsWith(path)), dump.out());
            MemstatsCliTest.assertNothingForATerminal(dump.out() + dump.err());

            Tool.Result json = procinfo("--format", "json", pid);
            MemstatsCliTest.assertNothingForATerminal(json.out());
            assertEquals(MemstatsCliTest.ESC_COMM, list(json.json().get("processes")).get(0).get("comm"));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir.resolve(MemstatsCliTest.ESC_COMM));
            Files.deleteIfExists(dir);
        }
    }

    /** stdout on a full disk: procinfo said nothing and exited 0. */
    @Test
    void lostOutputIsExit1AndOneLine() throws Exception {
        try (Workload w = Workload.start(Map.of(), "anon:2")) {
            String pid = Integer.toString(w.pid());
            Tool.assertOutputLost("procinfo", Tool.toDevFull("procinfo", "--summary", pid), true);
            Tool.assertOutputLost("procinfo", Tool.toDevFull("procinfo", "--format", "json", pid), true);
            Tool.assertOutputLost("procinfo", Tool.toDevFull("procinfo", pid), true);
        }
    }
}
