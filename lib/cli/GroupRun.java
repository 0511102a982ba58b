package lib.cli;

import lib.groups.Filter;
import lib.groups.GroupScan;
import lib.groups.RamAccount;
import lib.groups.Splitter;
import lib.oracle.InstanceFigures;
import lib.oracle.OracleInstance;
import lib.pages.PageSet;
import lib.pages.SysvShmPages;
import lib.proc.Meminfo;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.proc.TmpfsFiles;
import lib.text.Progress;
import lib.text.Text;
import lib.text.Units;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One memstats scan of one source (a live /proc or a snapshot): the machine-wide sections, the Oracle
 * instances, the groups of the splitters, and the whole-RAM account when asked; what it says goes to
 * the command's stderr, a progress line only on a terminal and only for text.
 */
public final class GroupRun {
    /** What the options decided: the memory limit and threads (this machine's), SysV and Oracle choices, the filter. */
    public record Settings(long limit, int threads, boolean forceReadShm, boolean askDb, Duration dbTimeout, Filter filter,
                           boolean quiet) {
    }

    private final ProcFs proc;
    private final List<Splitter> splitters;
    private final Settings settings;
    private final long pageSize;
    private final CommandLine cl;
    private final PrintWriter err;

    /** splitters as given: -u names users as this source's passwd does. */
    public GroupRun(ProcFs proc, List<Splitter> splitters, Settings settings, CommandLine cl) throws IOException {
        this.proc = proc;
        var users = proc.users();
        this.splitters = splitters.stream().map(s -> s instanceof Splitter.ByUid ? (Splitter) new Splitter.ByUid(users::get) : s).toList();
        this.settings = settings;
        this.pageSize = proc.pageSize();
        this.cl = cl;
        this.err = cl.getErr();
    }

    /** The processes the filter keeps, read now (a new selection each round of --interval). */
    public GroupScan.Selection select() throws IOException {
        return GroupScan.select(proc, settings.filter());
    }

    /** The whole report: tmpfs, SysV segments, instances (asked before the scan: their sqlplus has ended when pages are read), groups. */
    public GroupTables.Report report(GroupScan.Selection sel, boolean withRam) throws IOException {
        if (!settings.quiet()) {
            // these are about this machine, also when it reads a snapshot made elsewhere
            String here = proc.processesRunHere() ? "" : " (this machine's: the snapshot is only read)";
            err.println("Memory limit: " + (settings.limit() > 0 ? Units.mb(settings.limit()) : "none") + here);
            err.println("Using " + settings.threads() + (settings.threads() == 1 ? " thread" : " threads") + here);
            err.println("Scanning " + sel.toScan().size() + " processes");
            err.flush();
        }
        Meminfo meminfo = Meminfo.parse(proc.readString("meminfo"));
        List<SysvShmPages.SegmentPages> shm = shmPages(meminfo);
        List<SysvShm.Segment> segments = shm.stream().map(SysvShmPages.SegmentPages::corrected).toList();
        TmpfsFiles files = proc.tmpfsFiles();
        List<InstanceFigures> instances = instanceFigures(sel, segments, files);
        GroupScan.Result result;
        // a progress line on a terminal's stderr (lines said meanwhile go above it); none for programs' formats
        try (Progress progress = settings.quiet() ? Progress.OFF : Cli.progress(cl, "Scanning", sel.toScan().size(), "processes")) {
            result = scan(sel, segments, progress);
        }
        List<OracleInstance> found = instances.stream().map(InstanceFigures::instance).toList();
        return new GroupTables.Report(proc.tmpfs(), files, TmpfsFileTable.rows(proc, files, sel.toScan(), found, sel.all(),
                splitters.isEmpty() ? null : splitters.get(0), sel.tree()), shm,
                OracleInstance.sidsBySegment(proc, found),
                meminfo, pageSize, instances, proc.users(), result, withRam ? ramAccount(result) : null);
    }

    /** The groups only: no machine-wide sections (the rounds of --interval without -o, memstats ram). */
    public GroupScan.Result groups(GroupScan.Selection sel, List<SysvShm.Segment> segments) throws IOException {
        return scan(sel, segments, null);
    }

    private GroupScan.Result scan(GroupScan.Selection sel, List<SysvShm.Segment> segments, Progress progress) throws IOException {
        Consumer<String> log = progress == null || progress == Progress.OFF ? this::say : line -> progress.println(Text.visible(line));
        return GroupScan.run(proc, sel, splitters, segments, pageSize,
                new GroupScan.Options(settings.threads(), settings.limit(), log, progress));
    }

    /** A diff's side: the SysV segments are read as for a report (they feed shm_mem), the groups are what is compared. */
    public GroupTables.Source source(String root) throws IOException {
        List<SysvShm.Segment> segments = shmPages(Meminfo.parse(proc.readString("meminfo"))).stream()
                .map(SysvShmPages.SegmentPages::corrected).toList();
        return new GroupTables.Source(root, scan(select(), segments, null));
    }

    /** The SysV segments with their resident pages, largest first. */
    private List<SysvShmPages.SegmentPages> shmPages(Meminfo meminfo) throws IOException {
        List<SysvShm.Segment> kernel = proc.sysvShm();
        List<SysvShmPages.SegmentPages> shm = new ArrayList<>(SysvShmPages.read(proc, kernel, meminfo, pageSize, settings.forceReadShm(), this::say));
        shm.sort(Comparator.comparingLong((SysvShmPages.SegmentPages p) -> p.shm().sizeBytes()).reversed()
                .thenComparingLong(p -> p.shm().shmid()));
        return shm;
    }

    private List<InstanceFigures> instanceFigures(GroupScan.Selection sel, List<SysvShm.Segment> segments, TmpfsFiles files) throws IOException {
        // the processes select read: memstats itself is not one of an instance's processes
        List<OracleInstance> found = OracleInstance.discover(proc, sel.all());
        return InstanceFigures.collect(proc, found, sel.all(), segments, settings.askDb(), settings.dbTimeout(),
                w -> say(cl.getCommandName() + ": " + w), files);
    }

    /** Every RAM frame classified against the union of all scanned processes' frames, meminfo read just before. */
    public RamAccount.Result ramAccount(GroupScan.Result result) throws IOException {
        PageSet mapped = new PageSet();
        if (!result.splits().isEmpty()) for (PageSet frames : result.splits().get(0).frames()) mapped.or(frames);
        return RamAccount.scan(proc, pageSize, mapped, Meminfo.parse(proc.readString("meminfo")), settings.threads());
    }

    /** Fails with one line before any scan when this source cannot tell where RAM is or what its frames hold. */
    public static void checkRam(ProcFs proc) throws IOException {
        try {
            RamAccount.ramRanges(proc, proc.pageSize());
            if (!proc.exists("kpageflags")) throw new IOException(proc.description() + " has no kpageflags");
        } catch (IOException e) {
            throw new Cli.Failure(e.getMessage());
        }
    }

    /** A line on stderr; lines name processes by their comm, which their owner chose. */
    private void say(String line) {
        err.println(Text.visible(line));
        err.flush();
    }
}
