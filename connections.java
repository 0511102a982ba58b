///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.oracle.database.jdbc:ojdbc11:23.6.0.24.10
//DEPS org.postgresql:postgresql:42.7.4
//SOURCES lib/**/*.java

import lib.cli.Cli;
import lib.cli.Cli.UsageError;
import lib.cli.Options;
import lib.text.Units;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "connections",
        description = {"Opens COUNT database connections and holds them, to measure the server memory per connection "
                + "(e.g. with memstats groups -c \"comm(postgres)\" before and during). Drivers on the classpath: ojdbc11, PostgreSQL."},
        footer = {"Examples:", "  connections localhost:1521/ORCLPDB1 system - 50 --password-env ORA_PW",
                "  connections jdbc:postgresql://127.0.0.1/postgres postgres - 20 --hold 60"})
public class connections implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONNECT_STRING",
            description = "EZConnect host:port/service (Oracle thin), a (DESCRIPTION=...) or a full jdbc: URL (any driver on the classpath)."
                    + "%nExample: localhost:1521/ORCLPDB1")
    String connectString;

    @Parameters(index = "1", paramLabel = "USER", description = "User name; sys connects as SYSDBA (Oracle).%nExample: system")
    String user;

    @Parameters(index = "2", paramLabel = "PASSWORD",
            description = "The password, or - to take it from --password-env VAR or else to prompt for it (it then never shows in ps)."
                    + "%nExample: -")
    String password;

    @Parameters(index = "3", paramLabel = "COUNT", description = "How many connections to open.%nExample: 50")
    int count;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Hold the connections this long, or until Ctrl-C (default: ${DEFAULT-VALUE}).%nExample: --hold 60")
    long holdSeconds;

    @Option(names = "--password-env", paramLabel = "VAR", description = "With PASSWORD -, read the password from this environment variable."
            + "%nExample: --password-env ORA_PW")
    String passwordEnv;

    @Option(names = "--login-timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Time limit of one connect (default: ${DEFAULT-VALUE}).%nExample: --login-timeout 10")
    int loginTimeout;

    @Mixin Options.Common common;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new connections()), "connections");
    }

    /** host:port/service -> jdbc:oracle:thin:@//host:port/service; a jdbc: URL as it is. */
    static String jdbcUrl(String connectString) {
        String s = connectString.strip();
        if (s.startsWith("jdbc:")) return s;
        if (s.startsWith("(")) return "jdbc:oracle:thin:@" + s;
        // sqlplus' habit user/password@host/service: said without echoing it
        if (s.contains("@")) {
            throw new UsageError("CONNECT_STRING host:port/service holds no user or password: USER and PASSWORD are arguments of their own");
        }
        if (s.startsWith("//")) return "jdbc:oracle:thin:@" + s;
        if (s.isEmpty() || s.contains(" ") || !s.contains("/")) {
            throw new UsageError("CONNECT_STRING must be host:port/service or a jdbc: URL, not '" + masked(connectString) + "'");
        }
        return "jdbc:oracle:thin:@//" + s;
    }

    // Oracle's user/password@ (the password may be quoted), a URL's user:password@, and password=... parameters
    private static final Pattern ORACLE_LOGIN = Pattern.compile("(?i)(jdbc:oracle:[a-z0-9]+:[^/@\\s\"]*/)(\"[^\"]*\"|[^@\\s]*)@");
    private static final Pattern USERINFO = Pattern.compile("(//[^/?#@\\s:]*:)[^/?#\\s]*@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([\\w.-]*password\\s*=\\s*)(\"[^\"]*\"|[^&;,)\\s]*)");

    /** The text (a URL, or a message that quotes one) with every password in a URL replaced by ***. */
    static String masked(String text) {
        if (text == null) return null;
        String s = ORACLE_LOGIN.matcher(text).replaceAll("$1***@");
        // up to the authority's last @: a password may hold an @ of its own
        s = USERINFO.matcher(s).replaceAll("$1***@");
        return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
    }

    static Properties properties(String url, String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        if (url.startsWith("jdbc:oracle:") && user.equalsIgnoreCase("sys")) p.setProperty("internal_logon", "sysdba");
        return p;
    }

    private String password() throws Exception {
        if (!password.equals("-")) {
            if (passwordEnv != null) throw new UsageError("--password-env needs - as PASSWORD");
            return password;
        }
        if (passwordEnv != null) {
            String v = System.getenv(passwordEnv);
            if (v == null) throw new UsageError("environment variable " + passwordEnv + " is not set");
            return v;
        }
        Console console = System.console();
        if (console != null) {
            char[] pw = console.readPassword("Password for %s: ", user);
            if (pw == null) throw new UsageError("no password given");
            String s = new String(pw);
            Arrays.fill(pw, ' ');
            return s;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) throw new UsageError("no password on standard input");
        return line;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = common.out();
        PrintWriter err = common.err();
        if (count <= 0) throw new UsageError("COUNT must be a positive number, not " + count);
        if (holdSeconds < 0) throw new UsageError("--hold must not be negative");
        String url = jdbcUrl(connectString);
        Properties props = properties(url, user, password());
        DriverManager.setLoginTimeout(loginTimeout);
        List<Connection> open = new ArrayList<>();
        long[] connectNanos = new long[count];
        Map<String, Integer> errors = new LinkedHashMap<>();
        Thread closer = new Thread(() -> closeAll(open), "close-connections");
        Runtime.getRuntime().addShutdownHook(closer);
        try {
            long t0 = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long s = System.nanoTime();
                try {
                    Connection c = DriverManager.getConnection(url, props);
                    synchronized (open) {
                        open.add(c);
                    }
                    connectNanos[open.size() - 1] = System.nanoTime() - s;
                } catch (SQLException e) {
                    errors.merge(errorKey(e), 1, Integer::sum);
                }
                if ((k + 1) % 10 == 0 || k + 1 == count) {
                    err.printf("%d/%d: %d open, %d failed%n", k + 1, count, open.size(), k + 1 - open.size());
                    err.flush();
                }
                if (Thread.currentThread().isInterrupted()) break;
            }
            int n = open.size();
            out.printf("Opened %d of %d connections to %s as %s in %s%n", n, count, masked(url), user,
                    Units.duration(System.nanoTime() - t0));
            if (n > 0) {
                long[] t = Arrays.copyOf(connectNanos, n);
                Arrays.sort(t);
                out.printf("connect time: min %s, median %s, max %s%n", Units.duration(t[0]), Units.duration(t[n / 2]),
                        Units.duration(t[n - 1]));
            }
            if (!errors.isEmpty()) {
                out.println("errors:");
                errors.forEach((m, c) -> out.printf("  %d x %s%n", c, m));
            }
            if (n == 0) {
                out.flush();
                return 1;
            }
            out.printf("Holding %d connections for %d s (Ctrl-C to close them)%n", n, holdSeconds);
            out.flush();
            try {
                Thread.sleep(holdSeconds * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeAll(open);
            out.printf("Closed %d connections%n", n);
            out.flush();
            return n == count ? 0 : 1;
        } finally {
            closeAll(open);
            try {
                Runtime.getRuntime().removeShutdownHook(closer);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
        }
    }

    /** The first line of the message, less what differs per attempt (ojdbc's CONNECTION_ID), to group errors. */
    static String errorKey(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("").strip();
        // a driver's message may quote the URL (DriverManager's "No suitable driver found for URL")
        return masked(m.replaceAll("\\s*\\(CONNECTION_ID=[^)]*\\)", ""));
    }

    private static void closeAll(List<Connection> open) {
        synchronized (open) {
            for (Connection c : open) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the server dropped it already
                }
            }
            open.clear();
        }
    }
}
