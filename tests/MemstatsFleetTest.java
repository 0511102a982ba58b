import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * memstats for fleets (issue 14): Prometheus and CSV output, -o, mem_share, cgroup and comm
 * splitters, the new filters; on real processes, real cgroups, the real promtool and node_exporter.
 */
@NeedsRoot
class MemstatsFleetTest {
    static final long MiB = Tool.MiB;
    static final String RUN = Long.toString(ProcessHandle.current().pid());

    private static String only(List<Integer> pids) {
        return "or(" + MemstatsGroupsTest.pidFilters(pids) + ")";
    }

    // ---- mem_share -------------------------------------------------------------------------

    /** Frames of a process as memstats counts them: present pages of every mapping but [vsyscall] and SysV shm. */
    static Set<Long> frames(int pid) throws IOException {
        return frames(pid, null);
    }

    /** The same, of the mappings of this path only (null: all). */
    static Set<Long> frames(int pid, Path only) throws IOException {
        Set<Long> out = new HashSet<>();
        try (RandomAccessFile pm = new RandomAccessFile("/proc/" + pid + "/pagemap", "r")) {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                String[] f = line.split("\\s+", 6);
                String path = f.length > 5 ? f[5] : "";
                if (path.equals("[vsyscall]") || path.startsWith("/SYSV")) continue;
                if (only != null && !path.equals(only.toString())) continue;
                String[] range = f[0].split("-");
                long start = Long.parseUnsignedLong(range[0], 16), end = Long.parseUnsignedLong(range[1], 16);
                byte[] buf = new byte[(int) ((end - start) / 4096 * 8)];
                pm.seek(start / 4096 * 8);
                pm.readFully(buf);
                ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    long e = b.getLong();
                    if (e < 0) out.add(e & ((1L << 55) - 1));
                }
            }
        }
        return out;
    }

    @Test
    void memShareIsExactOnAFileMappedByOneTwoAndThreeGroups(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/shm")), "no /dev/shm");
        // files on tmpfs: their pages stay resident; one mapped by A only, one by A and B, one by all three
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "linuxmem-share");
        Path f1 = shm.resolve("one"), f2 = shm.resolve("two"), f3 = shm.resolve("three");
        try (Workload a = Workload.start(Map.of(), "file:" + f1 + ":6", "file:" + f2 + ":6", "file:" + f3 + ":6");
             Workload b = Workload.start(Map.of(), "file:" + f2 + ":6", "file:" + f3 + ":6");
             Workload c = Workload.start(Map.of(), "file:" + f3 + ":6")) {
            List<Integer> pids = List.of(a.pid(), b.pid(), c.pid());
            Tool.Result r = Tool.memstats("-f", only(pids), "groups", "-c", MemstatsGroupsTest.pidFilters(pids), "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Tool.Result single = Tool.memstats("-f", only(pids), "single", "--format", "json");
            // the oracle: every frame's holders counted here, shares in units of 1/6 byte (lcm of 1, 2, 3)
            List<Set<Long>> sets = new ArrayList<>();
            for (int p : pids) sets.add(frames(p));
            Map<Long, Integer> holders = new HashMap<>();
            for (Set<Long> s : sets) for (long f : s) holders.merge(f, 1, Integer::sum);
            Map<String, Map<String, Object>> g = Tool.groups(r, MemstatsGroupsTest.pidFilters(pids));
            long sum = 0;
            for (int i = 0; i < 3; i++) {
                long sixths = 0;
                for (long f : sets.get(i)) sixths += 6 * 4096 / holders.get(f);
                long share = Tool.num(g.get("pid(" + pids.get(i) + ")"), "mem_share");
                assertTrue(Math.abs(6 * share - sixths) < 6, "group " + i + ": mem_share " + share + ", exact " + sixths / 6.0);
                sum += share;
            }
            // what the kernel did: each file's 6 MiB resident, its frames held by 1, 2 and 3 groups
            List<Path> files = List.of(f1, f2, f3);
            for (int k = 0; k < 3; k++) {
                Set<Long> ff = frames(a.pid(), files.get(k));
                assertEquals(6 * MiB / 4096, ff.size(), files.get(k) + " resident in A");
                for (long f : ff) assertEquals(k + 1, holders.get(f), files.get(k) + " frame " + f);
            }
            assertEquals(Tool.num(Tool.groups(single, "single").get("all"), "mem_rss"), sum, "the shares add up to the union");
        } finally {
            for (Path p : List.of(f1, f2, f3)) Files.deleteIfExists(p);
            Files.deleteIfExists(shm);
        }
    }

    // ---- formats ---------------------------------------------------------------------------

    @Test
    void promtoolAcceptsEveryCommandsOutput() throws Exception {
        Assumptions.assumeTrue(Promtool.available(), "promtool not installed (Debian package prometheus)");
        try (Workload w = Workload.start(Map.of("MEMTEST_GROUP", "prom\"odd\\name\n" + RUN), "anon:4", "fork:2")) {
            String f = only(w.pids());
            List<List<String>> commands = List.of(
                    List.of("-f", f, "single"),
                    List.of("-f", f, "groups", "-u"),
                    List.of("-f", f, "groups", "--split-comm"),
                    List.of("-f", f, "groups", "--split-cgroup"),
                    List.of("-f", f, "groups", "-e", "MEMTEST_GROUP", "-p", w.pid() + "", "-c", "pid(" + w.pid() + "),comm(memload)"),
                    // two splitters of one name: still one series each
                    List.of("-f", f, "groups", "-e", "MEMTEST_GROUP", "-e", "MEMTEST_GROUP"),
                    List.of("-f", "false()", "single"));
            for (List<String> cmd : commands) {
                List<String> args = new ArrayList<>(cmd);
                args.addAll(List.of("--format", "prom"));
                Tool.Result r = Tool.memstats(args.toArray(String[]::new));
                assertEquals(0, r.exit(), args + "\n" + r);
                Promtool.check(r.out());
                List<Promtool.Sample> samples = Promtool.parse(r.out());
                assertTrue(samples.stream().anyMatch(s -> s.name().equals("linuxmem_scan_duration_seconds")), r.out());
                assertFalse(r.err().contains("Scanning"), "no information lines for a collector's cron job: " + r.err());
            }
        }
    }

    @Test
    void nodeExporterServesTheFileWithTheValuesJsonGives(@TempDir Path dir) throws Exception {
        try (Workload w = Workload.start(Map.of("MEMTEST_GROUP", "ne" + RUN), "anon:8", "fork:2", "anon:2")) {
            String f = only(w.pids());
            Path file = dir.resolve("linuxmem.prom");
            Tool.Result prom = Tool.memstats("-f", f, "groups", "-e", "MEMTEST_GROUP", "-c", MemstatsGroupsTest.pidFilters(w.pids()),
                    "--format", "prom", "-o", file.toString());
            assertEquals(0, prom.exit(), prom.toString());
            assertEquals("", prom.out(), "-o: nothing on stdout");
            Tool.Result json = Tool.memstats("-f", f, "groups", "-e", "MEMTEST_GROUP", "-c", MemstatsGroupsTest.pidFilters(w.pids()),
                    "--format", "json");
            try (NodeExporter ne = NodeExporter.start(dir)) {
                List<Promtool.Sample> got = ne.samples("linuxmem_group_");
                int compared = 0;
                for (String split : List.of("environment variable MEMTEST_GROUP", MemstatsGroupsTest.pidFilters(w.pids()))) {
                    for (Map.Entry<String, Map<String, Object>> g : Tool.groups(json, split).entrySet()) {
                        for (String col : List.of("mem_rss", "mem_anon", "mem_uss", "mem_share", "swap_anon", "swap_rss", "swap_uss", "shm_mem", "shm_swap")) {
                            Map<String, String> labels = Map.of("split", split, "group", g.getKey());
                            Promtool.Sample s = got.stream().filter(x -> x.name().equals("linuxmem_group_" + col + "_bytes")
                                    && x.labels().equals(labels)).findFirst().orElseThrow(() -> new AssertionError(col + " " + labels + " not served"));
                            assertEquals(Tool.num(g.getValue(), col), (long) s.value(), col + " of " + labels);
                            compared++;
                        }
                        Promtool.Sample procs = got.stream().filter(x -> x.name().equals("linuxmem_group_processes")
                                && x.labels().get("group").equals(g.getKey())).findFirst().orElseThrow();
                        assertEquals(Tool.num(g.getValue(), "procs"), (long) procs.value());
                    }
                }
                assertTrue(compared >= 9 * 4, "compared " + compared);
            }
        }
    }

    @Test
    void csvHasOneRowPerSplitAndGroupInBytes() throws IOException {
        try (Workload w = Workload.start(Map.of("MEMTEST_GROUP", "csv,\"x\"\n" + RUN), "anon:4")) {
            Tool.Result csv = Tool.memstats("-f", only(w.pids()), "groups", "-e", "MEMTEST_GROUP", "-u", "--format", "csv");
            assertEquals(0, csv.exit(), csv.toString());
            Tool.Result json = Tool.memstats("-f", only(w.pids()), "groups", "-e", "MEMTEST_GROUP", "-u", "--format", "json");
            List<List<String>> rows = CsvTest.read(csv.out());
            assertEquals(List.of("split", "group_name", "procs", "mem_rss", "mem_anon", "mem_uss", "mem_share", "swap_anon",
                    "swap_rss", "swap_uss", "shm_mem", "shm_swap", "shm_unknown"), rows.get(0));
            assertEquals(3, rows.size(), csv.out());
            List<String> env = rows.stream().filter(r -> r.get(0).equals("environment variable MEMTEST_GROUP")).findFirst().orElseThrow();
            assertEquals("csv,\"x\"\n" + RUN, env.get(1));
            Map<String, Object> g = Tool.groups(json, "environment variable MEMTEST_GROUP").get(env.get(1));
            for (int i = 2; i < rows.get(0).size(); i++) {
                assertEquals(Tool.num(g, rows.get(0).get(i)), Long.parseLong(env.get(i)), rows.get(0).get(i));
            }
        }
    }

    @Test
    void outputFileIsReplacedWholeAndAFailureLeavesItAlone(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("m.json");
        Files.writeString(out, "old");
        Tool.Result r = Tool.memstats("-f", "false()", "single", "--format", "json", "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(out).startsWith("{"), "replaced");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary left");
        }
        Tool.Result bad = Tool.memstats("-f", "false()", "single", "--format", "json", "-o", dir.resolve("missing/m.json").toString());
        assertEquals(1, bad.exit(), bad.toString());
        assertEquals(1, bad.err().strip().lines().count(), "one line: " + bad.err());
        Tool.Result text = Tool.memstats("-f", "false()", "single", "-o", out.toString());
        assertEquals(0, text.exit());
        assertTrue(Files.readString(out).contains("Scanned 0 processes"), "text too");
        assertEquals("", text.out());
    }

    @Test
    void aFullDiskLeavesTheOldFileWholeAndNoTemporary(@TempDir Path dir) throws Exception {
        Path mnt = dir.resolve("small");
        Files.createDirectory(mnt);
        assertEquals("", KernelObjects.run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()).strip());
        try {
            Path out = mnt.resolve("m.prom");
            Files.writeString(out, "# old\n");
            // fill the file system: the new file cannot be written
            try (var o = Files.newOutputStream(mnt.resolve("fill"))) {
                o.write(new byte[1 << 20]);
            } catch (IOException expected) {
                // No space left on device
            }
            Tool.Result r = Tool.memstats("-f", "false()", "single", "--format", "prom", "-o", out.toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("No space left on device"), r.err());
            assertEquals("# old\n", Files.readString(out), "the old content stays whole");
            try (var s = Files.list(mnt)) {
                assertEquals(List.of("fill", "m.prom"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary left");
            }
        } finally {
            KernelObjects.run("umount", mnt.toString());
        }
    }

    // ---- cgroups, comm, filters ------------------------------------------------------------

    @Test
    void cgroupSplitAndFilterOnRealV1AndV2Cgroups() throws Exception {
        String slice = "linuxmem-test-" + RUN + ".slice";
        try (Workload a = Workload.start(Map.of(), "anon:8");
             Workload b = Workload.start(Map.of(), "anon:16", "fork:1");
             Cgroups a2 = Cgroups.v2(slice + "/lm-a.service"); Cgroups b2 = Cgroups.v2(slice + "/lm-b.service");
             Cgroups a1 = Cgroups.v1Memory(slice + "/lm-a.service"); Cgroups b1 = Cgroups.v1Memory(slice + "/lm-b.service")) {
            for (int p : a.pids()) {
                a2.add(p);
                a1.add(p);
            }
            for (int p : b.pids()) {
                b2.add(p);
                b1.add(p);
            }
            String prefix2 = a2.path().substring(0, a2.path().lastIndexOf('/'));
            for (String hierarchy : List.of("v2", "v1")) {
                Tool.Result r = Tool.memstats("-f", "cgroup(" + prefix2 + ")", "groups", "--split-cgroup=" + hierarchy, "--format", "json");
                assertEquals(0, r.exit(), r.toString());
                Map<String, Map<String, Object>> g = Tool.groups(r, "cgroup " + hierarchy);
                assertEquals(Set.of("lm-a.service", "lm-b.service"), g.keySet(), hierarchy + ": " + r.out());
                assertEquals(1, Tool.num(g.get("lm-a.service"), "procs"));
                assertEquals(2, Tool.num(g.get("lm-b.service"), "procs"));
                long anonA = Tool.num(g.get("lm-a.service"), "mem_anon");
                assertTrue(anonA >= 8 * MiB && anonA < 8 * MiB + MemstatsGroupsTest.SLACK, "A anon " + anonA);
                long anonB = Tool.num(g.get("lm-b.service"), "mem_anon");
                assertTrue(anonB >= 16 * MiB && anonB < 16 * MiB + 2 * MemstatsGroupsTest.SLACK, "B anon " + anonB);
                assertEquals(Tool.smapsSum(a.pid(), "Rss"), Tool.num(g.get("lm-a.service"), "mem_rss"), "one process: smaps Rss");
            }
        }
    }

    @Test
    void commSplitAndUserExePpidFilters() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (Workload a = Workload.start(Map.of(), "anon:4", "fork:2");
             Workload b = Workload.start(Map.of(), "setuid:65534", "anon:4")) {
            List<Integer> all = new ArrayList<>(a.pids());
            all.addAll(b.pids());
            all.add((int) sleeper.pid());
            all.sort(null);
            Tool.Result r = Tool.memstats("-f", only(all), "groups", "--split-comm", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Map<String, Object>> g = Tool.groups(r, "comm");
            String comm = Files.readString(Path.of("/proc/" + a.pid() + "/comm")).strip();
            assertEquals(Set.of(comm, "sleep"), g.keySet(), r.out());
            assertEquals(4, Tool.num(g.get(comm), "procs"));
            assertEquals(1, Tool.num(g.get("sleep"), "procs"));
            String nobody = Files.readAllLines(Path.of("/etc/passwd")).stream().filter(l -> l.split(":")[2].equals("65534"))
                    .map(l -> l.split(":")[0]).findFirst().orElseThrow();
            List<Integer> aPids = sorted(a.pids()), mem = sorted(all.stream().filter(p -> p != sleeper.pid()).toList());
            assertEquals(List.of(b.pid()), listed("and(" + only(all) + ",user(" + nobody + "))"));
            assertEquals(sorted(List.of(a.pid(), (int) sleeper.pid())).size() + a.children().size(),
                    listed("and(" + only(all) + ",user(root))").size());
            assertEquals(sorted(a.children()), listed("ppid(" + a.pid() + ")"));
            String exe = Files.readSymbolicLink(Path.of("/proc/" + a.pid() + "/exe")).toString();
            assertEquals(mem, listed("and(" + only(all) + ",exe(" + exe + "))"));
            assertEquals(List.of((int) sleeper.pid()), listed("and(" + only(all) + ",not(exe(" + exe + ")))"));
            assertTrue(aPids.containsAll(listed("and(" + only(all) + ",user(root),exe(" + exe + "))")));
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
    }

    private static List<Integer> sorted(List<Integer> l) {
        List<Integer> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }

    /** Pids memstats -l lists for a filter, sorted. */
    private static List<Integer> listed(String filter) {
        Tool.Result r = Tool.memstats("-f", filter, "-l", "single");
        assertEquals(0, r.exit(), r.toString());
        List<Integer> pids = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            String[] cells = line.split("│");
            if (cells.length > 3 && cells[3].trim().matches("[0-9]+")) pids.add(Integer.parseInt(cells[3].trim()));
        }
        pids.sort(null);
        return pids;
    }
}
