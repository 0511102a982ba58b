import lib.oracle.OracleInstance;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.oracle.Sqlplus;
import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Oracle instances up to the sqlplus boundary (no Oracle database can run on the test machines).
 * Real processes stand in for the instances: cmdline exactly ora_pmon_TEST1 / asm_pmon_+ASM1, run as
 * test users (lmtest_ora, lmtest_grid: created when missing and left in place, like their groups
 * lmtest_oinst, lmtest_dba, lmtest_asm), ORACLE_SID / ORACLE_HOME in their environment, attached to
 * SysV segments like an SGA. The test ORACLE_HOME's bin/sqlplus is tests/support/sqlplus-double.sh,
 * a test double that stands in for the real instance: it checks it runs as the owner with the
 * instance's environment and answers the figure queries with canned v$ rows.
 */
@NeedsRoot
class OracleInstancesTest {
    static final long MiB = Tool.MiB;
    static Path home;
    static int oraUid, gridUid, oinstGid, dbaGid, asmGid;
    static int key1, key2;
    static final List<Workload> workloads = new ArrayList<>();
    static Workload pmon1, dbw0, server1, asmPmon, notPmon;

    static java.nio.channels.FileLock lock;

    /** The machine-wide lock of the Oracle test classes: runs in other worktrees would each start pmons and users. */
    static java.nio.channels.FileLock lockMachine() throws IOException {
        return java.nio.channels.FileChannel.open(Path.of("/tmp/linux-mem-oracle-tests.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE).lock();
    }

    /** Closing the lock's channel releases it. */
    static void unlock(java.nio.channels.FileLock l) throws IOException {
        if (l != null) l.channel().close();
    }

    @BeforeAll
    static void startInstances() throws Exception {
        lock = lockMachine();
        for (String g : List.of("lmtest_oinst", "lmtest_dba", "lmtest_asm")) {
            if (sh("getent", "group", g).isEmpty()) sh("groupadd", "--system", g);
        }
        if (sh("getent", "passwd", "lmtest_ora").isEmpty()) {
            sh("useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", "-g", "lmtest_oinst", "-G", "lmtest_dba", "lmtest_ora");
        }
        if (sh("getent", "passwd", "lmtest_grid").isEmpty()) {
            sh("useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", "-g", "lmtest_oinst", "-G", "lmtest_asm", "lmtest_grid");
        }
        oraUid = id("passwd", "lmtest_ora");
        gridUid = id("passwd", "lmtest_grid");
        oinstGid = id("group", "lmtest_oinst");
        dbaGid = id("group", "lmtest_dba");
        asmGid = id("group", "lmtest_asm");

        // not under /root (the owners must run it) nor /tmp (writable by others: the tools refuse a sqlplus there)
        home = Files.createTempDirectory(Files.createDirectories(Path.of("/opt")), "lmtest-orahome-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Path sqlplus = home.resolve("bin/sqlplus");
        Files.copy(Native.testsDir().resolve("support/sqlplus-double.sh"), sqlplus);
        Files.setPosixFilePermissions(sqlplus, PosixFilePermissions.fromString("rwxr-xr-x"));
        canned("TEST1", oraUid, oinstGid, dbaGid, "sysdba",
                "Fixed Size|8924008\nVariable Size|1073741824\nDatabase Buffers|3221225472\nRedo Buffers|7852032\n",
                "87|412345678\n", "ONLY\n",
                "NAME                 |VALUE\nsga_max_size         |4294967296\nsga_target           |4294967296\n");
        canned("+ASM1", gridUid, oinstGid, asmGid, "sysasm",
                "Fixed Size|8899584\nVariable Size|1124073472\nDatabase Buffers|16777216\nRedo Buffers|7163904\n",
                "23|98765432\n", "TRUE\n",
                "NAME                 |VALUE\nsga_max_size         |1157627904\n");
        canned("TEST3", oraUid, oinstGid, dbaGid, "sysdba", "Variable Size|1000000000\nDatabase Buffers|2000000000\n", "5|1000\n",
                "FALSE\n", "");
        canned("TEST2", oraUid, oinstGid, dbaGid, "sysdba", "", "", "", "");
        Files.writeString(home.resolve("canned/TEST2/fail"), "");

        int base = 0x4c4d0000 + ThreadLocalRandom.current().nextInt(0x8000) * 2;
        key1 = base;
        key2 = base + 1;
        List<String> asOra = setpriv(oraUid, oinstGid, dbaGid);
        try {
            pmon1 = start(asOra, Map.of("ORACLE_SID", "TEST1", "ORACLE_HOME", home.toString()),
                    "exec:ora_pmon_TEST1", "shmget:" + key1 + ":16:-", "shmat:" + key1 + ":4");
            // a background process without ORACLE_SID and a dedicated server: counted by their names
            dbw0 = start(asOra, Map.of("ORACLE_HOME", home.toString()), "exec:ora_dbw0_TEST1", "shmat:" + key1 + ":0");
            server1 = start(asOra, Map.of(), "exec:oracleTEST1 (LOCAL=NO)");
            asmPmon = start(setpriv(gridUid, oinstGid, asmGid), Map.of("ORACLE_SID", "+ASM1", "ORACLE_HOME", home.toString()),
                    "exec:asm_pmon_+ASM1", "shmget:" + key2 + ":8:-", "shmat:" + key2 + ":2");
            // one word, but no SID an instance can have
            notPmon = start(List.of(), Map.of(), "exec:ora_pmon_NOT ME");
        } catch (IOException e) {
            stopInstances();
            throw e;
        }
    }

    @AfterAll
    static void stopInstances() throws Exception {
        for (Workload w : workloads) w.close();
        workloads.clear();
        for (int key : new int[]{key1, key2}) {
            if (key != 0) sh("sh", "-c", "ipcrm -M " + key + " 2>/dev/null || true");
        }
        if (home != null) {
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        unlock(lock);
    }

    static Workload start(List<String> prefix, Map<String, String> env, String... ops) throws IOException {
        Workload w = Workload.startAs(prefix, env, ops);
        workloads.add(w);
        return w;
    }

    static List<String> setpriv(int uid, int gid, int group) {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--groups=" + group);
    }

    /** The canned answers of one SID, and who the double must run as. */
    static void canned(String sid, int uid, int gid, int group, String role, String sga, String process, String largePages,
                       String sql) throws IOException {
        Path d = Files.createDirectories(home.resolve("canned/" + sid));
        Files.setAttribute(d, "unix:uid", uid); // the double, as the owner, notes its pids there when it hangs
        StringBuilder groups = new StringBuilder();
        for (int g : new TreeSet<>(List.of(gid, group))) groups.append(g).append(' ');
        Files.writeString(d.resolve("uid"), uid + "\n");
        Files.writeString(d.resolve("gid"), gid + "\n");
        Files.writeString(d.resolve("groups"), groups.toString());
        Files.writeString(d.resolve("role"), role + "\n");
        Files.writeString(d.resolve("sga"), sga);
        Files.writeString(d.resolve("process"), process);
        Files.writeString(d.resolve("large_pages"), largePages);
        Files.writeString(d.resolve("sql"), sql);
    }

    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        if (p.exitValue() != 0 && !cmd[0].equals("getent")) throw new IOException(String.join(" ", cmd) + ": " + out);
        return p.exitValue() == 0 ? out : "";
    }

    static int id(String db, String name) throws Exception {
        return Integer.parseInt(sh("getent", db, name).split(":")[2]);
    }

    static long shmid(int key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm"))) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(Integer.toString(key))) return Long.parseLong(f[1]);
        }
        throw new AssertionError("no segment with key " + key);
    }

    /** The JSON instances by pid (another test run may hold a TEST1 of its own at the same time). */
    @SuppressWarnings("unchecked")
    static Map<Integer, Map<String, Object>> instances(Tool.Result r) {
        Map<Integer, Map<String, Object>> byPid = new java.util.LinkedHashMap<>();
        for (Object o : (List<Object>) r.json().get("instances")) {
            Map<String, Object> m = (Map<String, Object>) o;
            byPid.put(((Number) m.get("pid")).intValue(), m);
        }
        return byPid;
    }

    @Test
    void discoveryFindsThePmonProcessesWithOwnerSidAndHome() throws IOException {
        try (ProcFs proc = ProcRoot.open("/proc")) {
            Map<Integer, OracleInstance> byPid = new java.util.HashMap<>();
            List<OracleInstance> found = OracleInstance.discover(proc);
            for (OracleInstance i : found) byPid.put(i.pid(), i);
            OracleInstance t = byPid.get(pmon1.pid());
            assertNotNull(t, "ora_pmon_TEST1 not found in " + found);
            assertEquals("TEST1", t.sid());
            assertEquals(oraUid, t.uid());
            assertEquals(oinstGid, t.gid());
            assertEquals(List.of(dbaGid), t.groups());
            assertEquals(home.toString(), t.home());
            assertEquals("TEST1", t.oracleSid());
            assertFalse(t.asm());
            assertEquals("sysdba", t.role());
            OracleInstance a = byPid.get(asmPmon.pid());
            assertNotNull(a);
            assertEquals("+ASM1", a.sid());
            assertEquals(gridUid, a.uid());
            assertTrue(a.asm());
            assertEquals("sysasm", a.role());
            assertFalse(byPid.containsKey(notPmon.pid()), "ora_pmon_NOT ME is no instance");
            // background and server processes are no instances, but belong to TEST1
            assertFalse(byPid.containsKey(dbw0.pid()) || byPid.containsKey(server1.pid()));
            List<ProcessInfo> mine = new ArrayList<>();
            for (Workload w : workloads) mine.add(ProcessInfo.read(proc, w.pid()));
            mine.add(ProcessInfo.read(proc, (int) ProcessHandle.current().pid()));
            assertEquals(3, t.countProcesses(mine), "pmon, ora_dbw0_TEST1 and oracleTEST1 (LOCAL=NO)");
            assertEquals(1, a.countProcesses(mine));
            // the shm table's sid column: segments by the pmon that attaches them
            Map<Long, List<String>> sids = OracleInstance.sidsBySegment(proc, found);
            assertEquals(List.of("TEST1"), sids.get(shmid(key1)));
            assertEquals(List.of("+ASM1"), sids.get(shmid(key2)));
        }
        assertNull(OracleInstance.pmonSid(List.of("ora_pmon_TEST1", "extra")));
        assertNull(OracleInstance.pmonSid(List.of("xora_pmon_TEST1")));
        assertEquals("TEST1", OracleInstance.pmonSid(List.of("ora_pmon_TEST1")));
    }

    @Test
    void noDbGivesTheFiguresTheOsTells() {
        Tool.Result r = Tool.memstats("--no-db", "--filter", "pid(" + pmon1.pid() + ")", "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<Integer, Map<String, Object>> inst = instances(r);
        Map<String, Object> t = inst.get(pmon1.pid());
        assertEquals("TEST1", t.get("sid"));
        assertEquals("os", t.get("source"));
        assertEquals(16 * MiB, Tool.num(t, "sga"), "the 16 MiB segment pmon attaches");
        assertEquals(3L, Tool.num(t, "processes"));
        assertNull(t.get("pga"));
        assertNull(t.get("large_pages"));
        assertEquals("lmtest_ora", t.get("user"));
        Map<String, Object> a = inst.get(asmPmon.pid());
        assertEquals("os", a.get("source"));
        assertEquals(8 * MiB, Tool.num(a, "sga"));
        assertEquals(1L, Tool.num(a, "processes"));
        assertFalse(r.err().contains("memstats: instance "), "--no-db asks no instance: " + r.err());

        Tool.Result text = Tool.memstats("--no-db", "--filter", "pid(" + pmon1.pid() + ")", "single");
        assertEquals(0, text.exit(), text.toString());
        assertTrue(text.out().contains("Oracle instances"), text.out());
        assertTrue(text.out().matches("(?s).*│ +TEST1 +│ +16\\.0 MiB +│ +- +│ +3 +│ +- +│ +os +│.*"), text.out());
    }

    @Test
    void dbFiguresComeFromSqlplusRunAsTheOwner() {
        Tool.Result r = Tool.memstats("--filter", "pid(" + pmon1.pid() + ")", "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        // the double refuses (and the figures fall back to os with a warning) unless identity and environment are right
        assertFalse(r.err().contains("(pid " + pmon1.pid() + ")") || r.err().contains("(pid " + asmPmon.pid() + ")"), r.err());
        Map<Integer, Map<String, Object>> inst = instances(r);
        Map<String, Object> t = inst.get(pmon1.pid());
        assertEquals("db", t.get("source"), r.toString());
        assertEquals(1073741824L + 3221225472L, Tool.num(t, "sga"), "Variable Size + Database Buffers");
        assertEquals(412345678L, Tool.num(t, "pga"));
        assertEquals(87L, Tool.num(t, "processes"));
        assertEquals("ONLY", t.get("large_pages"));
        @SuppressWarnings("unchecked")
        Map<String, Object> rows = (Map<String, Object>) t.get("sga_rows");
        assertEquals(List.of("Fixed Size", "Variable Size", "Database Buffers", "Redo Buffers"), List.copyOf(rows.keySet()));
        assertEquals(7852032L, ((Number) rows.get("Redo Buffers")).longValue());
        Map<String, Object> a = inst.get(asmPmon.pid());
        assertEquals("db", a.get("source"));
        assertEquals(1124073472L + 16777216L, Tool.num(a, "sga"));
        assertEquals("TRUE", a.get("large_pages"));

        Tool.Result text = Tool.memstats("--filter", "pid(" + pmon1.pid() + ")", "single");
        assertTrue(text.out().matches("(?s).*│ +TEST1 +│ +4\\.00 GiB +│ +393 MiB +│ +87 +│ +ONLY +│ +db +│.*"), text.out());
        assertTrue(text.out().matches("(?s).*│ +\\+ASM1 +│ +1\\.06 GiB +│ +94\\.2 MiB +│ +23 +│ +TRUE +│ +db +│.*"), text.out());
    }

    @Test
    void findInstancesListsAndRunsSqlOnEveryInstance() {
        Tool.Result r = Tool.run(find_instances.commandLine(), "--sql", "select name, value from v$parameter where name like 'sga%';");
        assertEquals(0, r.exit(), r.toString());
        String out = r.out();
        assertTrue(out.matches("(?s).*│ TEST1 +│ +" + pmon1.pid() + " │ lmtest_ora +│ " + home + " +│ +4\\.00 GiB │ db +│.*"), out);
        assertTrue(out.matches("(?s).*│ \\+ASM1 +│ +" + asmPmon.pid() + " │ lmtest_grid +│ " + home + " +│ +1\\.06 GiB │ db +│.*"), out);
        String heading = "\nTEST1 (pid " + pmon1.pid() + "):\n";
        int test1 = out.indexOf(heading), asm = out.indexOf("\n+ASM1 (pid " + asmPmon.pid() + "):\n");
        assertTrue(test1 > 0 && asm > 0, out);
        int next = out.indexOf("):\n", test1 + heading.length());
        String test1Rows = out.substring(test1, next > 0 ? next : out.length());
        assertTrue(test1Rows.matches("(?s).*│ NAME +│ VALUE +│.*│ sga_target +│ 4294967296 +│.*"), test1Rows);

        Tool.Result json = Tool.run(find_instances.commandLine(), "--sql", "select name, value from v$parameter where name like 'sga%'",
                "--format", "json");
        assertEquals(0, json.exit(), json.toString());
        Map<String, Object> t = instances(json).get(pmon1.pid());
        @SuppressWarnings("unchecked")
        Map<String, Object> sql = (Map<String, Object>) t.get("sql");
        assertEquals(List.of("NAME", "VALUE"), sql.get("columns"));
        assertEquals(List.of(List.of("sga_max_size", "4294967296"), List.of("sga_target", "4294967296")), sql.get("rows"));
        assertNull(sql.get("error"));

        Tool.Result noDb = Tool.run(find_instances.commandLine(), "--no-db", "--format", "json");
        assertEquals("os", instances(noDb).get(pmon1.pid()).get("source"));
        assertEquals(16 * MiB, Tool.num(instances(noDb).get(pmon1.pid()), "sga"));
        Tool.Result bad = Tool.run(find_instances.commandLine(), "--no-db", "--sql", "select 1 from dual");
        assertEquals(2, bad.exit(), bad.toString());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    /** An owner's sqlplus that writes without end costs root at most Sqlplus' bound: the pipe is closed, the run goes on. */
    @Test
    void aFloodingSqlplusIsCutShort() throws Exception {
        Path flood = home.resolve("canned/TEST1/flood");
        Files.writeString(flood, ProcessHandle.current().pid() + "\n");
        try {
            long t0 = System.nanoTime();
            Tool.Result r = Tool.memstats("--db-timeout", "120", "--filter", "pid(" + pmon1.pid() + ")", "single", "--format", "json");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.exit(), r.toString());
            assertEquals("os", instances(r).get(pmon1.pid()).get("source"), r.err());
            assertTrue(r.err().contains("memstats: instance TEST1 (pid " + pmon1.pid() + "): "), r.err());
            // without the bound, yes fills root's buffer until the 120 s limit (or the heap) ends it
            assertTrue(ms < 60_000, "took " + ms + " ms");
        } finally {
            Files.deleteIfExists(flood);
        }
    }

    @Test
    void hungAndFailingInstancesFallBackToOsFiguresAndTheOthersGoOn() throws Exception {
        Path hang = home.resolve("canned/TEST1/hang"), hungPids = home.resolve("canned/TEST1/hung.pids");
        Files.writeString(hang, ProcessHandle.current().pid() + "\n");
        try (Workload pmon2 = Workload.startAs(setpriv(oraUid, oinstGid, dbaGid),
                Map.of("ORACLE_SID", "TEST2", "ORACLE_HOME", home.toString()), "exec:ora_pmon_TEST2")) {
            long t0 = System.nanoTime();
            Tool.Result r = Tool.memstats("--db-timeout", "3", "--filter", "pid(" + pmon1.pid() + ")", "single", "--format", "json");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, r.exit(), r.toString());
            Map<Integer, Map<String, Object>> inst = instances(r);
            assertEquals("os", inst.get(pmon1.pid()).get("source"));
            assertEquals(16 * MiB, Tool.num(inst.get(pmon1.pid()), "sga"));
            assertEquals("os", inst.get(pmon2.pid()).get("source"));
            assertEquals(0L, Tool.num(inst.get(pmon2.pid()), "sga"), "TEST2's pmon attaches no segment");
            assertEquals("db", inst.get(asmPmon.pid()).get("source"), "the other instances go on");
            List<String> warnings = r.err().lines().filter(l -> l.startsWith("memstats: instance ")).toList();
            String hung = "memstats: instance TEST1 (pid " + pmon1.pid() + "): sqlplus gave no answer within 3 s (killed); showing what the OS tells";
            String failed = "memstats: instance TEST2 (pid " + pmon2.pid() + "): sqlplus exit 1: ORA-01034: ORACLE not available; showing what the OS tells";
            assertTrue(warnings.contains(hung) && warnings.contains(failed), r.err());
            assertEquals(0, warnings.stream().filter(w -> w.contains("(pid " + asmPmon.pid() + ")")).count(), r.err());
            // the instances are asked in parallel: one time limit, not one per instance
            assertTrue(ms < 3000 + 15000, "took " + ms + " ms");
        } finally {
            Files.deleteIfExists(hang);
        }
        // the hung double and its child were killed with their process group
        String[] hung = Files.readString(hungPids).trim().split("\\s+");
        assertEquals(2, hung.length, "the double and its child");
        for (String pid : hung) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            assertTrue(!Files.exists(stat) || Files.readString(stat).replaceAll(".*\\) ", "").startsWith("Z"), "left running: " + pid);
        }
        Files.delete(hungPids);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shmTableNamesTheInstanceWhosePmonAttachesEachSegment() throws IOException {
        Tool.Result r = Tool.memstats("--no-db", "--filter", "pid(" + pmon1.pid() + ")", "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<Long, List<Object>> sids = new java.util.HashMap<>();
        for (Object o : (List<Object>) r.json().get("shm")) {
            Map<String, Object> seg = (Map<String, Object>) o;
            sids.put(((Number) seg.get("shmid")).longValue(), (List<Object>) seg.get("sids"));
        }
        assertEquals(List.of("TEST1"), sids.get(shmid(key1)), "ora_dbw0_TEST1 attaches it too, but only pmon names the instance");
        assertEquals(List.of("+ASM1"), sids.get(shmid(key2)));
        Tool.Result text = Tool.memstats("--no-db", "--filter", "pid(" + pmon1.pid() + ")", "single");
        assertTrue(text.out().matches("(?s).*│ +" + key1 + " +│ " + shmid(key1) + " +│ 16\\.0 MiB +│.*│ TEST1 +│.*"), text.out());
    }

    @Test
    void aSymlinkedHomeRunsItsRealSqlplusAndALinkAnyoneCouldSwapIsRefused() throws Exception {
        Path link = home.resolveSibling(home.getFileName() + "-link"), tmpLink = Path.of("/tmp", home.getFileName() + "-link");
        Files.createSymbolicLink(link, home);
        Files.createSymbolicLink(tmpLink, home);
        // the double checks it gets pmon's own ORACLE_HOME string (a bequeath connection needs it), and runs at the real path
        Files.writeString(home.resolve("canned/TEST3/home"), link + "\n");
        List<String> asOra = setpriv(oraUid, oinstGid, dbaGid);
        try (Workload viaLink = Workload.startAs(asOra, Map.of("ORACLE_SID", "TEST3", "ORACLE_HOME", link.toString()), "exec:ora_pmon_TEST3");
             Workload viaTmp = Workload.startAs(asOra, Map.of("ORACLE_SID", "TEST3", "ORACLE_HOME", tmpLink.toString()), "exec:ora_pmon_TEST3")) {
            Tool.Result r = Tool.memstats("--filter", "pid(" + viaLink.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<Integer, Map<String, Object>> inst = instances(r);
            assertEquals("db", inst.get(viaLink.pid()).get("source"), r.err());
            assertEquals(3000000000L, Tool.num(inst.get(viaLink.pid()), "sga"));
            assertEquals(link.toString(), inst.get(viaLink.pid()).get("home"));
            assertEquals("os", inst.get(viaTmp.pid()).get("source"));
            assertEquals(List.of("memstats: instance TEST3 (pid " + viaTmp.pid() + "): not queried: /tmp is writable by others;"
                    + " showing what the OS tells"), r.err().lines().filter(l -> l.contains("TEST3")).toList());
        } finally {
            Files.delete(link);
            Files.delete(tmpLink);
            Files.delete(home.resolve("canned/TEST3/home"));
        }
    }

    /** env reads a word holding '=' as an assignment: a sqlplus whose real path has one is not run. */
    @Test
    void aSqlplusPathWithAnEqualsSignIsNotRun() throws Exception {
        Path odd = home.resolveSibling("ora=home"), bin = odd.resolve("bin");
        Files.createDirectories(bin);
        Files.copy(home.resolve("bin/sqlplus"), bin.resolve("sqlplus"));
        Files.setPosixFilePermissions(bin.resolve("sqlplus"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Workload pmon = Workload.startAs(setpriv(oraUid, oinstGid, dbaGid),
                Map.of("ORACLE_SID", "TEST3", "ORACLE_HOME", odd.toString()), "exec:ora_pmon_TEST3")) {
            Tool.Result r = Tool.memstats("--filter", "pid(" + pmon.pid() + ")", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            assertEquals("os", instances(r).get(pmon.pid()).get("source"));
            assertTrue(r.err().contains("(pid " + pmon.pid() + "): not queried: the path of sqlplus holds '='"), r.err());
        } finally {
            Files.deleteIfExists(bin.resolve("sqlplus"));
            Files.deleteIfExists(bin);
            Files.deleteIfExists(odd);
        }
    }

    @Test
    void sqlplusOutputIsSplitByMarkers() {
        String script = Sqlplus.script(new java.util.LinkedHashMap<>(Map.of("+q", "select 1 from dual;\n")));
        assertTrue(script.contains("select 1 from dual\n/\n"), script);
        String out = "Session altered.\n\n" + "@@LINUXMEM@@ begin a\nx | 1\n\ny|2\n@@LINUXMEM@@ end a\n"
                + "@@LINUXMEM@@ begin b\nselect * from nope\n              *\nERROR at line 1:\nORA-00942: table or view does not exist\n@@LINUXMEM@@ end b\n"
                + "@@LINUXMEM@@ begin c\n";
        Map<String, Sqlplus.Section> s = Sqlplus.parse(out);
        assertEquals(List.of(List.of("x", "1"), List.of("y", "2")), s.get("a").rows());
        assertEquals("ORA-00942: table or view does not exist", s.get("b").error());
        assertFalse(s.containsKey("c"), "a query whose end marker never came has no answer");
    }

    @Test
    void findInstancesScriptRunsThroughJbang() throws Exception {
        Process p = new ProcessBuilder(Native.repoRoot().resolve("jbang").toString(), "find_instances.java", "--no-db")
                .directory(Native.repoRoot().toFile()).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.matches("(?s).*│ TEST1 +│ +" + pmon1.pid() + " │ lmtest_ora +│ " + home + " +│ +16\\.0 MiB │ os +│.*"), out);
    }
}
