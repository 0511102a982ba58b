import lib.proc.Libc;
import lib.proc.ProcFs;
import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * snap run on a still workload with known memory, then memstats on the archive, on its GNU tar
 * extraction and as nobody; refusals and interruption. One capture of the whole machine is shared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NeedsRoot
class SnapTest {
    static final long MiB = Tool.MiB;
    final String var = "MEMTEST_SNAP_" + ProcessHandle.current().pid();
    /** A value only workload A's environment holds: --env-keep must leave it out of the archive. */
    final String secret = "s3cret-" + Long.toHexString(System.nanoTime());
    final int shmKey = 0x5a000000 | (int) (ProcessHandle.current().pid() & 0xffffff);
    Path dir, archive;
    Workload a, b, c, d;
    /** b's processes sit in this v2 cgroup (null where none can be made) */
    Cgroups cgroup;
    Tool.Result snapRun, live, offline;
    long pageSize;

    @BeforeAll
    void capture() throws IOException {
        dir = Files.createTempDirectory("snaptest");
        dir.toFile().setExecutable(true, false);
        dir.toFile().setReadable(true, false);
        Path shared = dir.resolve("shared.dat");
        a = Workload.start(Map.of(var, "A", "MEMTEST_SNAP_PASSWORD", secret), "anon:32", "fork:3", "anon:8");
        b = Workload.start(Map.of(var, "B"), "file:" + shared + ":16", "anon:4", "fork:1", "anon:2");
        // started as nobody (not setuid later, which makes the kernel show its /proc files as root's)
        c = Workload.startAs(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), Map.of(var, "C"), "anon:12");
        d = Workload.start(Map.of(var, "D"), "shmget:" + shmKey + ":32:-", "shmat:" + shmKey + ":16", "fork:1", "anon:1");
        try {
            cgroup = Cgroups.v2("linuxmem-snaptest-" + ProcessHandle.current().pid() + ".slice/lm-snap.service");
            for (int pid : b.pids()) cgroup.add(pid);
        } catch (org.opentest4j.TestAbortedException noCgroupV2) {
            cgroup = null;
        }
        pageSize = lib.proc.PageSize.live();
        live = Tool.memstats("--filter", "env_k(" + var + ")", "groups", "-e", var, "--format", "json");
        snapRun = Tool.run(snap.commandLine(), "run", dir.resolve("s1").toString());
        archive = dir.resolve("s1.tar.gz");
        offline = Tool.memstats("--procfs-root", archive.toString(), "--filter", "env_k(" + var + ")", "groups", "-e", var, "--format", "json");
    }

    @AfterAll
    void cleanUp() throws IOException {
        for (Workload w : new Workload[]{a, b, c, d}) if (w != null) w.close();
        if (cgroup != null) cgroup.close();
        try {
            int id = Libc.INSTANCE.shmget(shmKey, 0, 0);
            Libc.INSTANCE.shmctl(id, Libc.IPC_RMID, null);
        } catch (com.sun.jna.LastErrorException gone) {
            // never created
        }
        deleteTree(dir);
    }

    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                f.toFile().setWritable(true);
                Files.delete(f);
            }
        }
    }

    String splitName() {
        return "environment variable " + var;
    }

    @Test
    void runWritesTheArchiveAndSaysSo() {
        assertEquals(0, snapRun.exit(), snapRun.toString());
        assertTrue(Files.isRegularFile(archive), snapRun.toString());
        assertTrue(snapRun.out().startsWith(archive + ": "), snapRun.out());
        String last = snapRun.out().strip().lines().reduce((x, y) -> y).orElseThrow();
        assertTrue(last.startsWith("s1.tar.gz holds every process's command line and environment (passwords, keys)")
                && last.contains("mode 0600, readable by root only"), last);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().contains(".part")).toList(), "no partial left");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** snap keeps /proc/PID/cgroup: the cgroup splitter and filter read a snapshot as they read /proc. */
    @Test
    void cgroupsAreKeptForTheSplitterAndFilterOffline() {
        Assumptions.assumeTrue(cgroup != null, "no v2 cgroup could be made here");
        String slice = cgroup.path().substring(0, cgroup.path().lastIndexOf('/'));
        String[] args = {"-f", "cgroup(" + slice + ")", "groups", "--split-cgroup=v2", "--format", "json"};
        Tool.Result off = Tool.memstats(java.util.stream.Stream.concat(Stream.of("--procfs-root", archive.toString()), Stream.of(args))
                .toArray(String[]::new));
        assertEquals(0, off.exit(), off.toString());
        Map<String, Map<String, Object>> groups = Tool.groups(off, "cgroup v2");
        assertEquals(java.util.Set.of("lm-snap.service"), groups.keySet(), off.out());
        assertEquals(b.pids().size(), Tool.num(groups.get("lm-snap.service"), "procs"));
        Tool.Result on = Tool.memstats(args);
        assertEquals(Tool.num(Tool.groups(on, "cgroup v2").get("lm-snap.service"), "mem_rss"),
                Tool.num(groups.get("lm-snap.service"), "mem_rss"), "idle processes: the same frames live and offline");
    }

    /** The archive holds the secrets of every process: 0600, as its hidden part was (set at creation: the umask is not asked). */
    @Test
    void archiveAndItsPartAre0600WhateverTheUmask() throws Exception {
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));
        Path out = Files.createDirectory(dir.resolve("umask"));
        Process p = new ProcessBuilder("bash", "-c", "umask 000 && exec " + Native.repoRoot().resolve("jbang") + " snap.java --skip-processes run " + out.resolve("u"))
                .directory(Native.repoRoot().toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("umask.log").toFile()).start();
        String partMode = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (partMode == null && p.isAlive() && System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(out)) {
                for (Path f : s.filter(f -> f.getFileName().toString().startsWith(".u.tar.gz.part-")).toList()) {
                    partMode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                }
            } catch (java.nio.file.NoSuchFileException renamed) {
                // the part became the archive between listing and reading
            }
            Thread.sleep(2);
        }
        assertTrue(p.waitFor(240, TimeUnit.SECONDS));
        String log = Files.readString(dir.resolve("umask.log"));
        assertEquals(0, p.exitValue(), log);
        assertEquals("rw-------", partMode, "the part while written: " + log);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("u.tar.gz"))));
        assertTrue(log.strip().endsWith("readable by root only; copy it only where that is acceptable"), log);
        Files.delete(out.resolve("u.tar.gz"));
    }

    /**
     * A real snapshot of these processes only, by snap's own writer: /proc seen through a directory
     * holding links to them and meminfo (no kpageflags: kilobytes, and seconds on a busy machine).
     */
    static void writeSnapshotOf(Path archive, String top, java.util.Set<String> envKeep, List<Integer> pids) throws IOException {
        Path fake = Files.createDirectories(archive.resolveSibling("fakeproc-" + top));
        for (int pid : pids) Files.createSymbolicLink(fake.resolve(Integer.toString(pid)), Path.of("/proc/" + pid));
        Files.createSymbolicLink(fake.resolve("meminfo"), Path.of("/proc/meminfo"));
        try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(archive));
             lib.snapshot.TarWriter tar = new lib.snapshot.TarWriter(out)) {
            new lib.snapshot.SnapshotWriter(fake, tar, top, "snap test", new lib.snapshot.SnapshotWriter.Options(false, false, -1, 8 << 20, envKeep, null)).write();
        }
        deleteTree(fake);
    }

    /** --env-keep VAR: VAR's values stay (the snapshot splits by it), every other variable keeps its name only. */
    @Test
    @SuppressWarnings("unchecked")
    void envKeepKeepsOnlyTheNamedValues() throws Exception {
        // the option as snap parses it
        picocli.CommandLine cl = snap.commandLine();
        cl.parseArgs("run", "--env-keep", var + ",NO_SUCH_VAR", "x");
        lib.snapshot.SnapshotWriter.Options opt = ((snap) cl.getCommand()).options(lib.text.Progress.OFF);
        assertEquals(java.util.Set.of(var, "NO_SUCH_VAR"), opt.envKeep());
        Tool.Result bad = Tool.run(snap.commandLine(), "run", "--env-keep", "A=B", dir.resolve("bad").toString());
        assertEquals(2, bad.exit(), bad.toString());
        assertFalse(Files.exists(dir.resolve("bad.tar.gz")));

        List<Integer> pids = new java.util.ArrayList<>();
        for (Workload w : new Workload[]{a, b, c, d}) pids.addAll(w.pids());
        Path full = dir.resolve("full.tar.gz"), kept = dir.resolve("kept.tar.gz");
        writeSnapshotOf(full, "full", null, pids);
        writeSnapshotOf(kept, "kept", opt.envKeep(), pids);
        int checked = 0;
        try (ProcFs p = ProcRoot.open(kept.toString())) {
            for (int pid : p.pids()) {
                byte[] raw = p.read(pid + "/environ");
                for (String kv : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                    if (kv.isEmpty()) continue;
                    assertTrue(kv.startsWith(var + "=") || kv.indexOf('=') == kv.length() - 1, pid + ": " + kv);
                }
                checked++;
            }
            assertEquals("A", lib.proc.Environ.parse(p.read(a.pid() + "/environ")).get(var));
            assertEquals("", lib.proc.Environ.parse(p.read(a.pid() + "/environ")).get("MEMTEST_SNAP_PASSWORD"), "the name stays");
            Map<String, Object> meta = (Map<String, Object>) lib.text.Json.parse(p.metadataJson());
            assertEquals(List.of(var, "NO_SUCH_VAR"), ((Map<String, Object>) meta.get("options")).get("env_keep"));
        }
        assertEquals(pids.size(), checked);
        assertTrue(contains(full, secret), "the full capture holds the secret (the check below can fail)");
        assertFalse(contains(kept, secret), "nowhere in the --env-keep archive");
        Tool.Result o = Tool.memstats("--procfs-root", kept.toString(), "groups", "-e", var, "--format", "json");
        Tool.Result f = Tool.memstats("--procfs-root", full.toString(), "groups", "-e", var, "--format", "json");
        assertEquals(0, o.exit(), o.toString());
        assertEquals(withoutTimes(f), withoutTimes(o), "the same groups by " + var);
        assertEquals(Map.of("A", 4L, "B", 2L, "C", 1L, "D", 2L), Map.of("A", Tool.num(Tool.groups(o, splitName()).get("A"), "procs"),
                "B", Tool.num(Tool.groups(o, splitName()).get("B"), "procs"), "C", Tool.num(Tool.groups(o, splitName()).get("C"), "procs"),
                "D", Tool.num(Tool.groups(o, splitName()).get("D"), "procs")));
        Files.delete(kept);
        Files.delete(full);
    }

    /** Whether the archive's whole tar stream holds this text. */
    static boolean contains(Path archive, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
            byte[] buf = new byte[1 << 20];
            int keep = 0, n;
            while ((n = in.read(buf, keep, buf.length - keep)) > 0) {
                int len = keep + n;
                for (int i = 0; i + needle.length <= len; i++) {
                    if (java.util.Arrays.equals(buf, i, i + needle.length, needle, 0, needle.length)) return true;
                }
                keep = Math.min(len, needle.length - 1);
                System.arraycopy(buf, len - keep, buf, 0, keep);
            }
        }
        return false;
    }

    /** A SIGKILLed snap leaves its part: the next run removes it and says so; so a part whose pid is now another program. */
    @Test
    void stalePartsAreRemovedAndReported() throws Exception {
        Path out = Files.createDirectory(dir.resolve("stale"));
        Process p = new ProcessBuilder(Native.repoRoot().resolve("jbang").toString(), "snap.java", "run", out.resolve("k").toString())
                .directory(Native.repoRoot().toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("stale.log").toFile()).start();
        Path part = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (part == null && p.isAlive() && System.nanoTime() < deadline) {
                try (Stream<Path> s = Files.list(out)) {
                    part = s.filter(f -> f.getFileName().toString().startsWith(".k.tar.gz.part-")).findFirst().orElse(null);
                }
                Thread.sleep(2);
            }
            assertNotNull(part, "snap started writing: " + Files.readString(dir.resolve("stale.log")));
            String pid = part.getFileName().toString().replaceAll(".*-", "");
            run("kill", "-KILL", pid);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertTrue(Files.exists(part), "SIGKILL leaves the part");
        Path other = out.resolve(".old.tar.gz.part-1");
        Files.writeString(other, "a part whose pid is now init");
        Path notOurs = out.resolve(".x.tar.gz.part-123456789");
        Files.writeString(notOurs, "someone else's file");
        Files.setOwner(notOurs, out.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        Path unrelated = out.resolve("notes.txt");
        Files.writeString(unrelated, "kept");

        Tool.Result r = Tool.run(snap.commandLine(), "--skip-processes", "run", out.resolve("next").toString());
        assertEquals(0, r.exit(), r.toString());
        assertFalse(Files.exists(part) || Files.exists(other), r.toString());
        assertTrue(r.err().contains("snap: removed " + part + ", left by snap " + part.getFileName().toString().replaceAll(".*-", "")
                + " that ended before finishing (no such process now)"), r.err());
        assertTrue(r.err().contains("snap: removed " + other + ", left by snap 1 that ended before finishing (that pid is now another program)"), r.err());
        assertTrue(Files.exists(notOurs) && Files.exists(unrelated), "only root's parts are touched");
        SnapTest.deleteTree(out);
    }

    /** Over the whole machine: a process the kernel hides from root (here /proc/1/maps) is unreadable offline as live. */
    @Test
    @SuppressWarnings("unchecked")
    void unreadableProcessesStayUnreadableOffline() throws IOException {
        boolean hidden;
        try {
            Files.readAllBytes(Path.of("/proc/1/maps"));
            hidden = false;
        } catch (java.nio.file.AccessDeniedException e) {
            hidden = true;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(hidden, "/proc/1/maps is readable on this machine");
        Tool.Result r = Tool.memstats("--procfs-root", archive.toString(), "--filter", "pid(1)", "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> scan = (Map<String, Object>) r.json().get("scan");
        assertEquals(1L, scan.get("unreadable"), scan.toString());
        assertEquals(0L, scan.get("vanished"), scan.toString());
    }

    @Test
    void snapshotAgreesWithLiveGroupByGroup() {
        assertEquals(0, live.exit(), live.toString());
        assertEquals(0, offline.exit(), offline.toString());
        Map<String, Map<String, Object>> l = Tool.groups(live, splitName()), o = Tool.groups(offline, splitName());
        assertEquals(Map.of("A", 4L, "B", 2L, "C", 1L, "D", 2L),
                Map.of("A", Tool.num(o.get("A"), "procs"), "B", Tool.num(o.get("B"), "procs"),
                        "C", Tool.num(o.get("C"), "procs"), "D", Tool.num(o.get("D"), "procs")), offline.out());
        assertEquals(l.keySet(), o.keySet());
        long fewPages = 8 * pageSize;
        for (String g : l.keySet()) {
            for (String col : List.of("procs", "mem_rss", "mem_anon", "mem_uss", "swap_anon", "swap_rss", "swap_uss", "shm_mem", "shm_swap")) {
                long lv = Tool.num(l.get(g), col), ov = Tool.num(o.get(g), col);
                assertTrue(Math.abs(lv - ov) <= fewPages, g + "." + col + ": live " + lv + ", snapshot " + ov);
            }
        }
        // the workload's known memory is there, not just equal emptiness
        assertTrue(Tool.num(o.get("A"), "mem_uss") >= (32 + 3 * 8) * MiB, offline.out());
        assertTrue(Tool.num(o.get("B"), "mem_rss") >= (16 + 4 + 2) * MiB, offline.out());
        assertTrue(Tool.num(o.get("C"), "mem_anon") >= 12 * MiB, offline.out());
        assertTrue(Tool.num(o.get("D"), "shm_mem") >= 16 * MiB, offline.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void metadataHoldsWhatAnOfflineAnalysisNeeds() throws IOException {
        Map<String, Object> m;
        try (ProcFs snap = ProcRoot.open(archive.toString())) {
            m = (Map<String, Object>) lib.text.Json.parse(snap.metadataJson());
            assertFalse(snap.exists(Long.toString(ProcessHandle.current().pid())), "snap's own process is left out");
            assertTrue(snap.exists("self/mountinfo"), "mountinfo for the tmpfs table");
            assertTrue(snap.exists("sysvipc/shm") && snap.exists("kpageflags") && snap.exists("kpagecount"));
            assertEquals(65534, snap.ownerUid(c.pid() + "/pagemap"), "owners kept");
            assertEquals(0, snap.ownerUid(a.pid() + "/status"));
        }
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), m.get("hostname"));
        OffsetDateTime when = OffsetDateTime.parse((String) m.get("datetime"));
        assertTrue(Math.abs(when.toEpochSecond() - System.currentTimeMillis() / 1000) < 3600, m.get("datetime").toString());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), ((Map<String, Object>) m.get("kernel")).get("release"));
        assertEquals(pageSize, m.get("page_size"));
        assertEquals(Long.toString(pageSize), ((Map<String, Object>) m.get("getconf")).get("PAGESIZE"));
        assertEquals("snap 0.1", m.get("tool"));
        Map<String, Object> users = (Map<String, Object>) m.get("users"), groups = (Map<String, Object>) m.get("groups");
        assertEquals("root", users.get("0"));
        assertEquals("nobody", users.get("65534"));
        assertEquals("root", groups.get("0"));
        Map<String, Object> timings = (Map<String, Object>) m.get("timings");
        assertTrue(timings.containsKey("kernel_ms") && timings.containsKey("processes_ms") && timings.containsKey("total_ms"), timings.toString());
        int shmid = Libc.INSTANCE.shmget(shmKey, 0, 0);
        Map<String, Object> seg = (Map<String, Object>) ((Map<String, Object>) m.get("shm")).get(shmKey + "-" + shmid);
        assertNotNull(seg, m.get("shm").toString());
        assertEquals(32 * MiB, seg.get("size"));
        // other tools running meanwhile (memstats, shmat) may attach it too
        assertTrue(((List<Object>) seg.get("pids")).containsAll(d.pids().stream().map(Long::valueOf).toList()), seg.toString());
        List<Object> tmpfs = (List<Object>) m.get("tmpfs");
        assertTrue(tmpfs.stream().anyMatch(t -> "/dev/shm".equals(((Map<String, Object>) t).get("mount_point"))
                && ((Map<String, Object>) t).get("fs_size") instanceof Long), "tmpfs sizes for the offline table: " + tmpfs);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> segment(Tool.Result r, long shmid) {
        for (Object o : (List<Object>) r.json().get("shm")) {
            Map<String, Object> seg = (Map<String, Object>) o;
            if (((Number) seg.get("shmid")).longValue() == shmid) return seg;
        }
        throw new AssertionError("no segment " + shmid + " in " + r.out());
    }

    /** Offline, a segment's pages by size come from the attaching processes' pagemaps and kpageflags. */
    @Test
    void segmentPagesOfflineAreThoseLive() {
        long shmid = Libc.INSTANCE.shmget(shmKey, 0, 0);
        Map<String, Object> l = segment(live, shmid), o = segment(offline, shmid);
        assertEquals(16 * MiB / pageSize, Tool.num(l, "pages_4k") + Tool.num(l, "pages_2m") * (2 * MiB / pageSize), l.toString());
        for (String col : List.of("size", "rss", "pages_4k", "pages_2m", "swap")) assertEquals(l.get(col), o.get(col), col + ": " + o);
    }

    /** The text output offline: tmpfs table from metadata, segment table from sysvipc/shm, groups. */
    @Test
    void offlineTextShowsTmpfsSegmentsAndGroups() {
        Tool.Result r = Tool.memstats("--procfs-root", archive.toString(), "--filter", "env_k(" + var + ")", "groups", "-e", var);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*│ /dev/shm +│.*"), r.out());
        assertTrue(r.out().matches("(?s).*│ " + shmKey + " +│ " + Libc.INSTANCE.shmget(shmKey, 0, 0) + " +│ 32\\.0 MiB +│ 16\\.0 MiB .*"), r.out());
        assertTrue(r.out().contains("environment variable " + var), r.out());
        // the limit and the threads are this machine's, whatever the snapshot's machine had: the lines say so
        assertTrue(r.err().contains("Memory limit: ") && r.err().lines().filter(l -> l.startsWith("Memory limit: ")
                || l.startsWith("Using ")).allMatch(l -> l.endsWith(" (this machine's: the snapshot is only read)")), r.err());
    }

    @Test
    void gnuTarExtractsSparseFilesAndTheDirectoryAnalysesTheSame() throws Exception {
        Path x = dir.resolve("x");
        Files.createDirectories(x);
        run("tar", "-xzf", archive.toString(), "-C", x.toString());
        Path pagemap = x.resolve("s1/proc/" + a.pid() + "/pagemap");
        long apparent = Files.size(pagemap);
        long onDisk = du(pagemap);
        assertTrue(apparent > 1L << 30, "pagemap extends to the stack: " + apparent);
        assertTrue(onDisk > 0 && onDisk * 1000 < apparent, "sparse on disk: " + onDisk + " of " + apparent);
        Path kpageflags = x.resolve("s1/proc/kpageflags");
        assertTrue(du(kpageflags) < Files.size(kpageflags), "kpageflags sparse too");
        assertEquals(Files.readString(x.resolve("s1/proc/" + a.pid() + "/maps")), Files.readString(Path.of("/proc/" + a.pid() + "/maps")));

        Tool.Result fromDir = Tool.memstats("--procfs-root", x.resolve("s1").toString(), "--filter", "env_k(" + var + ")", "groups", "-e", var, "--format", "json");
        assertEquals(0, fromDir.exit(), fromDir.toString());
        assertEquals(withoutTimes(offline), withoutTimes(fromDir));
        deleteTree(x);
    }

    /** Bytes allocated on disk (du), not the apparent size. */
    static long du(Path p) throws Exception {
        return Long.parseLong(run("du", "-B1", p.toString()).split("\\s+")[0]);
    }

    @SuppressWarnings("unchecked")
    static Object withoutTimes(Tool.Result r) {
        Map<String, Object> doc = r.json();
        ((Map<String, Object>) doc.get("scan")).remove("elapsed_ms");
        return doc;
    }

    @Test
    void nobodyAnalysesTheArchive() throws Exception {
        Path shared = dir.resolve("s1-for-all.tar.gz");
        Tool.Result denied = Tool.runAsNobody("memstats", "--procfs-root", archive.toString(), "single");
        assertEquals(1, denied.exit(), "the archive itself is root's only: " + denied);
        assertTrue(denied.err().contains("permission denied"), denied.toString());
        // the admin hands a copy over on purpose
        Files.copy(archive, shared);
        shared.toFile().setReadable(true, false);
        Tool.Result r = Tool.runAsNobody("memstats", "--procfs-root", shared.toString(), "--filter", "env_k(" + var + ")",
                "groups", "-e", var, "-u", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(Tool.groups(offline, splitName()), Tool.groups(r, splitName()));
        assertTrue(Tool.groups(r, "UID").containsKey("nobody"), "user names from the snapshot: " + r.out());
        Files.delete(shared);
    }

    /** Without the SysV ranges in the pagemaps, groups are the same and segment pages unknown. */
    @Test
    void skipShmPagemapLeavesSegmentPagesUnknown() throws Exception {
        Tool.Result r = Tool.run(snap.commandLine(), "--skip-shm-pagemap", "run", dir.resolve("noshm").toString());
        assertEquals(0, r.exit(), r.toString());
        Path noshm = dir.resolve("noshm.tar.gz");
        Tool.Result o = Tool.memstats("--procfs-root", noshm.toString(), "--filter", "env_k(" + var + ")", "groups", "-e", var, "--format", "json");
        assertEquals(0, o.exit(), o.toString());
        Map<String, Object> seg = segment(o, Libc.INSTANCE.shmget(shmKey, 0, 0));
        assertNull(seg.get("pages_4k"), seg.toString());
        assertEquals(Tool.groups(offline, splitName()).get("D").get("shm_mem"), Tool.groups(o, splitName()).get("D").get("shm_mem"));
        assertEquals(Tool.groups(offline, splitName()).get("D").get("procs"), Tool.groups(o, splitName()).get("D").get("procs"));
        assertEquals(0, presentInSysvMapping(noshm, d.pid()), "no SysV range in the pagemap");
        assertEquals(16 * MiB / pageSize, presentInSysvMapping(archive, d.pid()), "the touched 16 MiB in the full capture");
        Files.delete(noshm);
    }

    @Test
    @SuppressWarnings("unchecked")
    void skipProcessesKeepsTheKernelFilesOnly() throws IOException {
        Tool.Result r = Tool.run(snap.commandLine(), "--skip-processes", "run", dir.resolve("kernel").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("kernel.tar.gz holds the kernel-wide files only (no process): mode 0600"), r.out());
        Path kernel = dir.resolve("kernel.tar.gz");
        try (ProcFs p = ProcRoot.open(kernel.toString())) {
            assertEquals(List.of(), p.pids());
            assertTrue(p.exists("kpageflags") && p.exists("meminfo") && p.exists("sysvipc/shm"));
            Map<String, Object> meta = (Map<String, Object>) lib.text.Json.parse(p.metadataJson());
            assertEquals(Boolean.TRUE, ((Map<String, Object>) meta.get("options")).get("skip_processes"));
        }
        Tool.Result m = Tool.memstats("--procfs-root", kernel.toString(), "single");
        assertEquals(0, m.exit(), m.toString());
        assertTrue(m.out().contains("Scanned 0 processes"), m.out());
        Files.delete(kernel);
    }

    /** With no pagemap data kept from the first read, every pagemap is read a second time while written: same result. */
    @Test
    void pagemapsReadTwiceGiveTheSameGroups() {
        Tool.Result r = Tool.run(snap.commandLine(), "--keep-mib", "0", "run", dir.resolve("twice").toString());
        assertEquals(0, r.exit(), r.toString());
        Tool.Result o = Tool.memstats("--procfs-root", dir.resolve("twice.tar.gz").toString(), "--filter", "env_k(" + var + ")",
                "groups", "-e", var, "--format", "json");
        assertEquals(0, o.exit(), o.toString());
        assertSameGroups(offline, o);
    }

    /** The groups of two offline memstats runs, within a few pages (the processes live on between two captures). */
    void assertSameGroups(Tool.Result a, Tool.Result b) {
        Map<String, Map<String, Object>> x = Tool.groups(a, splitName()), y = Tool.groups(b, splitName());
        assertEquals(x.keySet(), y.keySet());
        for (String g : x.keySet()) {
            for (String col : List.of("procs", "mem_rss", "mem_anon", "mem_uss", "shm_mem")) {
                assertTrue(Math.abs(Tool.num(x.get(g), col) - Tool.num(y.get(g), col)) <= 8 * pageSize, g + "." + col + ": " + x.get(g) + " vs " + y.get(g));
            }
        }
    }

    /** Without PAGEMAP_SCAN (as on kernels before 6.7) every entry of every mapping is read: the same groups. */
    @Test
    void aSnapshotWithoutPagemapScanGivesTheSameGroups() {
        Tool.Result r = PagemapScanTest.withoutScan(() -> Tool.run(snap.commandLine(), "run", dir.resolve("noscan").toString()));
        assertEquals(0, r.exit(), r.toString());
        Tool.Result o = Tool.memstats("--procfs-root", dir.resolve("noscan.tar.gz").toString(), "--filter", "env_k(" + var + ")",
                "groups", "-e", var, "--format", "json");
        assertEquals(0, o.exit(), o.toString());
        assertSameGroups(offline, o);
    }

    /** snap runs getconf as root: from /usr/bin or /bin, never the first getconf of a PATH someone else may have set. */
    @Test
    void getconfIsNotFoundThroughPath() throws Exception {
        Path planted = Files.createDirectories(dir.resolve("planted-bin")), marker = dir.resolve("planted-ran");
        Path fake = planted.resolve("getconf");
        Files.writeString(fake, "#!/bin/sh\ntouch " + marker + "\necho PAGESIZE 1\n");
        fake.toFile().setExecutable(true, false);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "snap", "run",
                dir.resolve("via-path").toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", planted + ":/usr/bin:/bin");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "snap ends");
        assertEquals(0, p.exitValue());
        assertFalse(Files.exists(marker), "the getconf planted first on PATH ran as root");
        try (ProcFs snap = ProcRoot.open(dir.resolve("via-path.tar.gz").toString())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) lib.text.Json.parse(snap.metadataJson());
            assertEquals(Long.toString(pageSize), ((Map<?, ?>) m.get("getconf")).get("PAGESIZE"), "the system's getconf ran");
        }
    }

    /** An archive's pagemap names only its stored chunks as present parts: reading those gives every entry a whole read gives. */
    @Test
    void anArchivesPresentPartsHoldEveryPresentEntry() throws IOException {
        lib.pages.PagemapWalker walker = new lib.pages.PagemapWalker(pageSize);
        try (ProcFs p = ProcRoot.open(archive.toString())) {
            int checked = 0;
            for (Workload w : new Workload[]{a, b, c, d}) {
                for (int pid : w.pids()) {
                    List<lib.proc.Maps.Mapping> maps = lib.proc.Maps.parse(p.readString(pid + "/maps"));
                    try (ProcFs.PositionalFile pagemap = p.open(pid + "/pagemap")) {
                        ProcFs.PositionalFile whole = new ProcFs.PositionalFile() { // the default presentParts: every part
                            public int read(java.nio.ByteBuffer dst, long pos) throws IOException {
                                return pagemap.read(dst, pos);
                            }

                            public void close() {
                            }
                        };
                        for (lib.proc.Maps.Mapping m : maps) {
                            if (m.start() >= 0x7fffffffffffL) continue; // [vsyscall] is not in a pagemap
                            it.unimi.dsi.fastutil.longs.LongArrayList parts = new it.unimi.dsi.fastutil.longs.LongArrayList(),
                                    all = new it.unimi.dsi.fastutil.longs.LongArrayList();
                            walker.presentFrames(pagemap, m.start(), m.end(), parts);
                            walker.presentFrames(whole, m.start(), m.end(), all);
                            assertEquals(all, parts, pid + " " + m);
                            checked += all.size();
                        }
                    }
                }
            }
            assertTrue(checked > 1000, "present entries compared: " + checked);
        }
    }

    /** Present entries of a process's SysV mapping in a snapshot's pagemap. */
    long presentInSysvMapping(Path snapshot, int pid) throws IOException {
        try (ProcFs p = ProcRoot.open(snapshot.toString());
             ProcFs.PositionalFile pagemap = p.open(pid + "/pagemap")) {
            lib.proc.Maps.Mapping m = lib.proc.Maps.parse(p.readString(pid + "/maps")).stream().filter(lib.proc.Maps.Mapping::isSysvShm).findFirst().orElseThrow();
            it.unimi.dsi.fastutil.longs.LongArrayList present = new it.unimi.dsi.fastutil.longs.LongArrayList();
            new lib.pages.PagemapWalker(pageSize).presentFrames(pagemap, m.start(), m.end(), present);
            return present.size();
        }
    }

    @Test
    void testWritesNothingAndPrintsStatistics() throws IOException {
        Path target = dir.resolve("dry");
        Tool.Result r = Tool.run(snap.commandLine(), "test", target.toString());
        assertEquals(0, r.exit(), r.toString());
        for (String line : List.of("processes:", "read from /proc:", "archive size:", "free space there:")) {
            assertTrue(r.out().contains(line), r.out());
        }
        assertTrue(r.out().matches("(?s).*processes: +[1-9][0-9]* captured.*"), r.out());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().contains("dry")).toList());
        }
    }

    @Test
    void refusesAnExistingArchive() throws IOException {
        Path existing = dir.resolve("old.tar.gz");
        Files.writeString(existing, "precious");
        Tool.Result r = Tool.run(snap.commandLine(), "run", dir.resolve("old").toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("exists"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("precious", Files.readString(existing));
        Files.delete(existing);
    }

    /** A read-only mount stands for a directory snap cannot write in (root ignores permission bits). */
    @ParameterizedTest
    @ValueSource(strings = {"ro,size=1m|cannot write in", "size=256k|not enough space in"})
    void refusesBeforeWritingOnAFileSystemItCannotUse(String optionsAndMessage) throws Exception {
        String[] om = optionsAndMessage.split("\\|");
        withTmpfs(om[0], mnt -> {
            Tool.Result r = Tool.run(snap.commandLine(), "run", mnt.resolve("s").toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().startsWith("snap: " + om[1] + " " + mnt), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEmpty(mnt);
        });
    }

    interface MountUse {
        void in(Path mnt) throws Exception;
    }

    /** Mounts a tmpfs with these options on a fresh directory, unmounts and removes it whatever happens. */
    void withTmpfs(String options, MountUse use) throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("mnt-" + System.nanoTime()));
        run("mount", "-t", "tmpfs", "-o", options, "snaptest", mnt.toString());
        try {
            use.in(mnt);
        } finally {
            run("umount", mnt.toString());
            Files.delete(mnt);
        }
    }

    /** Runs a command to its end, asserts it succeeded; its output. */
    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    static void assertEmpty(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            assertEquals(List.of(), s.toList());
        }
    }

    /** The real script through ./jbang, interrupted while it writes: neither the archive nor a partial file stays. */
    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void interruptionLeavesNothingBehind(String signal) throws Exception {
        Path out = Files.createDirectory(dir.resolve("sig-" + signal));
        Process p = new ProcessBuilder(Native.repoRoot().resolve("jbang").toString(), "snap.java", "run", out.resolve("s").toString())
                .directory(Native.repoRoot().toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sig-" + signal + ".log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (isEmpty(out) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(p.isAlive(), "snap ended before it could be interrupted: " + Files.readString(dir.resolve("sig-" + signal + ".log")));
            assertFalse(isEmpty(out), "snap started writing");
            run("kill", "-" + signal, Long.toString(p.pid()));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue());
            assertEmpty(out);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    static boolean isEmpty(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        }
    }
}
