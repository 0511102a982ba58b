import lib.oracle.InstanceFigures;
import lib.oracle.OracleInstance;
import lib.proc.LiveProcFs;
import lib.proc.PageCache;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.SysvShm;
import lib.proc.Tmpfs;
import lib.proc.TmpfsFiles;
import lib.snapshot.ProcRoot;
import lib.text.Text;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * POSIX shared memory: real files in /dev/shm named as Oracle's AMM names its SGA files, written partly
 * and mapped by real processes named ora_pmon_TSTX and ora_dbw0_TSTX; a folder of nobody's holding a
 * FIFO with a writer waiting on it, links and a file with control characters in its name; the
 * residency as the kernel counts it (st_blocks), by both paths (cachestat, mincore), live and from a
 * snapshot, and nothing faulted in.
 */
@NeedsRoot
class ShmFilesTest {
    static final long MiB = Tool.MiB;
    static final String SID = "TSTX";
    static java.nio.channels.FileLock lock;
    static String tag;
    static Path ora1, ora2, ora3, loose, plant, nobodyFile, evil;
    static Workload pmon, dbw0, fake;
    static Process fifoWriter;
    static long pageSize;

    @BeforeAll
    static void start() throws Exception {
        lock = OracleInstancesTest.lockMachine();
        tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        Path shm = Path.of("/dev/shm");
        ora1 = shm.resolve("ora_" + SID + "_" + tag + "_0");
        ora2 = shm.resolve("ora_" + SID + "_" + tag + "_1");
        ora3 = shm.resolve("ora_" + SID + "_" + tag + "_2");
        loose = shm.resolve("lmtest-" + tag + "-loose");
        plant = shm.resolve("lmtest-" + tag + "-plant");
        pageSize = new LiveProcFs().pageSize();
        try {
            // a 64 MiB granule file with 10 MiB written, 16 MiB with 4 MiB, and 2 GiB with 1 MiB: holes cost nothing
            pmon = Workload.start(Map.of("ORACLE_SID", SID), "exec:ora_pmon_" + SID, "mapfile:" + ora1 + ":64:10",
                    "mapfile:" + ora2 + ":16:4", "mapfile:" + ora3 + ":2048:1");
            dbw0 = Workload.start(Map.of(), "exec:ora_dbw0_" + SID, "mapfile:" + ora1 + ":64:0", "mapfile:" + ora2 + ":16:0");
            // nobody's folder: a FIFO with a writer blocked until someone opens it, links, an odd name, a file
            Files.createDirectory(plant);
            Files.setAttribute(plant, "unix:uid", 65534);
            Files.setAttribute(plant, "unix:gid", 65534);
            asNobody("mkfifo fifo && ln -s " + ora1 + " link-to-file && ln -s / link-to-root && ln -s .. loop"
                    + " && mkdir sub && ln -s " + plant + " sub/up && head -c 1048576 /dev/urandom > \"$(printf 'ctl\\033[31m\\nname')\"");
            fifoWriter = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                    "echo opened > " + plant.resolve("fifo")).start();
            nobodyFile = plant.resolve("sub/nobody-" + tag);
            evil = plant.resolve("ctl\u001b[31m\nname");
            // a process named as TSTX's but nobody's: the file it maps is not the instance's
            fake = Workload.startAs(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                    Map.of("ORACLE_SID", SID), "exec:ora_dbw0_" + SID, "mapfile:" + nobodyFile + ":8:3");
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Workload w : new Workload[]{pmon, dbw0, fake}) if (w != null) w.close();
        if (fifoWriter != null) {
            fifoWriter.destroyForcibly();
            fifoWriter.waitFor(10, TimeUnit.SECONDS);
        }
        for (Path p : new Path[]{ora1, ora2, ora3, loose}) if (p != null) Files.deleteIfExists(p);
        if (plant != null) SnapTest.deleteTree(plant);
        OracleInstancesTest.unlock(lock);
    }

    static void asNobody(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script)
                .directory(plant.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, script + ": " + out);
    }

    /** The key of a file as its stat gives it (dev_t split as glibc's major() and minor() do). */
    static TmpfsFiles.Key key(Path p) throws IOException {
        long dev = (Long) Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        long ino = (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        int major = (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
        int minor = (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
        return new TmpfsFiles.Key(major, minor, ino);
    }

    /** st_blocks in bytes: what the file holds, in RAM or in swap, as the kernel counts it. */
    static long allocated(Path p) throws IOException, InterruptedException {
        Process s = new ProcessBuilder("stat", "-c", "%b %B", p.toString()).start();
        String[] f = new String(s.getInputStream().readAllBytes()).trim().split(" ");
        s.waitFor();
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    static TmpfsFiles scan(boolean mincore) throws IOException {
        String before = System.getProperty(PageCache.SWITCH_PROPERTY);
        if (mincore) System.setProperty(PageCache.SWITCH_PROPERTY, "off");
        try {
            return new LiveProcFs().tmpfsFiles();
        } finally {
            if (before == null) System.clearProperty(PageCache.SWITCH_PROPERTY);
            else System.setProperty(PageCache.SWITCH_PROPERTY, before);
        }
    }

    /**
     * DIR/s.tar.gz: a real snapshot of these processes by snap's own writer (/proc seen through a folder of
     * links to them, meminfo and self, whose mountinfo tells the tmpfs mounts), top folder "s".
     */
    static Path snapshotOf(Path dir, List<Integer> pids) throws IOException {
        Path archive = dir.resolve("s.tar.gz"), fakeProc = Files.createDirectories(dir.resolve("fakeproc"));
        for (int pid : pids) Files.createSymbolicLink(fakeProc.resolve(Integer.toString(pid)), Path.of("/proc/" + pid));
        Files.createSymbolicLink(fakeProc.resolve("meminfo"), Path.of("/proc/meminfo"));
        Files.createSymbolicLink(fakeProc.resolve("self"), Path.of("/proc/self"));
        try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(archive));
             lib.snapshot.TarWriter tar = new lib.snapshot.TarWriter(out)) {
            new lib.snapshot.SnapshotWriter(fakeProc, tar, "s", "shm test",
                    new lib.snapshot.SnapshotWriter.Options(false, false, -1, 8 << 20, null, null)).write();
        }
        return archive;
    }

    static List<String> paths(TmpfsFiles t) {
        List<String> out = new ArrayList<>();
        for (TmpfsFiles.Mount m : t.mounts()) for (TmpfsFiles.File f : m.files()) out.add(f.path());
        return out;
    }

    @Test
    void partlyWrittenFilesShowTheirResidentPagesAndWhoMapsThem() throws Exception {
        TmpfsFiles t = scan(false);
        assertEquals("cachestat", t.method(), "this kernel (6.5+) has cachestat");
        TmpfsFiles.File f1 = t.file(key(ora1)), f2 = t.file(key(ora2)), f3 = t.file(key(ora3));
        assertNotNull(f1, paths(t).toString());
        assertEquals(ora1.toString(), f1.path());
        assertEquals(64 * MiB, f1.sizeBytes());
        assertEquals(10 * MiB / pageSize, f1.residentPages(), "the 10 MiB written, none of the hole");
        assertEquals(0, f1.swappedPages());
        assertEquals(allocated(ora1), f1.allocatedBytes());
        assertEquals(4 * MiB / pageSize, f2.residentPages());
        assertEquals(2048 * MiB, f3.sizeBytes());
        assertEquals(MiB / pageSize, f3.residentPages());
        assertEquals(allocated(ora3), f3.residentPages() * pageSize, "st_blocks: the kernel's own count");
        // the folder of nobody's is walked: its file is found, residency read (root may)
        TmpfsFiles.File nf = t.file(key(nobodyFile));
        assertNotNull(nf);
        assertEquals(3 * MiB / pageSize, nf.residentPages());
        TmpfsFiles.Mount devShm = t.mount(key(ora1));
        assertEquals(t.mounts().stream().filter(m -> m.mountPoint().equals("/dev/shm")).findFirst().orElseThrow(), devShm);
        assertTrue(devShm.fileCount() >= 6 && devShm.allocatedBytes() >= 19 * MiB, devShm.toString());

        // who maps them: the scanned processes' maps, matched by device and inode
        ProcFs proc = new LiveProcFs();
        Map<TmpfsFiles.Key, IntArrayList> mappers = TmpfsFiles.mappers(proc, proc.pids(), t.devices());
        List<Integer> both = new ArrayList<>(List.of(pmon.pid(), dbw0.pid()));
        both.sort(null);
        assertEquals(both, mappers.get(key(ora1)));
        assertEquals(List.of(pmon.pid()), mappers.get(key(ora3)));
        assertEquals(List.of(fake.pid()), mappers.get(key(nobodyFile)));

        // the instance: pmon and its processes name it; nobody's process named ora_dbw0_TSTX does not
        List<ProcessInfo> processes = OracleInstance.readAll(proc);
        List<OracleInstance> instances = OracleInstance.discover(proc, processes).stream().filter(i -> i.pid() == pmon.pid()).toList();
        assertEquals(1, instances.size());
        Map<TmpfsFiles.Key, List<String>> sids = OracleInstance.sidsByFile(instances, processes, mappers);
        assertEquals(List.of(SID), sids.get(key(ora1)));
        assertEquals(List.of(SID), sids.get(key(ora3)));
        assertNull(sids.get(key(nobodyFile)), "a process of another user is not the instance's");
    }

    /** shm_unlink after mmap: no walk finds the file, its memory is still there; it is measured through map_files. */
    @Test
    void aDeletedFileStillMappedIsMeasuredThroughItsMapping() throws Exception {
        Path f = Path.of("/dev/shm/lmtest-" + tag + "-deleted");
        try (Workload w = Workload.start(Map.of(), "mapfile:" + f + ":8:5")) {
            Files.delete(f);
            ProcFs proc = new LiveProcFs();
            lib.proc.Maps.Mapping m = proc.maps(w.pid()).stream().filter(x -> x.pathname().startsWith(f.toString())).findFirst().orElseThrow();
            assertTrue(m.isDeleted(), m.toString());
            for (boolean mincore : new boolean[]{false, true}) {
                TmpfsFiles.File file = scan(mincore).file(TmpfsFiles.Key.of(m));
                assertNotNull(file, "mincore " + mincore);
                assertEquals(f + " (deleted)", file.path());
                assertEquals(8 * MiB, file.sizeBytes());
                assertEquals(5 * MiB / pageSize, file.residentPages());
                assertFalse(file.largest());
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void theMincorePathGivesWhatCachestatGives() throws Exception {
        // fallocated pages are in RAM but not uptodate: cachestat counts them, mincore does not (the path adds them)
        Process p = new ProcessBuilder("sh", "-c", "truncate -s 32M " + loose + " && head -c 2097152 /dev/urandom | dd of=" + loose
                + " conv=notrunc status=none && head -c 2097152 /dev/urandom | dd of=" + loose + " bs=1M seek=20 conv=notrunc status=none"
                + " && fallocate -o 8M -l 4M " + loose).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        TmpfsFiles fast = scan(false), slow = scan(true);
        assertEquals("mincore", slow.method());
        assertEquals(8 * MiB / pageSize, fast.file(key(loose)).residentPages(), "4 MiB written, 4 MiB fallocated");
        for (Path f : List.of(ora1, ora2, ora3, loose, nobodyFile, evil)) {
            TmpfsFiles.File a = fast.file(key(f)), b = slow.file(key(f));
            assertNotNull(a, f.toString());
            assertEquals(a, b, "cachestat and mincore disagree on " + f);
        }
    }

    /**
     * A file partly pushed to swap: cachestat's swapped pages are what the kernel charges the mapping
     * (smaps Swap of a shared tmpfs mapping, shmem_partial_swap_usage), RAM + swap is st_blocks on both
     * paths, and the paths differ only by pages still in the swap cache (mincore: resident).
     */
    @Test
    void swappedPagesAreCountedAsTheKernelCountsThem() throws Exception {
        Path f = Path.of("/dev/shm/lmtest-" + tag + "-swapped");
        try (KernelObjects.SwapFile swap = new KernelObjects.SwapFile(64);
             Workload w = Workload.start(Map.of(), "mapfile:" + f + ":16:12", "mappageout")) {
            TmpfsFiles.File a = scan(false).file(key(f)), b = scan(true).file(key(f));
            long smapsSwap = KernelObjects.smapsField(w.pid(), f.toString(), "Swap");
            assertTrue(a.swappedPages() * pageSize >= 4 * MiB, "MADV_PAGEOUT pushed out only " + a.swappedPages() + " pages");
            assertEquals(smapsSwap, a.swappedPages() * pageSize, "smaps Swap of the mapping");
            assertEquals(allocated(f), (a.residentPages() + a.swappedPages()) * pageSize);
            assertEquals(allocated(f), (b.residentPages() + b.swappedPages()) * pageSize);
            long inSwapCache = b.residentPages() - a.residentPages();
            assertTrue(inSwapCache >= 0 && inSwapCache <= a.swappedPages(), a + " " + b);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void nothingIsFaultedInNorAccessed() throws Exception {
        List<Path> files = List.of(ora1, ora2, ora3, loose, nobodyFile);
        Files.write(loose, new byte[4096]);
        Map<Path, Long> blocks = new java.util.HashMap<>();
        Map<Path, Object> atimes = new java.util.HashMap<>();
        for (Path f : files) {
            blocks.put(f, allocated(f));
            atimes.put(f, Files.getAttribute(f, "lastAccessTime"));
        }
        long shmemBefore = KernelObjects.meminfo().get("Shmem");
        scan(false);
        scan(true);
        long shmemAfter = KernelObjects.meminfo().get("Shmem");
        for (Path f : files) {
            assertEquals(blocks.get(f), allocated(f), "pages added to " + f);
            assertEquals(atimes.get(f), Files.getAttribute(f, "lastAccessTime"), "atime of " + f + " changed");
        }
        // the 2 GiB file's hole alone would add 2 GiB if it were read through the mapping; other tests may add a little
        assertTrue(shmemAfter - shmemBefore < 512 * MiB, "Shmem grew by " + (shmemAfter - shmemBefore));
    }

    @Test
    void plantedFifoAndLinksAreNeitherOpenedNorFollowed() throws Exception {
        for (boolean mincore : new boolean[]{false, true}) {
            TmpfsFiles t = scan(mincore);
            List<String> paths = paths(t);
            for (String p : paths) {
                assertFalse(p.startsWith(plant + "/link") || p.startsWith(plant + "/loop") || p.contains("/sub/up/")
                        || p.equals(plant + "/fifo"), p);
            }
            assertTrue(paths.contains(evil.toString()), "the odd name is listed as it is");
            assertTrue(fifoWriter.isAlive(), "the FIFO was opened: its writer went on");
        }
        String shown = Text.visible(evil.toString());
        assertTrue(shown.endsWith("ctl\\x1b[31m\\x0aname") && shown.chars().noneMatch(c -> c < 0x20), shown);
    }

    @Test
    void aSnapshotRecordsTheFilesAndAnswersOffline() throws Exception {
        Path dir = Files.createTempDirectory("shmfiles");
        try {
            Path archive = snapshotOf(dir, List.of(pmon.pid(), dbw0.pid()));
            TmpfsFiles live = scan(false);
            try (ProcFs snap = ProcRoot.open(archive.toString())) {
                TmpfsFiles t = snap.tmpfsFiles();
                assertNotNull(t);
                for (Path f : List.of(ora1, ora2, ora3)) assertEquals(live.file(key(f)), t.file(key(f)), f.toString());
                // the largest files are there even when no captured process maps them
                assertEquals(live.file(key(nobodyFile)), t.file(key(nobodyFile)));
                Map<TmpfsFiles.Key, IntArrayList> mappers = TmpfsFiles.mappers(snap, snap.pids(), t.devices());
                assertEquals(2, mappers.get(key(ora1)).size());
                // the OS SGA from the snapshot: what pmon maps, as recorded
                OracleInstance i = OracleInstance.discover(snap).get(0);
                assertEquals(15 * MiB, InstanceFigures.fromOs(snap, i, OracleInstance.readAll(snap), List.of()).sgaBytes());
            }
            KernelObjects.run("tar", "-xzf", archive.toString(), "-C", dir.toString());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("s/" + TmpfsFiles.SNAPSHOT_FILE))));
            try (ProcFs extracted = ProcRoot.open(dir.resolve("s").toString())) {
                assertEquals(live.file(key(ora1)), extracted.tmpfsFiles().file(key(ora1)));
            }
            // a snapshot from before: not recorded
            Files.delete(dir.resolve("s/" + TmpfsFiles.SNAPSHOT_FILE));
            try (ProcFs older = ProcRoot.open(dir.resolve("s").toString())) {
                assertNull(older.tmpfsFiles());
            }
            // a hostile one: one line naming what is wrong
            Files.writeString(dir.resolve("s/" + TmpfsFiles.SNAPSHOT_FILE), "{\"mounts\": [{\"device\": 7}]}");
            try (ProcFs bad = ProcRoot.open(dir.resolve("s").toString())) {
                IOException e = assertThrows(IOException.class, bad::tmpfsFiles);
                assertTrue(e.getMessage().startsWith(TmpfsFiles.SNAPSHOT_FILE + ": not what snap writes"), e.getMessage());
            }
        } finally {
            SnapTest.deleteTree(dir);
        }
    }

    /** A crafted snapshot's tmpfs_files.json: too large, or a link out of the snapshot, is refused in one line. */
    @Test
    void aCraftedTmpfsFilesJsonIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("shmfiles-hostile");
        try {
            Path top = Files.createDirectories(dir.resolve("t/proc"));
            Files.copy(Path.of("/proc/meminfo"), top.resolve("meminfo"));
            Files.writeString(dir.resolve("t/metadata.json"), "{\"page_size\": 4096}");
            try (var ch = java.nio.channels.FileChannel.open(dir.resolve("t/" + TmpfsFiles.SNAPSHOT_FILE),
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[]{'{'}), TmpfsFiles.MAX_JSON_BYTES);
            }
            KernelObjects.run("tar", "-czf", dir.resolve("big.tar.gz").toString(), "-C", dir.toString(), "t");
            IOException e = assertThrows(IOException.class, () -> ProcRoot.open(dir.resolve("big.tar.gz").toString()));
            assertTrue(e.getMessage().contains(TmpfsFiles.SNAPSHOT_FILE + " of 16.0 MiB"), e.getMessage());
            try (ProcFs extracted = ProcRoot.open(dir.resolve("t").toString())) {
                IOException e2 = assertThrows(IOException.class, extracted::tmpfsFiles);
                assertTrue(e2.getMessage().contains("snap writes at most 16.0 MiB"), e2.getMessage());
            }
            Files.delete(dir.resolve("t/" + TmpfsFiles.SNAPSHOT_FILE));
            Files.createSymbolicLink(dir.resolve("t/" + TmpfsFiles.SNAPSHOT_FILE), Path.of("/etc/shadow"));
            try (ProcFs extracted = ProcRoot.open(dir.resolve("t").toString())) {
                IOException e3 = assertThrows(IOException.class, extracted::tmpfsFiles);
                assertTrue(e3.getMessage().contains("not a regular file in a snapshot: not read"), e3.getMessage());
            }
        } finally {
            SnapTest.deleteTree(dir);
        }
    }

    @Test
    void theOsSgaCountsWhatIsResidentOfTheFilesPmonMaps() throws Exception {
        ProcFs proc = new LiveProcFs();
        List<ProcessInfo> processes = OracleInstance.readAll(proc);
        OracleInstance i = OracleInstance.discover(proc, processes).stream().filter(x -> x.pid() == pmon.pid()).findFirst().orElseThrow();
        List<SysvShm.Segment> segments = SysvShm.parse(Files.readString(Path.of("/proc/sysvipc/shm")));
        // 10 + 4 + 1 MiB written of 64 + 16 + 2048 MiB files; pmon attaches no SysV segment
        assertEquals(15 * MiB, InstanceFigures.fromOs(proc, i, processes, segments).sgaBytes());
        assertEquals(0, InstanceFigures.fromOs(proc, i, processes, segments, null).sgaBytes(), "files unknown: SysV only");

        Tool.Result r = Tool.memstats("--no-db", "--filter", "pid(" + pmon.pid() + ")", "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(15 * MiB, Tool.num(OracleInstancesTest.instances(r).get(pmon.pid()), "sga"));
    }

    /**
     * memstats' table on a tmpfs the test mounts (so the box's other files do not push ours out of the
     * largest ten): text and JSON from one description, both residency paths, a snapshot, an older
     * snapshot, and nothing grown.
     */
    @Test
    void memstatsShowsTheTableLiveAndFromASnapshot() throws Exception {
        try (var mount = new KernelObjects.TmpfsMount("size=256m")) {
            Path granule = mount.dir.resolve("ora_" + SID + "_" + tag + "_9"), odd = mount.dir.resolve("odd\u001b[2Jname");
            Files.write(odd, new byte[(int) (3 * MiB)]);
            Files.createLink(mount.dir.resolve("hard-link"), odd);
            Files.createSymbolicLink(mount.dir.resolve("link"), ora1);
            KernelObjects.run("mkfifo", mount.dir.resolve("fifo").toString());
            try (Workload dbw1 = Workload.start(Map.of(), "exec:ora_dbw1_" + SID, "mapfile:" + granule + ":32:6")) {
                long blocks = allocated(granule);
                String filter = "pid(" + dbw1.pid() + ")";
                Tool.Result r = Tool.memstats("--no-db", "--filter", filter, "single", "--format", "json");
                assertEquals(0, r.exit(), r.toString());
                Map<String, Object> row = Tool.row(r, "tmpfs_files", "path", granule.toString());
                assertEquals(mount.dir.toString(), row.get("mount_point"));
                assertEquals(32 * MiB, Tool.num(row, "size"));
                assertEquals(6 * MiB, Tool.num(row, "resident"));
                assertEquals(0L, Tool.num(row, "swap"));
                assertEquals(6 * MiB, Tool.num(row, "allocated"));
                assertEquals(1L, Tool.num(row, "processes"), "dbw1 is the one scanned process mapping it");
                assertEquals(List.of(SID), row.get("sids"));
                assertEquals(List.of("all"), row.get("groups"), "the group of the first split (single) that maps it");
                Tool.Result byUser = Tool.memstats("--no-db", "--filter", filter, "groups", "-u", "--format", "json");
                assertEquals(0, byUser.exit(), byUser.toString());
                assertEquals(List.of("root"), Tool.row(byUser, "tmpfs_files", "path", granule.toString()).get("groups"));
                Map<String, Object> oddRow = Tool.row(r, "tmpfs_files", "inode", Files.getAttribute(odd, "unix:ino"));
                assertEquals(3 * MiB, Tool.num(oddRow, "resident"));
                assertEquals(1, ((List<?>) r.json().get("tmpfs_files")).stream().filter(o -> ((Map<?, ?>) o).get("inode").equals(oddRow.get("inode"))).count(),
                        "a hard link is the same file");
                for (Object o : (List<?>) r.json().get("tmpfs_files")) {
                    String p = String.valueOf(((Map<?, ?>) o).get("path"));
                    assertFalse(p.endsWith("/link") || p.endsWith("/fifo"), p);
                }

                System.setProperty(PageCache.SWITCH_PROPERTY, "off");
                Tool.Result slow;
                try {
                    slow = Tool.memstats("--no-db", "--filter", filter, "single", "--format", "json");
                } finally {
                    System.clearProperty(PageCache.SWITCH_PROPERTY);
                }
                assertEquals(row, Tool.row(slow, "tmpfs_files", "path", granule.toString()), "the mincore path");

                Tool.Result text = Tool.memstats("--no-db", "--filter", filter, "single");
                assertEquals(0, text.exit(), text.toString());
                assertTrue(text.out().contains("tmpfs files (the largest of each tmpfs)"), text.out());
                assertTrue(text.out().lines().anyMatch(l -> l.matches("│ " + mount.dir + " +│ " + granule
                        + " +│ +32\\.0 MiB │ +6\\.00 MiB │ +0 B │ +1 │ all +│ " + SID + " +│")), text.out());
                assertTrue(text.out().contains(mount.dir + "/odd\\x1b[2Jname") || text.out().contains(mount.dir + "/hard-link"), text.out());
                assertFalse(text.out().contains("\u001b"), "control characters escaped: " + text.out());
                assertEquals(blocks, allocated(granule), "memstats added pages to the file");

                // a snapshot: the same row offline (snap's writer over the pmon and dbw1 only)
                Path dir = Files.createTempDirectory("shmfiles-memstats");
                try {
                    Path archive = snapshotOf(dir, List.of(pmon.pid(), dbw1.pid()));
                    Tool.Result off = Tool.memstats("--procfs-root", archive.toString(), "--filter", filter, "single", "--format", "json");
                    assertEquals(0, off.exit(), off.toString());
                    assertEquals(row, Tool.row(off, "tmpfs_files", "path", granule.toString()), "the snapshot's row");

                    // an older snapshot, without tmpfs_files.json
                    Files.createDirectories(dir.resolve("old/proc"));
                    Files.copy(Path.of("/proc/meminfo"), dir.resolve("old/proc/meminfo"));
                    Files.writeString(dir.resolve("old/metadata.json"), "{\"page_size\": 4096}");
                    Tool.Result old = Tool.memstats("--procfs-root", dir.resolve("old").toString(), "single");
                    assertEquals(0, old.exit(), old.toString());
                    assertTrue(old.out().contains("tmpfs files: not recorded in this snapshot"), old.out());
                    Tool.Result oldJson = Tool.memstats("--procfs-root", dir.resolve("old").toString(), "single", "--format", "json");
                    assertTrue(oldJson.json().containsKey("tmpfs_files") && oldJson.json().get("tmpfs_files") == null, oldJson.out());
                } finally {
                    SnapTest.deleteTree(dir);
                }
            }
        }
    }

    @Test
    void mountinfoGivesEachTmpfsOnceAtItsWholeTree() {
        String mountinfo = """
                24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683548k
                29 24 0:26 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683548k
                31 27 0:28 /sub /mnt/bind rw - tmpfs none rw,size=4k
                32 27 0:28 / /mnt/with\\040space rw - tmpfs none rw,size=4k
                33 27 254:0 / / rw,relatime - ext4 /dev/vda rw
                """;
        assertEquals(List.of(new Tmpfs.Device(0, 22, "/dev/shm", "/"), new Tmpfs.Device(0, 26, "/dev/shm", "/"),
                new Tmpfs.Device(0, 28, "/mnt/with space", "/")), Tmpfs.devices(mountinfo));
        assertEquals(new TmpfsFiles.Key(0xfd, 1, 42), TmpfsFiles.Key.of(lib.proc.Maps.parseLine("7f00-7f01 r--s 00000000 fd:01 42 /x")));
    }
}
