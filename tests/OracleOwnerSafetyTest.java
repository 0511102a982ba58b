import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 11's two root exploits, done as a hostile local user would. A throwaway user (lmtest_atk,
 * removed afterwards) plants, in an ORACLE_HOME of its own, bin/setpriv, bin/setsid and bin/env that
 * note "uid gid parent-pid" in a record file and then run the real program, and a bin/sqlplus that
 * notes the same. It starts three fake pmons: `exec -a ora_pmon_SID cat` with ORACLE_HOME in /tmp
 * (attack 1 as filed), the same with its home in a directory only it and root can write (so its own
 * sqlplus passes every check and runs), and the setuid-root /usr/bin/passwd as `ora_pmon_SID`
 * (attack 2: real uid the attacker's, effective uid 0); a fourth pmon's home holds an escape
 * sequence and a newline. Root then runs memstats groups -u and
 * find_instances in this JVM: no planted program may have run as any uid but the attacker's, the
 * refused instances get one warning line saying why and OS figures, and no table names root as owner.
 * Records are counted only when their parent is this JVM: other test runs on the machine may ask
 * these pmons too.
 */
@NeedsRoot
class OracleOwnerSafetyTest {
    static final String ATTACKER = "lmtest_atk";
    static final List<String> PLANTED = List.of("setpriv", "setsid", "env", "sqlplus");
    static int uid, gid;
    static Path rec, tmpHome, optDir, safeHome;
    static String sidTmp, sidSafe, sidSuid, sidEsc;
    // a home that moves root's terminal and breaks the warning line, were it printed as it is
    static final String ESC_HOME = "/opt/lmtest-nohome\u001b[31m\nx";
    static final List<Process> pmons = new ArrayList<>();
    static Process pmonTmp, pmonSafe, pmonSuid, pmonEsc;
    static final long SELF = ProcessHandle.current().pid();

    static java.nio.channels.FileLock lock;

    @BeforeAll
    static void plantAndStart() throws Exception {
        lock = OracleInstancesTest.lockMachine();
        try {
            if (OracleInstancesTest.sh("getent", "passwd", ATTACKER).isEmpty()) {
                OracleInstancesTest.sh("useradd", "--system", "--no-create-home", "--user-group", "-s", "/usr/sbin/nologin", ATTACKER);
            }
            uid = OracleInstancesTest.id("passwd", ATTACKER);
            gid = Integer.parseInt(OracleInstancesTest.sh("getent", "passwd", ATTACKER).split(":")[3]);

            rec = Files.createTempDirectory(Path.of("/tmp"), "lmtest-atk-rec-");
            Files.setPosixFilePermissions(rec, PosixFilePermissions.fromString("rwxrwxrwx"));
            for (String p : PLANTED) {
                Files.createFile(rec.resolve(p));
                Files.setPosixFilePermissions(rec.resolve(p), PosixFilePermissions.fromString("rw-rw-rw-"));
            }
            tmpHome = Files.createTempDirectory(Path.of("/tmp"), "lmtest-evil-");
            plant(tmpHome);
            // a home no one but the attacker (and root) can change: its sqlplus passes the path checks
            Files.createDirectories(Path.of("/opt"));
            optDir = Files.createTempDirectory(Path.of("/opt"), "lmtest-atk-");
            Files.setPosixFilePermissions(optDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            safeHome = Files.createDirectory(optDir.resolve("home"));
            plant(safeHome);

            String tag = Integer.toString(ThreadLocalRandom.current().nextInt(10000, 100000));
            sidTmp = "LMATK" + tag + "T";
            sidSafe = "LMATK" + tag + "S";
            sidSuid = "LMATK" + tag + "P";
            sidEsc = "LMATK" + tag + "E";
            pmonTmp = pmon(sidTmp, tmpHome, "/usr/bin/cat");
            pmonSafe = pmon(sidSafe, safeHome, "/usr/bin/cat");
            pmonSuid = pmon(sidSuid, safeHome, "/usr/bin/passwd");
            pmonEsc = pmon(sidEsc, Path.of(ESC_HOME), "/usr/bin/cat");
            for (Process p : pmons) awaitPmon(p);
            String uids = Files.readAllLines(Path.of("/proc/" + pmonSuid.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElse("");
            assertEquals("Uid: " + uid + " 0 0 0", uids.replaceAll("\\s+", " "), "passwd is setuid root");
        } catch (Exception | Error e) {
            cleanUp();
            throw e;
        }
    }

    /** The attacker's home: bin/ with the recording programs, owned by the attacker. */
    static void plant(Path home) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        for (String p : PLANTED) {
            String note = "echo \"$(id -u) $(id -g) $PPID\" >> " + rec.resolve(p) + "\n";
            String body = p.equals("sqlplus") ? "exit 0\n" : "exec /usr/bin/" + p + " \"$@\"\n";
            Files.writeString(bin.resolve(p), "#!/bin/sh\n" + note + body);
            Files.setPosixFilePermissions(bin.resolve(p), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var files = Files.walk(home)) {
            for (Path f : files.toList()) {
                Files.setAttribute(f, "unix:uid", uid);
                Files.setAttribute(f, "unix:gid", gid);
            }
        }
    }

    /** `exec -a ora_pmon_SID PROGRAM` as the attacker, with only ORACLE_HOME and ORACLE_SID in its environment. */
    static Process pmon(String sid, Path home, String program) throws IOException {
        Process p = new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "/usr/bin/env", "-i", "ORACLE_HOME=" + home, "ORACLE_SID=" + sid,
                "/bin/bash", "-c", "exec -a ora_pmon_" + sid + " " + program)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        pmons.add(p);
        return p;
    }

    static void awaitPmon(Process p) throws Exception {
        Path cmdline = Path.of("/proc/" + p.pid() + "/cmdline");
        for (int i = 0; i < 500; i++) {
            if (Files.exists(cmdline) && new String(Files.readAllBytes(cmdline)).startsWith("ora_pmon_")) return;
            assertTrue(p.isAlive(), "pmon stand-in ended (exit " + (p.isAlive() ? "" : p.exitValue()) + ")");
            Thread.sleep(10);
        }
        fail("pid " + p.pid() + " never became ora_pmon_*");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (Process p : pmons) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // gone
            }
            p.destroyForcibly(); // passwd ignores SIGTERM
            p.waitFor(10, TimeUnit.SECONDS);
        }
        pmons.clear();
        for (Path d : new Path[]{rec, tmpHome, optDir}) {
            if (d == null) continue;
            try (var files = Files.walk(d)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        rec = tmpHome = optDir = null; // cleanUp may run twice: after a failed start and as @AfterAll
        if (!OracleInstancesTest.sh("getent", "passwd", ATTACKER).isEmpty()) OracleInstancesTest.sh("userdel", ATTACKER);
        OracleInstancesTest.unlock(lock);
        lock = null;
    }

    @BeforeEach
    void clearRecords() throws IOException {
        for (String p : PLANTED) Files.writeString(rec.resolve(p), "");
    }

    /** "uid gid" of each run of a planted program whose parent is this JVM (the tool's own children). */
    static List<String> runs(String program) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(rec.resolve(program))) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && f[2].equals(Long.toString(SELF))) out.add(f[0] + " " + f[1]);
        }
        return out;
    }

    /** No planted program ran as root or as anyone but the attacker; the attacker's own safe sqlplus did run, once, as the attacker. */
    static void assertNothingRanAsAnotherUser() throws IOException {
        Map<String, List<String>> ran = new java.util.LinkedHashMap<>();
        for (String p : PLANTED) ran.put(p, runs(p));
        Map<String, List<String>> expected = Map.of("setpriv", List.of(), "setsid", List.of(), "env", List.of(),
                "sqlplus", List.of(uid + " " + gid));
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(ran), "planted program -> its runs as \"uid gid\" (the attacker is " + uid + " " + gid + ")");
    }

    static String only(String err, long pid) {
        List<String> lines = err.lines().filter(l -> l.contains("(pid " + pid + ")")).toList();
        assertEquals(1, lines.size(), "one warning line for pid " + pid + ":\n" + err);
        return lines.get(0);
    }

    static void assertWarnings(String tool, String err) {
        assertEquals(tool + ": instance " + sidTmp + " (pid " + pmonTmp.pid() + "): not queried: /tmp is writable by others;"
                + " showing what the OS tells", only(err, pmonTmp.pid()));
        assertEquals(tool + ": instance " + sidSuid + " (pid " + pmonSuid.pid() + "): not queried: pmon's uids differ (real "
                + uid + ", effective 0, saved 0, fs 0); showing what the OS tells", only(err, pmonSuid.pid()));
        assertEquals(tool + ": instance " + sidEsc + " (pid " + pmonEsc.pid() + "): not queried: /opt/lmtest-nohome\\x1b[31m\\x0ax"
                + " does not exist; showing what the OS tells", only(err, pmonEsc.pid()));
        // the attacker's own instance is asked, as the attacker: the double answers nothing
        assertEquals(tool + ": instance " + sidSafe + " (pid " + pmonSafe.pid() + "): sqlplus exit 0: no output;"
                + " showing what the OS tells", only(err, pmonSafe.pid()));
    }

    @Test
    void memstatsGroupsByUserRunsNothingOfTheAttackerAsRoot() throws IOException {
        // instances are found among all processes whatever the filter: it only keeps the scan short
        Tool.Result r = Tool.memstats("groups", "-u", "--filter", "uid(" + uid + ")", "--format", "json", "--db-timeout", "30");
        assertEquals(0, r.exit(), r.toString());
        assertNothingRanAsAnotherUser();
        assertWarnings("memstats", r.err());
        Map<Integer, Map<String, Object>> inst = OracleInstancesTest.instances(r);
        for (Process p : List.of(pmonTmp, pmonSafe, pmonSuid, pmonEsc)) {
            Map<String, Object> i = inst.get((int) p.pid());
            assertNotNull(i, "pid " + p.pid() + " is an instance: " + inst.keySet());
            assertEquals("os", i.get("source"));
            assertEquals((long) uid, Tool.num(i, "uid"), "the owner is the real uid, never the effective 0");
            assertEquals(ATTACKER, i.get("user"));
        }
    }

    @Test
    void findInstancesRunsNothingOfTheAttackerAsRootAndNamesTheRealOwner() throws IOException {
        Tool.Result r = Tool.run(find_instances.commandLine(), "--db-timeout", "30");
        assertEquals(0, r.exit(), r.toString());
        assertNothingRanAsAnotherUser();
        assertWarnings("find_instances", r.err());
        assertTrue(r.out().matches("(?s).*│ " + sidSuid + " +│ +" + pmonSuid.pid() + " │ " + ATTACKER + " +│ " + safeHome
                + " +│ [^│]+│ os +│.*"), r.out());
        assertTrue(r.out().matches("(?s).*│ " + sidTmp + " +│ +" + pmonTmp.pid() + " │ " + ATTACKER + " +│ .*"), r.out());
    }
}
