///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java
// a light collector and a small young generation: the scan keeps little alive, so peak RSS stays near what it keeps;
// C1 only: a run of seconds spends more CPU compiling with C2 than C2 code gives back (README, Benchmark)
//JAVA_OPTIONS -XX:+UseSerialGC -Xmn24m -XX:TieredStopAtLevel=1

import lib.cli.Cli;
import lib.cli.Cli.UsageError;
import lib.cli.GroupRun;
import lib.cli.GroupTables;
import lib.cli.GroupTables.Format;
import lib.cli.Options;
import lib.cli.OutputFile;
import lib.cli.TableOptions;
import lib.groups.GroupDiff;
import lib.groups.GroupScan;
import lib.groups.Splitter;
import lib.proc.ProcFs;
import lib.text.TextTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "memstats",
        description = {"Memory of groups of processes: the physical pages (RSS) a group holds, and those only it holds (USS), "
                + "by set arithmetic on page frames from /proc/PID/pagemap. Needs root on a live system; a snapshot (snap) "
                + "can be read by any user."},
        footer = {"Examples:", "  memstats groups -u", "  memstats -f 'not(uid(0))' groups -e ORACLE_SID",
                "  memstats groups --split-cgroup --format prom -o /var/lib/node_exporter/memstats.prom",
                "  memstats --procfs-root box1.tar.gz groups -u", "  memstats diff box1.tar.gz /proc -u"},
        subcommands = {memstats.Single.class, memstats.Groups.class, memstats.Ram.class, memstats.Diff.class})
public class memstats implements Callable<Integer> {
    static final String WHY_ROOT = "as another user /proc/PID/pagemap shows no physical frames (PFNs), so pages cannot be told apart";

    @Mixin Options.Procfs procfs;
    @Mixin Options.GroupOutput output;
    @Mixin Options.Scan scan;
    @Mixin Options.Filtering filtering;
    @Mixin Options.Common common;
    @Mixin TableOptions table;

    @Option(names = {"-l", "--list-processes"}, scope = ScopeType.INHERIT,
            description = "Print uid, pid and comm of the processes that would be scanned, and stop.%nExample: -l -f 'comm(bash)'")
    boolean listProcesses;

    @Option(names = "--force-read-shm", scope = ScopeType.INHERIT,
            description = "Read SysV segments that have swap too (reading may fault them back in).%nExample: --force-read-shm")
    boolean forceReadShm;

    @Option(names = "--interval", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
            description = "single and groups on the live system: scan again every SECONDS; print each group's change since the "
                    + "previous round (text), or rewrite the -o file with each round's report (any format).%nExample: --interval 60 --count 10")
    Double intervalSeconds;

    @Option(names = "--count", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Rounds with --interval, the first included (default: until interrupted).%nExample: --count 10")
    Integer count;

    @Option(names = "--no-db", scope = ScopeType.INHERIT,
            description = "Do not query Oracle instances (sqlplus as their owner): show what the OS tells (source os).%nExample: --no-db")
    boolean noDb;

    @Option(names = "--db-timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "20",
            description = "Time limit of each instance's query (default: ${DEFAULT-VALUE}); then its OS figures are shown.%nExample: --db-timeout 5")
    int dbTimeoutSeconds;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static picocli.CommandLine commandLine() {
        return Cli.configure(new picocli.CommandLine(new memstats()), "memstats");
    }

    @Override
    public Integer call() {
        return common.usage();
    }

    @Command(name = "single", description = "All scanned processes as one group.")
    static final class Single implements Callable<Integer> {
        @ParentCommand memstats top;

        @Option(names = "--ram", description = "Also account for every frame of RAM (see the ram command; reads kpageflags of all RAM).%nExample: --ram")
        boolean ram;

        @Override
        public Integer call() throws IOException {
            return top.run(List.of(new Splitter.All()), true, ram);
        }
    }

    @Command(name = "groups", description = "One table per splitter, in this order: -u by user, --split-cgroup by cgroup, "
            + "--split-comm by program, -e VAR by an environment variable, -p PIDS those pids against the rest, -c FILTERS a "
            + "group per filter. A splitter puts every scanned process into exactly one group.")
    static final class Groups implements Callable<Integer> {
        @ParentCommand memstats top;
        @Mixin Options.Splits splits;

        @Option(names = "--ram", description = "Also account for every frame of RAM (see the ram command; reads kpageflags of all RAM).%nExample: --ram")
        boolean ram;

        @Override
        public Integer call() throws IOException {
            List<Splitter> splitters = splits.splitters();
            if (splitters.isEmpty()) {
                throw new UsageError("groups needs at least one splitter: -u, --split-cgroup, --split-comm, -e VAR, -p PID or -c FILTERS");
            }
            return top.run(splitters, false, ram);
        }
    }

    @Command(name = "ram", description = "Where all of the RAM is: every frame of the System RAM ranges by its kpageflags class, "
            + "split by whether a scanned process maps it, beside /proc/meminfo's counters.")
    static final class Ram implements Callable<Integer> {
        @ParentCommand memstats top;

        @Override
        public Integer call() throws IOException {
            return top.ram();
        }
    }

    @Command(name = "diff", description = "Groups of two sources side by side: each column before, after and the change, "
            + "groups that appeared or vanished, largest growth of mem_uss first. A and B: snapshot archives or "
            + "directories, or /proc for the live system. Splitters as groups (none: all processes as one group).")
    static final class Diff implements Callable<Integer> {
        @ParentCommand memstats top;
        @Parameters(index = "0", paramLabel = "A", description = "The earlier source.%nExample: box1.tar.gz") String before;
        @Parameters(index = "1", paramLabel = "B", description = "The later source.%nExample: /proc") String after;
        @Mixin Options.Splits splits;

        @Override
        public Integer call() throws IOException {
            List<Splitter> s = splits.splitters();
            return top.diff(before, after, s.isEmpty() ? List.of(new Splitter.All()) : s);
        }
    }

    /** single and groups: the machine-wide sections, the instances and the groups; again each round with --interval. */
    int run(List<Splitter> requested, boolean single, boolean withRam) throws IOException {
        Format format = output.format;
        checkWatch(withRam);
        if (withRam && (format == Format.csv || format == Format.tsv)) {
            throw new UsageError("--ram with --format " + format + ": one table per file; use 'memstats ram --format " + format + "'");
        }
        if (listProcesses && format == Format.prom) throw new UsageError("--list-processes prints a list: --format text, json, csv or tsv");
        if (!listProcesses) table.check(GroupTables.groupColumnNames(format));
        if (output.file != null) OutputFile.checkWritable(output.file);
        GroupTables.Look look = look();
        try (ProcFs proc = procfs.open(WHY_ROOT)) {
            if (intervalSeconds != null && !proc.processesRunHere()) throw new UsageError("--interval watches the live system: a snapshot does not change");
            GroupScan.Selection sel = GroupScan.select(proc, filtering.filter);
            if (listProcesses) return write(GroupTables.list(sel.toScan(), proc.users(), format, look));
            if (withRam) GroupRun.checkRam(proc);
            GroupRun scanner = run(proc, requested);
            GroupTables.Report report = scanner.report(sel, withRam);
            write(GroupTables.groups(report, format, look, single));
            GroupScan.Result previous = report.result();
            for (int round = 2; intervalSeconds != null && (count == null || round <= count); round++) {
                if (!sleep()) break;
                if (output.file != null) {
                    report = scanner.report(scanner.select(), false);
                    write(GroupTables.groups(report, format, look, single));
                    previous = report.result();
                    continue;
                }
                GroupScan.Result now = scanner.groups(scanner.select(), List.of());
                write(String.format("Round %d at %s: change since round %d (%s)%n%n", round, java.time.LocalTime.now().withNano(0),
                        round - 1, GroupTables.scanned(now.counts())) + GroupTables.changes(GroupDiff.of(previous, now), look));
                previous = now;
            }
            return 0;
        }
    }

    /** memstats ram: the union of the scanned processes' frames, then every RAM frame classified. */
    int ram() throws IOException {
        if (intervalSeconds != null) throw new UsageError("--interval does not repeat the whole-RAM account (--ram, ram)");
        if (listProcesses) throw new UsageError("ram does not list processes: -l goes with single or groups");
        table.check(GroupTables.ramColumnNames(output.format));
        if (output.file != null) OutputFile.checkWritable(output.file);
        try (ProcFs proc = procfs.open(WHY_ROOT)) {
            GroupRun.checkRam(proc);
            GroupRun scanner = run(proc, List.of(new Splitter.All()));
            // SysV segments only feed shm_mem, which this account does not show
            GroupScan.Result result = scanner.groups(scanner.select(), List.of());
            return write(GroupTables.ram(scanner.ramAccount(result), result.counts(), output.format, look()));
        }
    }

    /** memstats diff: the same scan of two sources, then their groups side by side. */
    int diff(String beforeRoot, String afterRoot, List<Splitter> requested) throws IOException {
        checkWatch(false);
        if (intervalSeconds != null) throw new UsageError("--interval watches one source: diff compares two");
        if (listProcesses) throw new UsageError("diff does not list processes: -l goes with single or groups");
        table.check(GroupTables.diffColumnNames(output.format));
        if (output.file != null) OutputFile.checkWritable(output.file);
        // both opened first: a source that cannot be read fails before the other is scanned
        try (ProcFs before = Options.Procfs.open(beforeRoot, WHY_ROOT); ProcFs after = Options.Procfs.open(afterRoot, WHY_ROOT)) {
            GroupTables.Source a = run(before, requested).source(beforeRoot);
            GroupTables.Source b = run(after, requested).source(afterRoot);
            return write(GroupTables.diff(a, b, GroupDiff.of(a.result(), b.result()), output.format, look()));
        }
    }

    /** A scan of this source with the options given: limits, threads, SysV and Oracle choices, what is said on stderr. */
    private GroupRun run(ProcFs proc, List<Splitter> splitters) throws IOException {
        if (dbTimeoutSeconds <= 0) throw new UsageError("--db-timeout must be positive");
        long limit = scan.memLimitBytes();
        int threads = scan.threads(note -> common.err().println("memstats: " + note));
        return new GroupRun(proc, splitters, new GroupRun.Settings(limit, threads, forceReadShm, !noDb,
                Duration.ofSeconds(dbTimeoutSeconds), filtering.filter, output.quiet()), common.commandLine());
    }

    /** --interval and --count: positive figures; without -o, text of single or groups only. */
    private void checkWatch(boolean withRam) {
        if (intervalSeconds == null) {
            if (count != null) throw new UsageError("--count needs --interval");
            return;
        }
        if (!(intervalSeconds > 0) || intervalSeconds > 86400) throw new UsageError("--interval must be between 0 and 86400 seconds");
        if (count != null && count < 1) throw new UsageError("--count must be positive");
        if (output.quiet() && output.file == null) {
            throw new UsageError("--interval with --format " + output.format + " rewrites a file each round: give -o FILE");
        }
        if (withRam) throw new UsageError("--interval does not repeat the whole-RAM account (--ram, ram)");
        if (listProcesses) throw new UsageError("--interval does not repeat --list-processes");
    }

    /** Waits one interval; false when interrupted. */
    private boolean sleep() {
        try {
            Thread.sleep(Math.max(1, Math.round(intervalSeconds * 1000)));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private GroupTables.Look look() {
        return new GroupTables.Look(table, output.file != null ? TextTable.UNLIMITED : Cli.outWidth(common.commandLine()));
    }

    /** To stdout, or -o FILE replaced whole (a reader such as node_exporter sees the old file or the new one). */
    private int write(String text) throws IOException {
        if (output.file != null) {
            OutputFile.write(output.file, text.getBytes(StandardCharsets.UTF_8));
        } else {
            common.out().print(text);
            common.out().flush();
        }
        return 0;
    }
}
