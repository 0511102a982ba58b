package lib.cli;

import lib.cli.Cli.Failure;
import lib.cli.Cli.UsageError;
import lib.groups.Filter;
import lib.groups.Splitter;
import lib.proc.Cgroup;
import lib.proc.Meminfo;
import lib.proc.ProcFs;
import lib.proc.Status;
import lib.snapshot.ProcRoot;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The options the tools share, as picocli mixins (@Mixin), each with one help text and one check.
 * Options are inherited by subcommands, so "memstats --format json groups" and "memstats groups --format json" agree.
 */
public final class Options {
    private Options() {
    }

    /** What every tool has: --debug (a stack trace instead of the one error line; Cli reads it), its stdout and stderr. */
    public static final class Common {
        @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of errors.%nExample: --debug")
        public boolean debug;

        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        /** The command line of the command this mixin is in (its out, err and terminal: Cli.outWidth, Cli.progress). */
        public CommandLine commandLine() {
            return spec.commandLine();
        }

        /** The configured stdout (UTF-8, its write errors kept: see Cli.configure). */
        public PrintWriter out() {
            return spec.commandLine().getOut();
        }

        public PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** The command's usage on stdout, and the exit code of a command given without its subcommand. */
        public int usage() {
            spec.commandLine().usage(out());
            return 2;
        }
    }

    /** Output format of tools that print tables. */
    public enum Format { text, json, tsv }

    public static final class Output {
        @Option(names = "--format", paramLabel = "text|json|tsv", scope = ScopeType.INHERIT, defaultValue = "text",
                description = "text (tables), json (one document on stdout) or tsv (one tab-separated line per row, sizes "
                        + "in bytes).%nExample: --format json")
        public Format format;

        public boolean json() {
            return format == Format.json;
        }
    }

    /** --format and -o of memstats. */
    public static final class GroupOutput {
        @Option(names = "--format", paramLabel = "text|json|csv|tsv|prom", scope = ScopeType.INHERIT, defaultValue = "text",
                description = "text (tables), json (one document), csv or tsv (one row per split and group, sizes in bytes) or "
                        + "prom (Prometheus text format, for node_exporter's textfile collector).%nExample: --format prom")
        public GroupTables.Format format;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
                description = "Write to FILE instead of stdout, all at once: a temporary file beside it, renamed over it when "
                        + "complete (with --interval: rewritten each round).%nExample: -o /var/lib/node_exporter/memstats.prom")
        public java.nio.file.Path file;

        /** A format for programs: no progress or information lines on stderr. */
        public boolean quiet() {
            return format != GroupTables.Format.text;
        }
    }

    /** --procfs-root, opened; a live /proc needs root. */
    public static final class Procfs {
        @Option(names = "--procfs-root", paramLabel = "PATH", scope = ScopeType.INHERIT, defaultValue = "/proc",
                description = "A live /proc (default), an extracted snapshot (DIR or DIR/proc) or a snapshot .tar.gz."
                        + "%nExample: --procfs-root box1.tar.gz")
        public String root;

        /**
         * The /proc tree to read. whyRoot says why this tool needs root: on a live /proc as another user it
         * fails with "needs root: whyRoot"; a snapshot is read by anyone.
         */
        public ProcFs open(String whyRoot) throws IOException {
            return open(root, whyRoot);
        }

        /** Another root than --procfs-root (memstats diff reads two), opened and checked the same way. */
        public static ProcFs open(String root, String whyRoot) throws IOException {
            ProcFs proc;
            try {
                proc = ProcRoot.open(root);
            } catch (java.io.FileNotFoundException e) {
                throw new Failure(e.getMessage());
            }
            if (proc.isLive() && !isRoot()) {
                proc.close();
                throw new Failure("needs root: " + whyRoot);
            }
            return proc;
        }
    }

    /** Whether this process runs with effective uid 0. */
    public static boolean isRoot() throws IOException {
        return Status.parse(Files.readString(Path.of("/proc/self/status"))).effectiveUid() == 0;
    }

    /** Threads and the memory limit of a scan of processes. */
    public static final class Scan {
        @Option(names = {"-t", "--threads"}, paramLabel = "N", scope = ScopeType.INHERIT,
                description = "Processes read in parallel (default: half of this machine's cores, at least 1; at most 4 per core)."
                        + "%nExample: -t 4")
        public Integer threads;

        @Option(names = {"-m", "--mem-limit"}, paramLabel = "MiB", scope = ScopeType.INHERIT,
                description = "Stop scanning more processes past this much memory of our own, in MiB (default: half of this "
                        + "machine's MemAvailable, also when reading a snapshot); results are then marked partial.%nExample: -m 512")
        public Long memLimitMiB;

        /** --threads, or byDefault; see Cli.threads. */
        public int threads(int byDefault, Consumer<String> note) {
            return Cli.threads(threads, byDefault, note);
        }

        /** Half the cores, at least one: the other half stays with the machine's own work. */
        public int threads(Consumer<String> note) {
            return threads(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), note);
        }

        /** --mem-limit in bytes, else half of this machine's MemAvailable (also when reading a snapshot: the limit is about us). */
        public long memLimitBytes() throws IOException {
            if (memLimitMiB != null) {
                if (memLimitMiB <= 0) throw new UsageError("--mem-limit must be positive");
                // beyond 2^63 bytes the limit would wrap to a negative number and silently turn off
                if (memLimitMiB > Long.MAX_VALUE >> 20) {
                    throw new UsageError("--mem-limit " + memLimitMiB + " MiB is more than any memory (at most " + (Long.MAX_VALUE >> 20) + ")");
                }
                return memLimitMiB << 20;
            }
            return byDefault();
        }

        /** Half of this machine's MemAvailable, 0 (no limit) when unknown. */
        public static long byDefault() throws IOException {
            long avail = Meminfo.parse(Files.readString(Path.of("/proc/meminfo"))).memAvailableBytes();
            return avail > 0 ? avail / 2 : 0;
        }
    }

    /** -f: which processes are scanned. */
    public static final class Filtering {
        @Option(names = {"-f", "--filter"}, paramLabel = "EXPR", scope = ScopeType.INHERIT, converter = FilterConverter.class,
                description = "Only the processes matching this filter ('${ROOT-COMMAND-NAME} help filters' for the language)."
                        + "%nExample: -f 'or(uid(0),comm(bash))'")
        public Filter filter = new Filter.True();
    }

    /** The splitters -u, -e, -p, -c, each a way to cut the processes into groups. */
    public static final class Splits {
        @Option(names = {"-u", "--split-uid"}, description = "Group by user (effective uid).%nExample: -u")
        public boolean splitUid;

        @Option(names = "--split-cgroup", arity = "0..1", paramLabel = "auto|v1|v2", fallbackValue = "auto",
                converter = HierarchyConverter.class,
                description = "Group by cgroup (systemd units by unit name): auto (default) the memory controller's "
                        + "(v1 memory hierarchy where it is mounted, as on RHEL 8 and hybrid hosts, else v2), v1, or v2."
                        + "%nExample: --split-cgroup")
        public Cgroup.Hierarchy splitCgroup;

        @Option(names = "--split-comm", description = "Group by process name (/proc/PID/comm), as ps_mem shows programs.%nExample: --split-comm")
        public boolean splitComm;

        @Option(names = {"-e", "--split-env"}, paramLabel = "VAR",
                description = "Group by the value of an environment variable, <unset> where absent (repeatable).%nExample: -e ORACLE_SID")
        public List<String> splitEnv = new ArrayList<>();

        @Option(names = {"-p", "--split-pids"}, paramLabel = "PID", split = ",",
                description = "These pids form one group, the rest is Other (repeatable).%nExample: -p \"$(pgrep -d, -x sshd)\"")
        public List<Integer> splitPids = new ArrayList<>();

        @Option(names = {"-c", "--split-custom"}, paramLabel = "FILTERS", converter = CustomConverter.class,
                description = "Each filter of the comma-separated list is a group (first match wins), the rest is Other "
                        + "(repeatable; '${ROOT-COMMAND-NAME} help filters').%nExample: -c 'comm(postgres),comm(java)'")
        public List<Splitter.Custom> splitCustom = new ArrayList<>();

        /** The splitters given, in this order: uid, cgroup, comm, env, pids, each custom list; one of each name. */
        public List<Splitter> splitters() {
            Cli.requirePids(splitPids, "--split-pids");
            List<Splitter> s = new ArrayList<>();
            if (splitUid) s.add(new Splitter.ByUid(null));
            if (splitCgroup != null) s.add(new Splitter.ByCgroup(splitCgroup));
            if (splitComm) s.add(new Splitter.ByComm());
            for (String v : splitEnv) s.add(new Splitter.ByEnv(v));
            if (!splitPids.isEmpty()) s.add(new Splitter.ByPids(new LinkedHashSet<>(splitPids)));
            s.addAll(splitCustom);
            // a split given twice (-e X -e X) is one table: twice would be two series of one name in prom
            java.util.Map<String, Splitter> byName = new java.util.LinkedHashMap<>();
            for (Splitter x : s) byName.putIfAbsent(x.name(), x);
            return List.copyOf(byName.values());
        }
    }

    public static final class FilterConverter implements CommandLine.ITypeConverter<Filter> {
        public Filter convert(String value) {
            try {
                return Filter.parse(value);
            } catch (Filter.ParseException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class HierarchyConverter implements CommandLine.ITypeConverter<Cgroup.Hierarchy> {
        public Cgroup.Hierarchy convert(String value) {
            return switch (value) {
                case "auto" -> Cgroup.Hierarchy.AUTO;
                case "v1" -> Cgroup.Hierarchy.V1;
                case "v2" -> Cgroup.Hierarchy.V2;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a cgroup hierarchy: auto, v1 or v2");
            };
        }
    }

    public static final class CustomConverter implements CommandLine.ITypeConverter<Splitter.Custom> {
        public Splitter.Custom convert(String value) {
            try {
                return Splitter.Custom.parse(value);
            } catch (Filter.ParseException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
