///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java

import lib.cli.Cli;
import lib.cli.Cli.UsageError;
import lib.cli.Options;
import lib.oracle.InstanceFigures;
import lib.oracle.OracleInstance;
import lib.oracle.Sqlplus;
import lib.proc.Passwd;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.SysvShm;
import lib.text.Json;
import lib.text.TextTable;
import lib.text.Text;
import lib.text.Bytes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "find_instances",
        description = {"Lists the Oracle instances of this host (processes named ora_pmon_SID / asm_pmon_SID) and, with --sql, "
                + "runs a query on each through its own home's sqlplus as its owner (/ as sysdba, / as sysasm for ASM). Run as root."},
        footer = {"Examples:", "  find_instances", "  find_instances --sql \"select name, value from v\\$sga\"", "  find_instances --no-db --format json"})
public class find_instances implements Callable<Integer> {

    @Option(names = "--sql", paramLabel = "\"select ...\"", description = "Run this query on every instance and print its rows under each sid."
            + "%nExample: --sql \"select instance_name, status from v\\$instance\"")
    String sql;

    @Option(names = "--no-db", description = "Do not connect to the instances: figures from the OS only (source os).%nExample: --no-db")
    boolean noDb;

    @Option(names = "--db-timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "Time limit of each instance's sqlplus (default: ${DEFAULT-VALUE}).%nExample: --db-timeout 5")
    int dbTimeoutSeconds;

    @Mixin Options.Procfs procfs;
    @Mixin Options.Output output;
    @Mixin Options.Common common;

    static final String SQL = "+sql";


    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new find_instances()), "find_instances");
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = common.out();
        PrintWriter err = common.err();
        if (dbTimeoutSeconds <= 0) throw new UsageError("--db-timeout must be positive");
        if (sql != null && (sql.isBlank() || noDb)) {
            throw new UsageError(sql.isBlank() ? "--sql needs a query" : "--sql cannot run with --no-db");
        }
        try (ProcFs proc = procfs.open("it reads other users' environments and runs sqlplus as each instance's owner")) {
            if (sql != null && !proc.processesRunHere()) throw new UsageError("--sql needs a live /proc, not a snapshot");
            List<ProcessInfo> all = OracleInstance.readAll(proc);
            List<OracleInstance> found = OracleInstance.discover(proc, all);
            List<SysvShm.Segment> segments = proc.sysvShm();
            Map<String, String> extra = sql == null ? Map.of() : Map.of(SQL, sql);
            List<InstanceFigures.Answer> answers = InstanceFigures.collect(proc, found, all, segments, !noDb,
                    extra, Duration.ofSeconds(dbTimeoutSeconds), w -> {
                        err.println("find_instances: " + Text.visible(w));
                        err.flush();
                    });
            Map<Integer, String> users = proc.users();
            if (output.json()) {
                List<Object> list = new ArrayList<>();
                for (InstanceFigures.Answer a : answers) {
                    Map<String, Object> m = a.figures().json(users.get(a.figures().instance().uid()));
                    m.put("error", a.warning());
                    if (sql != null) m.put("sql", sqlJson(a.extra().get(SQL)));
                    list.add(m);
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("instances", list);
                out.println(Json.write(doc));
            } else {
                printText(out, answers, users);
            }
            out.flush();
            return 0;
        }
    }

    private void printText(PrintWriter out, List<InstanceFigures.Answer> answers, Map<Integer, String> users) {
        if (answers.isEmpty()) {
            out.println("No Oracle instance found");
            return;
        }
        TextTable t = new TextTable(TextTable.Column.label("sid"), TextTable.Column.count("pid", false), TextTable.Column.label("user"),
                TextTable.Column.text("home"), TextTable.Column.bytes("sga", true), TextTable.Column.label("source"));
        for (InstanceFigures.Answer a : answers) {
            InstanceFigures f = a.figures();
            OracleInstance i = f.instance();
            t.row(i.sid(), i.pid(), users.getOrDefault(i.uid(), Integer.toString(i.uid())), i.home() == null ? "-" : i.home(),
                    f.sgaBytes(), f.source());
        }
        int width = Cli.outWidth(common.commandLine());
        out.print(t.render(TextTable.Render.box(width)));
        if (sql == null) return;
        for (InstanceFigures.Answer a : answers) {
            Sqlplus.Section s = a.extra().get(SQL);
            out.println();
            out.println(Text.visible(a.figures().instance().sid()) + " (pid " + a.figures().instance().pid() + "):");
            if (s == null || !s.ok()) {
                out.println("  " + (s == null ? "no answer" : Text.visible(s.error())));
            } else if (s.rows().size() <= 1) {
                out.println("  no rows");
            } else {
                TextTable r = new TextTable(s.rows().get(0).stream().map(TextTable.Column::text).toList());
                for (List<String> row : s.rows().subList(1, s.rows().size())) r.row(padded(row, s.rows().get(0).size()).toArray());
                out.print(r.render(TextTable.Render.box(width)));
            }
        }
    }

    /** A row with the header's width (sqlplus wraps nothing with linesize 32767, but stay safe). */
    private static List<String> padded(List<String> row, int n) {
        List<String> r = new ArrayList<>(row);
        while (r.size() < n) r.add("");
        return r.size() > n ? r.subList(0, n) : r;
    }

    private static Map<String, Object> sqlJson(Sqlplus.Section s) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean ok = s != null && s.ok() && !s.rows().isEmpty();
        m.put("columns", ok ? s.rows().get(0) : List.of());
        m.put("rows", ok ? s.rows().subList(1, s.rows().size()) : List.of());
        m.put("error", s == null ? "no answer" : s.error());
        return m;
    }
}
