import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * connections.java against a REAL database: PostgreSQL on 127.0.0.1:5432 (role lmtest, password
 * lmtest), installed and started by .ci/run through tests/support/pg-setup.sh. In CI a server that
 * does not answer is a failure; elsewhere the test runs pg-setup.sh itself and stops the cluster
 * afterwards when it was the one that started it.
 */
@NeedsRoot
class PostgresConnectionsTest {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    static final String USER = "lmtest", PASSWORD = "lmtest";
    static final int N = 50;
    static String startedCluster;

    @BeforeAll
    static void server() throws Exception {
        String why = whyNoServer();
        if (why == null) return;
        if ("true".equals(System.getenv("CI"))) {
            fail("PostgreSQL does not answer on 127.0.0.1:5432 as " + USER + " (" + why
                    + "): .ci/run must install and start it with tests/support/pg-setup.sh");
        }
        Process p = new ProcessBuilder(Native.testsDir().resolve("support/pg-setup.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(600, TimeUnit.SECONDS) && p.exitValue() == 0, "pg-setup.sh failed: " + out);
        if (out.startsWith("started ")) startedCluster = out.substring(8);
        assertNull(whyNoServer(), "PostgreSQL still does not answer after pg-setup.sh");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (startedCluster == null) return;
        String[] vc = startedCluster.split(" ");
        new ProcessBuilder("pg_ctlcluster", vc[0], vc[1], "stop").inheritIO().start().waitFor(120, TimeUnit.SECONDS);
    }

    static String whyNoServer() {
        try (Connection c = connect()) {
            return null;
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        p.setProperty("ApplicationName", "PostgresConnectionsTest");
        return DriverManager.getConnection(URL, p);
    }

    /** Backend pids of the other sessions of the test role, as pg_stat_activity shows them. */
    static List<Integer> backends() throws SQLException {
        List<Integer> pids = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select pid from pg_stat_activity where usename = '" + USER
                     + "' and pid <> pg_backend_pid() order by pid")) {
            while (rs.next()) pids.add(rs.getInt(1));
        }
        return pids;
    }

    static List<Integer> awaitBackends(int count, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        List<Integer> pids = backends();
        while (pids.size() != count && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            pids = backends();
        }
        return pids;
    }

    /** The shmid of the SysV segment a process attaches (the inode column of its /SYSV mapping). */
    static long sysvShmid(int pid) throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/maps"))) {
            lib.proc.Maps.Mapping m = lib.proc.Maps.parseLine(line);
            if (m.isSysvShm()) return m.sysvShmid();
        }
        throw new AssertionError("backend " + pid + " attaches no SysV segment: is shared_memory_type = sysv"
                + " (tests/support/pg-setup.sh sets it)?");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> segment(Tool.Result memstats, long shmid) {
        for (Object o : (List<Object>) memstats.json().get("shm")) {
            Map<String, Object> seg = (Map<String, Object>) o;
            if (Tool.num(seg, "shmid") == shmid) return seg;
        }
        throw new AssertionError("memstats lists no segment " + shmid);
    }

    static String mb(long bytes) {
        return lib.text.Bytes.AUTO.format(bytes);
    }

    @Test
    void fiftyConnectionsGrowThePostgresGroup() throws Exception {
        assertEquals(List.of(), awaitBackends(0, 30_000), "sessions of " + USER + " left from before");
        Tool.Result before = Tool.memstats("--no-db", "groups", "-c", "comm(postgres)", "--format", "json");
        assertEquals(0, before.exit(), before.toString());
        Map<String, Object> pgBefore = Tool.groups(before, "comm(postgres)").get("comm(postgres)");

        FutureTask<Tool.Result> conn = new FutureTask<>(() ->
                Tool.run(connections.commandLine(), "--hold", "600", URL, USER, PASSWORD, Integer.toString(N)));
        Thread holder = new Thread(conn, "connections");
        holder.start();
        try {
            List<Integer> pids = awaitBackends(N, 180_000);
            assertEquals(N, pids.size(), "pg_stat_activity sees " + pids.size() + " sessions of " + USER);
            String backendFilter = "or(" + pids.stream().map(p -> "pid(" + p + ")").collect(Collectors.joining(",")) + ")";
            Tool.Result during = Tool.memstats("--no-db", "groups", "-c", "comm(postgres)", "-c", backendFilter, "--format", "json");
            assertEquals(0, during.exit(), during.toString());
            Map<String, Object> pgDuring = Tool.groups(during, "comm(postgres)").get("comm(postgres)");
            Map<String, Object> mine = Tool.groups(during, backendFilter).get(backendFilter);

            long procs = Tool.num(pgDuring, "procs") - Tool.num(pgBefore, "procs");
            long rss = Tool.num(pgDuring, "mem_rss") - Tool.num(pgBefore, "mem_rss");
            long uss = Tool.num(pgDuring, "mem_uss") - Tool.num(pgBefore, "mem_uss");
            // autovacuum workers come and go: a few more or fewer postgres processes than the sessions
            assertTrue(procs >= N - 2 && procs <= N + 3, "postgres processes grew by " + procs);
            assertEquals(N, Tool.num(mine, "procs"));
            // a backend is a fork of the postmaster: its own pages are its private heap, stack and catalog caches
            long ownPerConnection = Tool.num(mine, "mem_uss") / N;
            assertTrue(ownPerConnection >= 200 * 1024, "backend mem_uss per connection " + ownPerConnection);
            assertTrue(rss >= N * 200L * 1024, "postgres mem_rss grew by " + mb(rss));
            assertTrue(Tool.num(mine, "mem_rss") >= Tool.num(mine, "mem_uss"));
            // pg-setup.sh puts the shared buffers in a SysV segment: every backend attaches it, as Oracle processes attach the SGA
            long shmid = sysvShmid(pids.get(0));
            Map<String, Object> seg = segment(during, shmid);
            assertTrue(Tool.num(seg, "size") >= 128 * Tool.MiB, "shared_buffers 128MB and more: " + seg);
            assertTrue(Tool.num(seg, "nattch") >= N + 1, "the postmaster and every backend attach it: " + seg);
            assertEquals(Tool.num(seg, "rss"), Tool.num(mine, "shm_mem"), "the backends' shm_mem is that segment's rss");
            System.out.printf("PostgreSQL shared buffers: SysV segment shmid %d, size %s, rss %s, nattch %d%n", shmid,
                    mb(Tool.num(seg, "size")), mb(Tool.num(seg, "rss")), Tool.num(seg, "nattch"));
            System.out.printf("PostgreSQL, %d connections: comm(postgres) procs %d -> %d, mem_rss %s -> %s (+%s, %s per connection),"
                            + " mem_uss +%s (%s per connection); the %d backends: mem_rss %s, mem_uss %s (%s per connection)%n",
                    N, Tool.num(pgBefore, "procs"), Tool.num(pgDuring, "procs"), mb(Tool.num(pgBefore, "mem_rss")),
                    mb(Tool.num(pgDuring, "mem_rss")), mb(rss), mb(rss / N), mb(uss), mb(uss / N), N,
                    mb(Tool.num(mine, "mem_rss")), mb(Tool.num(mine, "mem_uss")), mb(ownPerConnection));
        } finally {
            holder.interrupt();
            holder.join(60_000);
        }
        Tool.Result r = conn.get();
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("Opened " + N + " of " + N + " connections to " + URL), r.out());
        assertTrue(r.out().matches("(?s).*connect time: min [0-9.]+m?s, median [0-9.]+m?s, max [0-9.]+m?s.*"), r.out());
        assertTrue(r.out().contains("Closed " + N + " connections"), r.out());
        assertTrue(r.err().contains("10/" + N + ": 10 open, 0 failed") && r.err().contains(N + "/" + N + ": " + N + " open"), r.err());
        assertEquals(List.of(), awaitBackends(0, 30_000), "connections were closed");
    }

    /** Runs connections.java through ./jbang, as a user would. */
    static Tool.Result script(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Native.repoRoot().resolve("jbang").toString(), "connections.java"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Native.repoRoot().toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes());
        p.getOutputStream().close();
        FutureTask<String> err = new FutureTask<>(() -> new String(p.getErrorStream().readAllBytes()));
        new Thread(err).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        try {
            return new Tool.Result(p.exitValue(), out, err.get().lines().filter(l -> !l.startsWith("[jbang]")).collect(Collectors.joining("\n")));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e);
        }
    }

    @Test
    void scriptTakesThePasswordFromAnEnvironmentVariableOrStdin() throws Exception {
        Tool.Result env = script(Map.of("LMTEST_PW", PASSWORD), "", "--hold", "1", "--password-env", "LMTEST_PW", URL, USER, "-", "5");
        assertEquals(0, env.exit(), env.toString());
        assertTrue(env.out().contains("Opened 5 of 5 connections"), env.out());
        Tool.Result stdin = script(Map.of(), PASSWORD + "\n", "--hold", "0", URL, USER, "-", "2");
        assertEquals(0, stdin.exit(), stdin.toString());
        assertTrue(stdin.out().contains("Opened 2 of 2 connections"), stdin.out());
        Tool.Result wrong = script(Map.of(), "", "--hold", "0", URL, USER, "not-the-password", "3");
        assertEquals(1, wrong.exit(), wrong.toString());
        assertTrue(wrong.out().contains("Opened 0 of 3"), wrong.out());
        assertTrue(wrong.out().matches("(?s).*errors:\n  3 x FATAL: password authentication failed for user \"lmtest\".*"), wrong.out());
    }

    @Test
    void badArgumentsAreOneLineAndExit2() throws Exception {
        for (String[] args : new String[][]{{URL, USER, PASSWORD}, {URL, USER, PASSWORD, "x"}, {URL, USER, PASSWORD, "0"},
                {"no-service-here", USER, PASSWORD, "1"}, {"--password-env", "LMTEST_UNSET_VAR", URL, USER, "-", "1"}}) {
            Tool.Result r = Tool.run(connections.commandLine(), args);
            assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("connections: "), r.err());
        }
        Tool.Result viaJbang = script(Map.of(), "", URL, USER, PASSWORD, "many");
        assertEquals(2, viaJbang.exit(), viaJbang.toString());
        assertEquals(1, viaJbang.err().strip().lines().count(), viaJbang.err());
    }

    @Test
    void connectStringsAndSysdba() {
        assertEquals("jdbc:oracle:thin:@//db1:1521/ORCL", connections.jdbcUrl("db1:1521/ORCL"));
        assertEquals("jdbc:oracle:thin:@//db1/ORCL", connections.jdbcUrl("//db1/ORCL"));
        assertEquals(URL, connections.jdbcUrl(URL));
        assertEquals("sysdba", connections.properties("jdbc:oracle:thin:@//db1:1521/ORCL", "SYS", "x").getProperty("internal_logon"));
        assertNull(connections.properties("jdbc:oracle:thin:@//db1:1521/ORCL", "system", "x").getProperty("internal_logon"));
        assertNull(connections.properties(URL, "sys", "x").getProperty("internal_logon"));
        assertThrows(IllegalArgumentException.class, () -> connections.jdbcUrl("db1"));
        assertEquals("ORA-12541: Cannot connect. No listener at host 127.0.0.1 port 1521.", connections.errorKey(new SQLException(
                "ORA-12541: Cannot connect. No listener at host 127.0.0.1 port 1521. (CONNECTION_ID=aevvOnhHTveYjM7SOX80GA==)\nhttps://docs.oracle.com/error-help/db/ora-12541/")));
    }

    @Test
    void passwordsInsideTheUrlNeverShow() throws Exception {
        assertEquals("jdbc:postgresql://h:5432/db?user=u&password=***&ssl=true",
                connections.masked("jdbc:postgresql://h:5432/db?user=u&password=S3cr3t&ssl=true"));
        assertEquals("jdbc:postgresql://h/db?sslpassword=***;PASSWORD = ***",
                connections.masked("jdbc:postgresql://h/db?sslpassword=S3cr3t;PASSWORD = \"S3 cr3t\""));
        assertEquals("No suitable driver found for jdbc:x://u:***@h:1/db", connections.masked("No suitable driver found for jdbc:x://u:S3@cr3t@h:1/db"));
        assertEquals("jdbc:oracle:thin:scott/***@//db1:1521/ORCL", connections.masked("jdbc:oracle:thin:scott/S3cr3t@//db1:1521/ORCL"));
        assertEquals("jdbc:oracle:thin:scott/***@db1:1521:ORCL", connections.masked("jdbc:oracle:thin:scott/\"S3@cr3t\"@db1:1521:ORCL"));
        assertEquals("jdbc:oracle:thin:@//u:***@db1/ORCL", connections.masked("jdbc:oracle:thin:@//u:S3cr3t@db1/ORCL"));
        for (String plain : new String[]{URL, "jdbc:oracle:thin:@//db1:1521/ORCL", "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(HOST=db1)))",
                "FATAL: password authentication failed for user \"lmtest\""}) {
            assertEquals(plain, connections.masked(plain));
        }

        // the real driver takes the password from the URL; the Opened line shows it masked
        Tool.Result pg = Tool.run(connections.commandLine(), "--hold", "0", URL + "?password=" + PASSWORD, USER, "not-the-password", "1");
        assertEquals(0, pg.exit(), pg.toString());
        assertTrue(pg.out().contains("Opened 1 of 1 connections to " + URL + "?password=*** as " + USER), pg.out());
        // DriverManager's own message quotes the URL; ojdbc fails on a port with no listener
        Tool.Result noDriver = Tool.run(connections.commandLine(), "--hold", "0", "jdbc:lmtest-nodriver://u:S3cr3t@127.0.0.1:1/x", USER, "x", "2");
        assertEquals(1, noDriver.exit(), noDriver.toString());
        assertTrue(noDriver.out().contains("errors:\n  2 x No suitable driver found for jdbc:lmtest-nodriver://u:***@127.0.0.1:1/x"), noDriver.out());
        Tool.Result oracle = Tool.run(connections.commandLine(), "--hold", "0", "--login-timeout", "10",
                "jdbc:oracle:thin:scott/S3cr3t@//127.0.0.1:1/x", "scott", "x", "1");
        assertEquals(1, oracle.exit(), oracle.toString());
        assertTrue(oracle.out().contains("Opened 0 of 1 connections to jdbc:oracle:thin:scott/***@//127.0.0.1:1/x"), oracle.out());
        Tool.Result ez = Tool.run(connections.commandLine(), "scott/S3cr3t@db1:1521/ORCL", "scott", "x", "1");
        assertEquals(2, ez.exit(), ez.toString());
        assertEquals(1, ez.err().strip().lines().count(), ez.err());
        for (Tool.Result r : List.of(pg, noDriver, oracle, ez)) {
            assertFalse((r.out() + r.err()).contains("S3cr3t") || r.out().contains("password=" + PASSWORD), r.toString());
        }
    }
}
