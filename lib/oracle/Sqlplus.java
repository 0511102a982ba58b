package lib.oracle;

import lib.proc.Libc;
import lib.proc.TrustedPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Queries an instance through its own home's sqlplus with OS authentication ("/ as sysdba", or
 * sysasm for ASM): the one client that always matches the home's version and needs no password.
 * It runs as the instance owner (uid, gid and supplementary groups copied from pmon, via setpriv),
 * in a new session so a hung sqlplus and all it started can be killed as one process group. What
 * runs as root (setsid, setpriv) comes from /usr/bin or /bin by absolute path with an empty
 * environment; only after the privilege drop does env -i give sqlplus its clean environment:
 * ORACLE_HOME, ORACLE_SID, LD_LIBRARY_PATH=$ORACLE_HOME/lib, PATH, NLS_LANG (and ORACLE_BASE /
 * TNS_ADMIN when pmon has them). An instance is asked only when pmon's ids name one non-root owner
 * and no one else could have chosen the sqlplus that runs (see TrustedPath). The script goes on
 * stdin; each query's output sits between marker lines, so banners or glogin.sql output around it
 * do not matter.
 */
public final class Sqlplus {
    private Sqlplus() {
    }

    static final String MARK = "@@LINUXMEM@@";
    static final String COLSEP = "|";
    private static final Pattern ERROR = Pattern.compile("^(ORA|SP2|TNS|PLS)-\\d+.*");

    /** A query's rows (cells trimmed), or the first error line sqlplus printed for it. */
    public record Section(List<List<String>> rows, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** sqlplus could not be run, failed to connect, or hit the time limit. */
    public static final class Failure extends Exception {
        public Failure(String message) {
            super(message);
        }
    }

    /**
     * The command: setsid (own process group) and setpriv (owner's ids) as root, then, as the owner,
     * env -i (the clean environment) and the home's sqlplus at its resolved real path.
     */
    public static List<String> command(OracleInstance i, String sqlplus) throws TrustedPath.Untrusted {
        List<String> cmd = new ArrayList<>(List.of(TrustedPath.system("setsid").toString(), TrustedPath.system("setpriv").toString(),
                "--reuid=" + i.uid(), "--regid=" + i.gid()));
        if (i.groups().isEmpty()) {
            cmd.add("--clear-groups");
        } else {
            StringJoiner g = new StringJoiner(",");
            for (int id : i.groups()) g.add(Integer.toString(id));
            cmd.add("--groups=" + g);
        }
        cmd.addAll(List.of(TrustedPath.system("env").toString(), "-i"));
        for (Map.Entry<String, String> e : environment(i).entrySet()) cmd.add(e.getKey() + "=" + e.getValue());
        cmd.addAll(List.of(sqlplus, "-S", "-L", "/ as " + i.role()));
        return cmd;
    }

    /** sqlplus' environment, set by env after the privilege drop: no program running as root sees it. */
    public static Map<String, String> environment(OracleInstance i) {
        Map<String, String> env = new LinkedHashMap<>();
        // pmon's own string: a bequeath connection finds its instance by ORACLE_HOME and ORACLE_SID as the instance has them
        env.put("ORACLE_HOME", i.home());
        env.put("ORACLE_SID", i.oracleSid());
        env.put("LD_LIBRARY_PATH", i.home() + "/lib");
        env.put("PATH", i.home() + "/bin:/usr/bin:/bin");
        // numbers with a '.' decimal point and UTF-8 text, whatever the owner's locale
        env.put("NLS_LANG", "AMERICAN_AMERICA.AL32UTF8");
        for (String k : List.of("ORACLE_BASE", "TNS_ADMIN")) {
            String v = i.environ().get(k);
            if (v != null) env.put(k, v);
        }
        return env;
    }

    /**
     * The real path of the instance's sqlplus, when pmon names one non-root owner and that sqlplus
     * and every directory its lookup passes through belong to root or that owner, writable by no one else.
     */
    public static String trustedSqlplus(OracleInstance i) throws Failure {
        if (i.distrust() != null) throw new Failure("not queried: " + i.distrust());
        if (i.home() == null) throw new Failure("ORACLE_HOME is not in the environment of pmon (pid " + i.pid() + ")");
        try {
            String real = TrustedPath.resolve(i.home() + "/bin/sqlplus", i.uid()).toString();
            // env takes a word with '=' as an assignment: it would look the program up through the new PATH instead
            if (real.indexOf('=') >= 0) throw new Failure("not queried: the path of sqlplus holds '=': " + real);
            return real;
        } catch (TrustedPath.Untrusted e) {
            throw new Failure("not queried: " + e.getMessage());
        }
    }

    /**
     * The script for these queries (name -> SQL). A query whose name starts with "+" gets a header
     * row (its column names) first.
     */
    public static String script(Map<String, String> queries) {
        StringBuilder sb = new StringBuilder();
        sb.append("set echo off feedback off verify off define off sqlblanklines on tab off\n");
        sb.append("set pagesize 0 linesize 32767 trimout on trimspool on numwidth 40 long 100000 newpage none underline off\n");
        sb.append("set colsep '").append(COLSEP).append("'\n");
        sb.append("whenever sqlerror continue\n");
        for (Map.Entry<String, String> q : queries.entrySet()) {
            boolean header = q.getKey().startsWith("+");
            sb.append(header ? "set heading on pagesize 50000\n" : "set heading off pagesize 0\n");
            sb.append("prompt ").append(MARK).append(" begin ").append(q.getKey()).append('\n');
            String sql = q.getValue().strip();
            while (sql.endsWith(";") || sql.endsWith("/")) sql = sql.substring(0, sql.length() - 1).strip();
            sb.append(sql).append("\n/\n");
            sb.append("prompt ").append(MARK).append(" end ").append(q.getKey()).append('\n');
        }
        sb.append("exit\n");
        return sb.toString();
    }

    /** Splits sqlplus output into the sections of the queries; a query with no markers is missing. */
    public static Map<String, Section> parse(String output) {
        Map<String, Section> out = new LinkedHashMap<>();
        String open = null;
        List<String> lines = new ArrayList<>();
        for (String line : output.split("\r?\n")) {
            if (line.startsWith(MARK + " begin ")) {
                open = line.substring(MARK.length() + 7).strip();
                lines.clear();
            } else if (open != null && line.startsWith(MARK + " end ")) {
                out.put(open, section(lines));
                open = null;
            } else if (open != null) {
                lines.add(line);
            }
        }
        return out;
    }

    private static Section section(List<String> lines) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : lines) {
            if (ERROR.matcher(line.strip()).matches()) return new Section(List.of(), line.strip());
        }
        for (String line : lines) {
            if (line.isBlank()) continue;
            List<String> cells = new ArrayList<>();
            for (String c : line.split(Pattern.quote(COLSEP), -1)) cells.add(c.strip());
            rows.add(cells);
        }
        return new Section(rows, null);
    }

    /** The first error line of output that reached no marker (a failed connection), for messages. */
    static String firstError(String output) {
        for (String line : output.split("\r?\n")) {
            if (ERROR.matcher(line.strip()).matches()) return line.strip();
        }
        String s = output.strip();
        int nl = s.indexOf('\n');
        return s.isEmpty() ? "no output" : nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Runs the queries on the instance, as its owner, within the time limit (then the whole process
     * group is killed). Returns each query's section.
     */
    public static Map<String, Section> run(OracleInstance i, Map<String, String> queries, Duration timeout) throws Failure {
        String sqlplus = trustedSqlplus(i);
        ProcessBuilder pb;
        try {
            pb = new ProcessBuilder(command(i, sqlplus));
        } catch (TrustedPath.Untrusted e) {
            throw new Failure("not queried: " + e.getMessage());
        }
        pb.redirectErrorStream(true).directory(new java.io.File("/"));
        // setsid and setpriv run as root: nothing of pmon's environment reaches them
        pb.environment().clear();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Failure("cannot start sqlplus as uid " + i.uid() + ": " + e.getMessage());
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), buf), "sqlplus-" + i.sid());
        reader.setDaemon(true);
        reader.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(script(queries).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // sqlplus ended before reading its script: its output says why
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killGroup(p);
                throw new Failure("sqlplus gave no answer within " + timeout.toSeconds() + " s (killed)");
            }
            reader.join(2000);
            // sqlplus ended but something it started still holds the pipe: that group goes too
            if (reader.isAlive()) killGroup(p);
        } catch (InterruptedException e) {
            killGroup(p);
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        String output;
        synchronized (buf) {
            output = buf.toString(StandardCharsets.UTF_8);
        }
        Map<String, Section> sections = parse(output);
        if (sections.size() < queries.size()) {
            throw new Failure("sqlplus exit " + p.exitValue() + ": " + firstError(output));
        }
        return sections;
    }

    /** The answer to three queries is a few KiB; an owner's program may write without end into root's memory. */
    static final int MAX_OUTPUT = 1 << 20;

    /** Copies up to MAX_OUTPUT bytes, then closes the pipe: a writer past it gets EPIPE (and the time limit kills it). */
    private static void copy(InputStream in, ByteArrayOutputStream buf) {
        byte[] b = new byte[8192];
        try (in) {
            for (int n; (n = in.read(b)) > 0; ) {
                synchronized (buf) {
                    buf.write(b, 0, Math.min(n, MAX_OUTPUT - buf.size()));
                    if (buf.size() >= MAX_OUTPUT) return;
                }
            }
        } catch (IOException e) {
            // the process was killed
        }
    }

    /** setsid made sqlplus a session and group leader: its pid is the group id. */
    private static void killGroup(Process p) {
        List<ProcessHandle> below = p.descendants().toList();
        try {
            Libc.INSTANCE.kill(-(int) p.pid(), 9);
        } catch (RuntimeException e) {
            // already gone
        }
        // children that left the group (setsid, daemons) still die
        below.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
