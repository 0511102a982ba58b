///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java
// a light collector and a small young generation: the scan keeps little alive, so peak RSS stays near what it keeps;
// C1 only: a run of seconds spends more CPU compiling with C2 than C2 code gives back (README, Benchmark)
//JAVA_OPTIONS -XX:+UseSerialGC -Xmn24m -XX:TieredStopAtLevel=1

import lib.cli.Cli;
import lib.cli.Cli.Failure;
import lib.cli.Cli.UsageError;
import lib.cli.Options;
import lib.groups.Filter;
import lib.groups.GroupDiff;
import lib.groups.GroupScan;
import lib.oracle.InstanceFigures;
import lib.oracle.OracleInstance;
import lib.proc.ProcessInfo;
import lib.proc.Meminfo;
import lib.proc.Passwd;
import lib.pages.PageSet;
import lib.proc.PageSize;
import lib.groups.RamAccount;
import lib.proc.ProcFs;
import lib.groups.Splitter;
import lib.proc.Status;
import lib.proc.SysvShm;
import lib.pages.SysvShmPages;
import lib.text.Progress;
import lib.text.Table;
import lib.text.Text;
import lib.proc.Tmpfs;
import lib.text.Units;
import lib.text.Json;
import lib.snapshot.ProcRoot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "memstats",
        description = {"Memory of groups of processes: the physical pages (RSS) a group holds, and those only it holds (USS), "
                + "by set arithmetic on page frames from /proc/PID/pagemap. Needs root on a live system; a snapshot (snap) "
                + "can be read by any user."},
        footer = {"Examples:", "  memstats groups -u", "  memstats -f 'not(uid(0))' groups -e ORACLE_SID",
                "  memstats --procfs-root box1.tar.gz groups -u", "  memstats diff box1.tar.gz /proc -u"},
        subcommands = {memstats.Single.class, memstats.Groups.class, memstats.Ram.class, memstats.Diff.class})
public class memstats implements Callable<Integer> {

    @Option(names = {"-m", "--mem-limit"}, paramLabel = "MiB", scope = ScopeType.INHERIT,
            description = "Stop scanning more processes past this much memory of our own (default: MemAvailable/2); results are then marked partial.%nExample: -m 512")
    Long memLimitMiB;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Processes read in parallel (default: cores/2, at least 1; at most 4 per core).%nExample: -t 4")
    Integer threads;

    @Option(names = {"-f", "--filter"}, paramLabel = "EXPR", scope = ScopeType.INHERIT, converter = Options.FilterConverter.class,
            description = "Scan only the processes matching this filter ('memstats help filters').%nExample: -f 'or(uid(0),comm(bash))'")
    Filter filter = new Filter.True();

    @Option(names = {"-l", "--list-processes"}, scope = ScopeType.INHERIT,
            description = "Print uid, pid and comm of the processes that would be scanned, and stop.%nExample: -l -f 'comm(bash)'")
    boolean listProcesses;

    @Option(names = "--force-read-shm", scope = ScopeType.INHERIT,
            description = "Read SysV segments that have swap too (reading may fault them back in).%nExample: --force-read-shm")
    boolean forceReadShm;

    @Option(names = "--procfs-root", paramLabel = "PATH", scope = ScopeType.INHERIT, defaultValue = "/proc",
            description = "A live /proc (default), an extracted snapshot or a snapshot .tar.gz.%nExample: --procfs-root box1.tar.gz")
    String procfsRoot;

    @Option(names = "--format", paramLabel = "text|json", scope = ScopeType.INHERIT, defaultValue = "text",
            description = "text (tables) or json (one document on stdout).%nExample: --format json")
    Format format;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of errors.%nExample: --debug")
    boolean debug;

    @Option(names = "--interval", paramLabel = "SECONDS", scope = ScopeType.INHERIT,
            description = "single and groups on the live system: scan again every SECONDS and print each group's change since the previous round (text). Example: --interval 60 --count 10")
    Double intervalSeconds;

    @Option(names = "--count", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Rounds with --interval, the first included (default: until interrupted). Example: --count 10")
    Integer count;

    @Option(names = "--no-db", scope = ScopeType.INHERIT,
            description = "Do not query Oracle instances (sqlplus as their owner): show what the OS tells (source os).%nExample: --no-db")
    boolean noDb;

    @Option(names = "--db-timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "20",
            description = "Time limit of each instance's query (default: ${DEFAULT-VALUE}); then its OS figures are shown.%nExample: --db-timeout 5")
    int dbTimeoutSeconds;

    enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new memstats()), "memstats");
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    @Command(name = "single", description = "All scanned processes as one group.")
    static final class Single implements Callable<Integer> {
        @ParentCommand
        memstats top;

        @Option(names = "--ram", description = "Also account for every frame of RAM (see the ram command; reads kpageflags of all RAM).%nExample: --ram")
        boolean ram;

        @Override
        public Integer call() throws IOException {
            return top.run(List.of(), true, ram ? RamMode.WITH : RamMode.NONE);
        }
    }

    @Command(name = "ram", description = "Where all of the RAM is: every frame of the System RAM ranges by its kpageflags class, "
            + "split by whether a scanned process maps it, beside /proc/meminfo's counters.")
    static final class Ram implements Callable<Integer> {
        @ParentCommand
        memstats top;

        @Override
        public Integer call() throws IOException {
            return top.run(List.of(), true, RamMode.ONLY);
        }
    }

    /** Whether the whole-RAM account is made, and whether it is all that is shown. */
    enum RamMode { NONE, WITH, ONLY }

    /** The splitters of groups and diff, in this order: uid, env, pids, each custom list. */
    static final class SplitOptions {
        @Option(names = {"-u", "--split-uid"}, description = "Group by user (effective uid).%nExample: -u")
        boolean splitUid;

        @Option(names = {"-e", "--split-env"}, paramLabel = "VAR", description = "Group by the value of an environment variable (repeatable).%nExample: -e ORACLE_SID")
        List<String> splitEnv = new ArrayList<>();

        @Option(names = {"-p", "--split-pids"}, paramLabel = "PID", split = ",", description = "These pids form one group, the rest is Other (repeatable).%nExample: -p 1,2")
        List<Integer> splitPids = new ArrayList<>();

        @Option(names = {"-c", "--split-custom"}, paramLabel = "FILTERS", converter = Options.CustomConverter.class,
                description = "Each filter of the comma-separated list is a group (first match wins), the rest is Other "
                        + "(repeatable; 'memstats help filters').%nExample: -c 'comm(postgres),comm(java)'")
        List<Splitter.Custom> splitCustom = new ArrayList<>();

        List<Splitter> splitters() {
            List<Splitter> splitters = new ArrayList<>();
            if (splitUid) splitters.add(new Splitter.ByUid(null));
            for (String v : splitEnv) splitters.add(new Splitter.ByEnv(v));
            Cli.requirePids(splitPids, "--split-pids");
            if (!splitPids.isEmpty()) splitters.add(new Splitter.ByPids(new LinkedHashSet<>(splitPids)));
            splitters.addAll(splitCustom);
            return splitters;
        }
    }

    @Command(name = "groups", description = "One table per splitter: -u by user, -e VAR by an environment variable, "
            + "-p PIDS those pids against the rest, -c FILTERS a group per filter; in that order. A splitter puts every "
            + "scanned process into exactly one group.")
    static final class Groups implements Callable<Integer> {
        @ParentCommand
        memstats top;

        @CommandLine.Mixin
        SplitOptions split;

        @Option(names = "--ram", description = "Also account for every frame of RAM (see the ram command; reads kpageflags of all RAM).%nExample: --ram")
        boolean ram;

        @Override
        public Integer call() throws IOException {
            List<Splitter> splitters = split.splitters();
            if (splitters.isEmpty()) {
                throw new UsageError("groups needs at least one splitter: -u, -e VAR, -p PID or -c FILTERS");
            }
            return top.run(splitters, false, ram ? RamMode.WITH : RamMode.NONE);
        }
    }

    @Command(name = "diff", description = "Groups of two sources side by side: each column before, after and the change, "
            + "groups that appeared or vanished, largest growth of mem_uss first. A and B: snapshot archives or "
            + "directories, or /proc for the live system. Splitters as groups (none: all processes as one group).")
    static final class Diff implements Callable<Integer> {
        @ParentCommand
        memstats top;

        @CommandLine.Parameters(index = "0", paramLabel = "A", description = "The earlier source.%nExample: box1.tar.gz")
        String before;

        @CommandLine.Parameters(index = "1", paramLabel = "B", description = "The later source.%nExample: /proc")
        String after;

        @CommandLine.Mixin
        SplitOptions split;

        @Override
        public Integer call() throws IOException {
            List<Splitter> splitters = split.splitters();
            return top.diff(before, after, splitters.isEmpty() ? List.of(new Splitter.All()) : splitters);
        }
    }

    int run(List<Splitter> requested, boolean single, RamMode ramMode) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean json = format == Format.json;
        long t0 = System.nanoTime();
        checkWatch(ramMode, json);
        try (ProcFs proc = openProcFs(procfsRoot)) {
            requireRoot(proc);
            if (intervalSeconds != null && !proc.isLive()) throw new UsageError("--interval watches the live system: a snapshot does not change");
            long pageSize = proc.pageSize();
            Map<Integer, String> users = proc.users();
            List<Splitter> splitters = withUsers(single ? List.of(new Splitter.All()) : requested, users);
            GroupScan.Selection sel = GroupScan.select(proc, filter);
            if (listProcesses) {
                printList(out, sel, users, json);
                return 0;
            }
            if (ramMode != RamMode.NONE) checkRam(proc, pageSize);
            Meminfo meminfo = Meminfo.parse(proc.readString("meminfo"));
            long limit = memLimitBytes(proc, meminfo);
            int nThreads = threadCount(err);
            if (!json) {
                // these are about this machine, also when it reads a snapshot made elsewhere
                String here = proc.isLive() ? "" : " (this machine's: the snapshot is only read)";
                err.println("Memory limit: " + (limit > 0 ? Units.mb(limit) : "none") + here);
                err.println("Using " + nThreads + (nThreads == 1 ? " thread" : " threads") + here);
                err.println("Scanning " + sel.toScan().size() + " processes");
                err.flush();
            }
            java.util.function.Consumer<String> log = log(err);
            if (ramMode == RamMode.ONLY) return ram(proc, sel, pageSize, nThreads, limit, log, out, json);
            List<Tmpfs.Mount> tmpfs = proc.tmpfs();
            List<SysvShmPages.SegmentPages> shm = shmPages(proc, meminfo, pageSize, log);
            List<SysvShm.Segment> segments = shm.stream().map(SysvShmPages.SegmentPages::corrected).toList();
            // before the scan, so the sqlplus processes it starts have ended when pages are read
            List<InstanceFigures> instances = instanceFigures(proc, sel, segments, err);
            Sections sections = new Sections(tmpfs, shm,
                    OracleInstance.sidsBySegment(proc, instances.stream().map(InstanceFigures::instance).toList()),
                    meminfo, pageSize);
            GroupScan.Result result;
            // a progress line on a terminal's stderr; lines said meanwhile go above it
            try (Progress progress = Cli.progress(spec.commandLine(), "Scanning", sel.toScan().size(), "processes")) {
                GroupScan.Options opt = new GroupScan.Options(nThreads, limit,
                        line -> { if (progress == Progress.OFF) log.accept(line); else progress.println(Text.visible(line)); }, progress);
                result = GroupScan.run(proc, sel, splitters, segments, pageSize, opt);
            }
            RamAccount.Result ram = ramMode == RamMode.WITH ? ramAccount(proc, result, pageSize, nThreads) : null;
            if (json) {
                Map<String, Object> doc = toJson(sections, result);
                if (ram != null) doc.put("ram", ram.toJson());
                List<Object> inst = new ArrayList<>();
                for (InstanceFigures f : instances) inst.add(f.json(users.get(f.instance().uid())));
                doc.put("instances", inst);
                out.println(Json.write(doc));
            } else {
                printTmpfs(out, sections);
                printInstances(out, instances);
                printShm(out, sections);
                printText(out, result, single);
                if (ram != null) out.println(RamAccount.render(ram, scannedLabel(result)));
            }
            out.flush();
            if (intervalSeconds != null) watch(proc, splitters, result, nThreads, log, out);
            return 0;
        }
    }

    /** --interval and --count: text of single or groups only, positive figures. */
    private void checkWatch(RamMode ramMode, boolean json) {
        if (intervalSeconds == null) {
            if (count != null) throw new UsageError("--count needs --interval");
            return;
        }
        if (!(intervalSeconds > 0) || intervalSeconds > 86400) throw new UsageError("--interval must be between 0 and 86400 seconds");
        if (count != null && count < 1) throw new UsageError("--count must be positive");
        if (json) throw new UsageError("--interval prints text: JSON has one document per run");
        if (ramMode != RamMode.NONE) throw new UsageError("--interval does not repeat the whole-RAM account (--ram, ram)");
        if (listProcesses) throw new UsageError("--interval does not repeat --list-processes");
    }

    /** Rounds 2..count: sleep, scan again (processes come and go), print each group's change since the last round. */
    private void watch(ProcFs proc, List<Splitter> splitters, GroupScan.Result first, int nThreads,
                       java.util.function.Consumer<String> log, PrintWriter out) throws IOException {
        GroupScan.Result previous = first;
        long sleepMs = Math.max(1, Math.round(intervalSeconds * 1000));
        for (int round = 2; count == null || round <= count; round++) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            GroupScan.Result now = scanSource(proc, procfsRoot, splitters, nThreads, log).result();
            out.printf("Round %d at %s: change since round %d (%s)%n%n", round,
                    java.time.LocalTime.now().withNano(0), round - 1, scannedLabel(now));
            for (GroupDiff.Split s : GroupDiff.of(previous, now)) {
                out.println(GroupDiff.render(s));
                out.println();
            }
            out.flush();
            previous = now;
        }
    }

    /** memstats diff: the same scan of two sources, then their groups side by side. */
    int diff(String beforeRoot, String afterRoot, List<Splitter> requested) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int nThreads = threadCount(err);
        Scanned a, b;
        // both opened first: a source that cannot be read fails before the other is scanned
        try (ProcFs before = openProcFs(beforeRoot); ProcFs after = openProcFs(afterRoot)) {
            a = scanSource(before, beforeRoot, requested, nThreads, log(err));
            b = scanSource(after, afterRoot, requested, nThreads, log(err));
        }
        List<GroupDiff.Split> splits = GroupDiff.of(a.result(), b.result());
        if (format == Format.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("before", a.json());
            doc.put("after", b.json());
            doc.put("splits", GroupDiff.toJson(splits));
            out.println(Json.write(doc));
        } else {
            out.println("A: " + a.line());
            out.println("B: " + b.line());
            out.println();
            for (GroupDiff.Split s : splits) {
                out.println(GroupDiff.render(s));
                out.println();
            }
        }
        out.flush();
        return 0;
    }

    /** One source of a diff: what it is and its groups. */
    record Scanned(String description, GroupScan.Result result) {
        String line() {
            GroupScan.ScanCounts c = result.counts();
            return Text.visible(description) + ": " + c.scanned() + " processes scanned" + (c.partial() ? " (PARTIAL: memory limit reached)" : "");
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", description);
            m.put("scan", scanJson(result.counts()));
            return m;
        }
    }

    private Scanned scanSource(ProcFs proc, String root, List<Splitter> requested, int nThreads,
                               java.util.function.Consumer<String> log) throws IOException {
        requireRoot(proc);
        long pageSize = proc.pageSize();
        List<Splitter> splitters = withUsers(requested, proc.users());
        GroupScan.Selection sel = GroupScan.select(proc, filter);
        Meminfo meminfo = Meminfo.parse(proc.readString("meminfo"));
        List<SysvShm.Segment> segments = shmPages(proc, meminfo, pageSize, log).stream()
                .map(SysvShmPages.SegmentPages::corrected).toList();
        GroupScan.Options opt = new GroupScan.Options(nThreads, memLimitBytes(proc, meminfo), log, null);
        return new Scanned(root, GroupScan.run(proc, sel, splitters, segments, pageSize, opt));
    }

    private static void requireRoot(ProcFs proc) throws IOException {
        if (proc.isLive() && effectiveUid() != 0) {
            throw new Failure("needs root: as another user /proc/PID/pagemap shows no physical frames (PFNs), so pages cannot be told apart");
        }
    }

    /** The splitters, ByUid naming users as this source's passwd does. */
    private static List<Splitter> withUsers(List<Splitter> requested, Map<Integer, String> users) {
        List<Splitter> splitters = new ArrayList<>();
        for (Splitter s : requested) splitters.add(s instanceof Splitter.ByUid ? new Splitter.ByUid(users::get) : s);
        return splitters;
    }

    private int threadCount(PrintWriter err) {
        return Cli.threads(threads, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), note -> err.println("memstats: " + note));
    }

    private static java.util.function.Consumer<String> log(PrintWriter err) {
        return line -> {
            err.println(Text.visible(line)); // lines name processes by their comm, which their owner chose
            err.flush();
        };
    }

    /** The SysV segments with their resident pages, largest first. */
    private List<SysvShmPages.SegmentPages> shmPages(ProcFs proc, Meminfo meminfo, long pageSize,
                                                     java.util.function.Consumer<String> log) throws IOException {
        List<SysvShm.Segment> kernelSegments = proc.exists("sysvipc/shm") ? SysvShm.parse(proc.readString("sysvipc/shm")) : List.of();
        List<SysvShmPages.SegmentPages> shm = new ArrayList<>(SysvShmPages.read(proc, kernelSegments, meminfo, pageSize, forceReadShm, log));
        shm.sort(java.util.Comparator.comparingLong((SysvShmPages.SegmentPages p) -> p.shm().sizeBytes())
                .reversed().thenComparingLong(p -> p.shm().shmid()));
        return shm;
    }

    /** Fails with one line before any scan when this source cannot tell where RAM is or what its frames hold. */
    private static void checkRam(ProcFs proc, long pageSize) throws IOException {
        try {
            RamAccount.ramRanges(proc, pageSize);
            if (!proc.exists("kpageflags")) throw new IOException(proc.description() + " has no kpageflags");
        } catch (IOException e) {
            throw new Failure(e.getMessage());
        }
    }

    /** memstats ram: the union of the scanned processes' frames, then every RAM frame classified. */
    private int ram(ProcFs proc, GroupScan.Selection sel, long pageSize, int nThreads, long limit,
                    java.util.function.Consumer<String> log, PrintWriter out, boolean json) throws IOException {
        GroupScan.Options opt = new GroupScan.Options(nThreads, limit, log, null);
        // SysV segments only feed shm_mem, which this account does not show
        GroupScan.Result result = GroupScan.run(proc, sel, List.of(new Splitter.All()), List.of(), pageSize, opt);
        RamAccount.Result ram = ramAccount(proc, result, pageSize, nThreads);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("scan", scanJson(result.counts()));
            doc.put("ram", ram.toJson());
            out.println(Json.write(doc));
        } else {
            out.println(RamAccount.render(ram, scannedLabel(result)));
        }
        out.flush();
        return 0;
    }

    /** Classifies every RAM frame against the union of all scanned processes' frames, meminfo read just before. */
    private static RamAccount.Result ramAccount(ProcFs proc, GroupScan.Result result, long pageSize, int nThreads) throws IOException {
        PageSet mapped = new PageSet();
        if (!result.splits().isEmpty()) {
            for (PageSet frames : result.splits().get(0).frames()) mapped.or(frames);
        }
        Meminfo meminfo = Meminfo.parse(proc.readString("meminfo"));
        return RamAccount.scan(proc, pageSize, mapped, meminfo, nThreads);
    }

    private static String scannedLabel(GroupScan.Result r) {
        return r.counts().scanned() + " processes scanned" + (r.counts().partial() ? " (PARTIAL: memory limit reached)" : "");
    }

    /** --list-processes: uid, user, pid and comm of what would be scanned, as a table or a "processes" array. */
    private static void printList(PrintWriter out, GroupScan.Selection sel, Map<Integer, String> users, boolean json) {
        if (json) {
            List<Object> list = new ArrayList<>();
            for (var p : sel.toScan()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("uid", p.uid());
                m.put("user", users.get(p.uid()));
                m.put("pid", p.pid());
                m.put("comm", p.comm());
                list.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("processes", list);
            out.println(Json.write(doc));
        } else {
            Table t = new Table("uid", "user", "pid", "comm");
            for (var p : sel.toScan()) t.row(p.uid(), users.getOrDefault(p.uid(), "-"), p.pid(), p.comm());
            out.println(t.render());
        }
        out.flush();
    }

    private List<InstanceFigures> instanceFigures(ProcFs proc, GroupScan.Selection sel,
            List<SysvShm.Segment> segments, PrintWriter err) throws IOException {
        if (dbTimeoutSeconds <= 0) throw new UsageError("--db-timeout must be positive");
        // the processes select read: memstats itself is not one of an instance's processes
        List<ProcessInfo> all = sel.all();
        List<OracleInstance> found = OracleInstance.discover(proc, all);
        return InstanceFigures.collect(proc, found, all, segments, !noDb,
                Duration.ofSeconds(dbTimeoutSeconds), w -> {
                    err.println("memstats: " + Text.visible(w));
                    err.flush();
                });
    }

    private static void printInstances(PrintWriter out, List<InstanceFigures> instances) {
        if (instances.isEmpty()) {
            out.println("No Oracle instance found");
            out.println();
            return;
        }
        out.println("Oracle instances");
        Table t = new Table("sid", "sga", "pga", "processes", "large_pages", "source");
        for (InstanceFigures f : instances) {
            t.row(f.instance().sid(), f.sgaBytes() < 0 ? "-" : Units.mb(f.sgaBytes()),
                    f.pgaBytes() < 0 ? "-" : Units.mb(f.pgaBytes()), f.processes(),
                    f.largePages() == null ? "-" : f.largePages(), f.source());
        }
        out.println(t.render());
        out.println();
    }

    private static ProcFs openProcFs(String root) throws IOException {
        try {
            return ProcRoot.open(root);
        } catch (java.io.FileNotFoundException e) {
            throw new Failure(e.getMessage());
        }
    }

    /** The limit is about this machine's memory, also when reading a snapshot. */
    private long memLimitBytes(ProcFs proc, Meminfo meminfo) throws IOException {
        return memLimitBytes(proc.isLive() ? meminfo : Meminfo.parse(Files.readString(Path.of("/proc/meminfo"))));
    }

    private long memLimitBytes(Meminfo machine) {
        if (memLimitMiB != null) {
            if (memLimitMiB <= 0) throw new UsageError("--mem-limit must be positive");
            // more than Long.MAX_VALUE bytes would wrap to a negative or zero limit, which means none
            if (memLimitMiB > Long.MAX_VALUE >> 20) {
                throw new UsageError("--mem-limit " + memLimitMiB + " MiB is more than any memory (at most " + (Long.MAX_VALUE >> 20) + ")");
            }
            return memLimitMiB << 20;
        }
        long avail = machine.memAvailableBytes();
        return avail > 0 ? avail / 2 : 0;
    }

    private static int effectiveUid() throws IOException {
        return Status.parse(Files.readString(Path.of("/proc/self/status"))).effectiveUid();
    }

    /** What is printed before the scan line: machine-wide memory outside the process page tables; tmpfs null when not recorded. */
    record Sections(List<Tmpfs.Mount> tmpfs, List<SysvShmPages.SegmentPages> shm, Map<Long, List<String>> sidsByShmid,
                    Meminfo meminfo, long pageSize) {
    }

    private static String sizeOrDash(long bytes) {
        return bytes < 0 ? "-" : Units.mb(bytes);
    }

    private static String countOrDash(long n) {
        return n < 0 ? "-" : Long.toString(n);
    }

    private static void printTmpfs(PrintWriter out, Sections s) {
        if (s.tmpfs() == null || s.tmpfs().isEmpty()) {
            out.println(s.tmpfs() == null ? "tmpfs: not recorded in this snapshot" : "tmpfs: none");
        } else {
            out.println("tmpfs");
            Table t = new Table("mount_point", "noswap", "huge", "fs_size", "fs_used");
            for (Tmpfs.Mount m : s.tmpfs()) {
                t.row(m.mountPoint(), m.noswap() ? "yes" : "no", m.huge(), sizeOrDash(m.fsSizeBytes()), sizeOrDash(m.fsUsedBytes()));
            }
            out.println(t.render());
        }
        out.println();
    }

    private static void printShm(PrintWriter out, Sections s) {
        if (s.shm().isEmpty()) {
            out.println("SysV shared memory segments: none");
        } else {
            out.println("SysV shared memory segments");
            Table t = new Table("key", "shmid", "size", "rss", "pages_4k", "pages_2M", "swap", "used %", "sid");
            for (SysvShmPages.SegmentPages p : s.shm()) {
                SysvShm.Segment g = p.shm();
                t.row(g.key(), g.shmid(), Units.mb(g.sizeBytes()), Units.mb(p.rssBytes()), countOrDash(p.pages4k()),
                        countOrDash(p.pages2M()), Units.mb(g.swapBytes()), Math.round(p.usedPct(s.pageSize())),
                        String.join(",", s.sidsByShmid().getOrDefault(g.shmid(), List.of())));
            }
            out.println(t.render());
        }
        Meminfo mi = s.meminfo();
        out.printf("HugePages (%d kB): total %d, free %d, reserved %d, in use %d (%s)%n%n", mi.hugepageSizeBytes() / 1024,
                mi.hugePagesTotal(), mi.hugePagesFree(), mi.hugePagesRsvd(), mi.hugePagesInUse(),
                Units.mb(mi.hugePagesInUse() * mi.hugepageSizeBytes()));
    }

    private void printText(PrintWriter out, GroupScan.Result r, boolean single) {
        GroupScan.ScanCounts c = r.counts();
        out.printf("Scanned %d processes in %s (%d processes: %d kernel, %d filtered out, %d vanished%s)%s%n%n",
                c.scanned(), Units.duration(c.elapsedMs() * 1_000_000L), c.processes(), c.kernel(), c.filteredOut(),
                c.vanished(), c.unreadable() > 0 ? ", " + c.unreadable() + " unreadable" : "",
                c.partial() ? " PARTIAL: memory limit reached" : "");
        for (GroupScan.Split s : r.splits()) {
            out.println(Text.visible(s.name()));
            Table t = new Table("group_name", "procs", "mem_rss", "mem_anon", "mem_uss", "swap_anon", "swap_rss",
                    "swap_uss", "shm_mem", "shm_swap");
            for (GroupScan.GroupStats g : s.groups()) {
                t.row(g.name(), g.procs(), Units.mb(g.memRss()), Units.mb(g.memAnon()), Units.mb(g.memUss()),
                        Units.mb(g.swapAnon()), Units.mb(g.swapRss()), Units.mb(g.swapUss()), Units.mb(g.shmMem()),
                        Units.mb(g.shmSwap()));
            }
            out.println(t.render());
            for (GroupScan.GroupStats g : s.groups()) {
                if (g.unknownShm() > 0) {
                    out.println("<unknown>: " + Text.visible(g.name()) + " attaches " + g.unknownShm()
                            + " segment(s) /proc/sysvipc/shm does not list (removed, or another IPC namespace): not in shm_mem");
                }
            }
            out.println();
        }
    }

    private static Map<String, Object> scanJson(GroupScan.ScanCounts c) {
        Map<String, Object> scan = new LinkedHashMap<>();
        scan.put("processes", c.processes());
        scan.put("scanned", c.scanned());
        scan.put("kernel", c.kernel());
        scan.put("filtered_out", c.filteredOut());
        scan.put("vanished", c.vanished());
        scan.put("unreadable", c.unreadable());
        scan.put("elapsed_ms", c.elapsedMs());
        scan.put("partial", c.partial());
        return scan;
    }

    private static Map<String, Object> toJson(Sections sec, GroupScan.Result r) {
        Map<String, Object> scan = scanJson(r.counts());
        List<Object> splits = new ArrayList<>();
        for (GroupScan.Split s : r.splits()) {
            List<Object> groups = new ArrayList<>();
            for (GroupScan.GroupStats g : s.groups()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("group_name", g.name());
                m.put("procs", g.procs());
                m.put("mem_rss", g.memRss());
                m.put("mem_anon", g.memAnon());
                m.put("mem_uss", g.memUss());
                m.put("swap_anon", g.swapAnon());
                m.put("swap_rss", g.swapRss());
                m.put("swap_uss", g.swapUss());
                m.put("shm_mem", g.shmMem());
                m.put("shm_swap", g.shmSwap());
                m.put("shm_unknown", g.unknownShm());
                groups.add(m);
            }
            Map<String, Object> split = new LinkedHashMap<>();
            split.put("name", s.name());
            split.put("groups", groups);
            splits.add(split);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tmpfs", sec.tmpfs() == null ? List.of() : sec.tmpfs().stream().map(Tmpfs.Mount::toJson).toList());
        List<Object> shm = new ArrayList<>();
        for (SysvShmPages.SegmentPages p : sec.shm()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", p.shm().key());
            m.put("shmid", p.shm().shmid());
            m.put("size", p.shm().sizeBytes());
            m.put("rss", p.rssBytes());
            m.put("pages_4k", p.pages4k() < 0 ? null : p.pages4k());
            m.put("pages_2m", p.pages2M() < 0 ? null : p.pages2M());
            m.put("swap", p.shm().swapBytes());
            m.put("used_pct", Math.round(p.usedPct(sec.pageSize()) * 100) / 100.0);
            m.put("sids", sec.sidsByShmid().getOrDefault(p.shm().shmid(), List.of()));
            m.put("page_size", p.pageSizeBytes() < 0 ? null : p.pageSizeBytes());
            m.put("kernel_rss", p.shm().rssBytes());
            m.put("nattch", p.shm().nattch());
            shm.add(m);
        }
        doc.put("shm", shm);
        Meminfo mi = sec.meminfo();
        Map<String, Object> huge = new LinkedHashMap<>();
        huge.put("total", mi.hugePagesTotal());
        huge.put("free", mi.hugePagesFree());
        huge.put("reserved", mi.hugePagesRsvd());
        huge.put("in_use", mi.hugePagesInUse());
        huge.put("page_size", mi.hugepageSizeBytes());
        doc.put("hugepages", huge);
        doc.put("scan", scan);
        doc.put("splits", splits);
        return doc;
    }
}
