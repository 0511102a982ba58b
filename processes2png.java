///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//JAVA_OPTIONS -Djava.awt.headless=true
//SOURCES lib/**/*.java

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import lib.cli.Cli;
import lib.cli.Cli.Failure;
import lib.cli.Cli.UsageError;
import lib.cli.Options;
import lib.cli.OutputFile;
import lib.groups.Filter;
import lib.groups.GroupScan;
import lib.groups.Splitter;
import lib.pages.PageSet;
import lib.pages.SysvShmFrames;
import lib.pages.SysvShmPages;
import lib.picture.FramePicture;
import lib.picture.FrameScan;
import lib.picture.GifWriter;
import lib.picture.Legends;
import lib.picture.Legends.Shot;
import lib.proc.Iomem;
import lib.proc.Meminfo;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.text.Text;
import lib.cli.UnitOptions;
import lib.text.Progress;
import lib.text.TextTable;
import lib.text.Units;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import javax.imageio.stream.FileImageOutputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

@Command(name = "processes2png",
        description = {"A picture of physical memory: the RAM frames of /proc/iomem along a Hilbert curve (nearby frames "
                + "stay nearby), coloured by what /proc/kpageflags says they hold or by the group of processes "
                + "mapping them; frames mapped by processes bright, the others dim. PNG, or an animated GIF over time. "
                + "Needs root on a live system."},
        footer = {"Examples:", "  processes2png -o ram.png", "  processes2png --color groups -u -o users.png",
                "  processes2png --frames 10 --interval 2 -o ram.gif"})
public class processes2png implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Image to write: .png, or .gif (needed for --frames > 1); "
            + "- writes a PNG (a GIF with --frames > 1) to stdout and the legend to stderr. Default: processes.png, or "
            + "processes.gif with --frames.%nExample: -o /tmp/ram.png")
    String output;

    @Option(names = "--color", paramLabel = "flags|groups", defaultValue = "flags",
            description = "flags: each frame by its page class (kpageflags); groups: by the group of processes mapping it "
                    + "(with one of -u, -e, -p, -c). Default: ${DEFAULT-VALUE}.%nExample: --color groups -u")
    Colour colour;

    @Mixin Options.Splits splits;
    @Mixin Options.Filtering filtering;

    @Option(names = "--max-side", paramLabel = "PIXELS", defaultValue = "2048",
            description = "Largest side of the curve square (rounded down to a power of two); with more frames than pixels "
                    + "each pixel summarises a block of frames. Default: ${DEFAULT-VALUE}.%nExample: --max-side 1024")
    int maxSide;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "1", description = "Pictures to take; more than one makes an animated GIF.%nExample: --frames 10")
    int frames;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "Time between pictures, also the GIF's delay. Default: ${DEFAULT-VALUE}."
            + "%nExample: --interval 0.5")
    double interval;

    @Option(names = "--no-legend", description = "No legend panel in the image (it is printed on stdout anyway).%nExample: --no-legend")
    boolean noLegend;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads reading processes and kpageflags (default: cores; at most 4 per core).%nExample: -t 2")
    Integer threads;

    @Mixin Options.Procfs procfs;
    @Mixin Options.Common common;
    @Mixin UnitOptions units;

    enum Colour { flags, groups }


    static {
        // also when run as a plain jar without the //JAVA_OPTIONS line: never look for a display
        System.setProperty("java.awt.headless", "true");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new processes2png()), "processes2png");
    }

    /** What every picture is taken with. */
    record Setup(ProcFs proc, long pageSize, FramePicture.Layout layout, Splitter splitter, boolean legendInImage, int threads,
                 PrintWriter err) {
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = common.out();
        PrintWriter err = common.err();
        Splitter splitter = splitter();
        if (maxSide < 1) throw new UsageError("--max-side must be at least 1");
        if (frames < 1) throw new UsageError("--frames must be at least 1");
        if (!(interval > 0)) throw new UsageError("--interval must be positive");
        int nThreads = Cli.threads(threads, Runtime.getRuntime().availableProcessors(), note -> err.println("processes2png: " + note));
        boolean toStdout = "-".equals(output);
        Path target = toStdout ? null : output != null ? Path.of(output) : Path.of(frames > 1 ? "processes.gif" : "processes.png");
        boolean gif = toStdout ? frames > 1 : target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gif");
        if (frames > 1 && !gif) throw new UsageError("--frames " + frames + " makes an animated GIF: give an output name ending in .gif");
        if (!toStdout) OutputFile.check(target);
        // image bytes on a terminal are garbage at best and escape sequences at worst
        else if (System.console() != null) throw new UsageError("-o - writes the image's bytes: send stdout to a file or a pipe, not a terminal");
        ImageIO.setUseCache(false); // no cache files in java.io.tmpdir: the image is in memory anyway
        // with the image on stdout, the legend goes to stderr
        PrintWriter legend = toStdout ? err : out;

        try (ProcFs proc = procfs.open("/proc/kpageflags and the frame numbers in /proc/PID/pagemap are root's only")) {
            long pageSize = proc.pageSize();
            FramePicture.Layout layout = layout(proc, pageSize, Integer.highestOneBit(maxSide));
            boolean legendInImage = !noLegend && FramePicture.canDrawText();
            if (!noLegend && !legendInImage) err.println("processes2png: this runtime cannot draw text (no fonts): the legend is printed only");
            Setup setup = new Setup(proc, pageSize, layout, splitter, legendInImage, nThreads, err);
            long t0 = System.nanoTime();
            Shot last;
            String where;
            long bytes;
            if (toStdout) {
                OutputFile.Counting os = new OutputFile.Counting(OutputFile.stdoutBytes(out));
                try (ImageOutputStream ios = new MemoryCacheImageOutputStream(os)) {
                    last = writeImage(ios, gif, setup);
                    ios.flush();
                    os.flush();
                } catch (IOException e) {
                    if (os.error() == null) throw e;
                    throw new Failure("cannot write output: " + Cli.oneLine(os.error()));
                }
                where = "the image to stdout";
                bytes = os.count();
            } else {
                last = OutputFile.replace(target, tmp -> {
                    try (ImageOutputStream ios = new FileImageOutputStream(tmp.toFile())) {
                        return writeImage(ios, gif, setup);
                    }
                });
                where = target.toString();
                bytes = Files.size(target);
            }
            legend.println(last.summary());
            // the legend table fits the terminal it goes to (stdout, or stderr with the image on stdout)
            int width = toStdout ? Math.max(Cli.errWidth(common.commandLine()), 0) : Cli.outWidth(common.commandLine());
            legend.print(last.table().render(TextTable.Render.box(width <= 0 ? TextTable.UNLIMITED : width).withUnits(units.units(false))));
            legend.flush();
            err.printf("Wrote %s (%dx%d, %d frame%s, %d bytes) in %s%n", where, last.image().getWidth(), last.image().getHeight(),
                    frames, frames == 1 ? "" : "s", bytes, Units.duration(System.nanoTime() - t0));
            err.flush();
            return 0;
        }
    }

    /** The splitter of --color groups (exactly one of -u, -e, -p, -c), or all processes as one group for --color flags. */
    private Splitter splitter() {
        List<Splitter> given = splits.splitters();
        if (colour == Colour.flags) {
            if (!given.isEmpty()) throw new UsageError("-u, -e, -p and -c go with --color groups");
            return new Splitter.All();
        }
        if (given.size() != 1) throw new UsageError("--color groups needs exactly one of -u, -e VAR, -p PIDS, -c FILTERS");
        return given.get(0);
    }

    private static FramePicture.Layout layout(ProcFs proc, long pageSize, int side) throws IOException {
        if (!proc.exists("iomem")) throw new Failure(proc.description() + " has no iomem: cannot tell where RAM is");
        List<Iomem.Range> ram = Iomem.systemRam(Iomem.parse(proc.readString("iomem")));
        if (ram.stream().allMatch(r -> r.end() == 0)) {
            throw new Failure(proc.description() + "/iomem lists no System RAM addresses (they read as zero unless read by root)");
        }
        if (!proc.exists("kpageflags")) throw new Failure(proc.description() + " has no kpageflags");
        return FramePicture.Layout.of(ram, pageSize, side);
    }

    /** The picture, or the pictures of a GIF one interval apart (written as they come: memory stays one picture), to os. */
    private Shot writeImage(ImageOutputStream os, boolean gif, Setup setup) throws IOException, InterruptedException {
        if (!gif) {
            Shot shot = shoot(setup, "");
            if (!ImageIO.write(shot.image(), "png", os)) throw new Failure("no PNG writer in this runtime");
            return shot;
        }
        Shot last = null;
        try (GifWriter writer = new GifWriter(os, interval)) {
            long intervalNanos = (long) (interval * 1e9);
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                long wait = start + i * intervalNanos - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                String when = String.format(Locale.ROOT, "frame %d/%d %s", i + 1, frames,
                        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")));
                last = shoot(setup, when);
                writer.write(last.image());
            }
            writer.finish();
        }
        return last;
    }

    /** Takes one picture: which frames processes map, then every frame's flags. */
    private Shot shoot(Setup s, String when) throws IOException {
        long t0 = System.nanoTime();
        ProcFs proc = s.proc();
        Map<Integer, String> users = proc.users();
        Splitter sp = s.splitter() instanceof Splitter.ByUid ? new Splitter.ByUid(users::get) : s.splitter();
        GroupScan.Selection sel = GroupScan.select(proc, filtering.filter);
        Consumer<String> log = line -> {
            s.err().println(Text.visible(line)); // lines name processes by their comm, which their owner chose
            s.err().flush();
        };
        List<SysvShm.Segment> segments = List.of();
        List<SysvShm.Segment> listed = colour == Colour.groups ? proc.sysvShm() : List.of();
        if (!listed.isEmpty()) {
            // shm_mem as memstats shows it: resident pages read from each segment, hugetlb rss corrected
            segments = SysvShmPages.read(proc, listed,
                    Meminfo.parse(proc.readString("meminfo")), s.pageSize(), false, log)
                    .stream().map(SysvShmPages.SegmentPages::corrected).toList();
        }
        GroupScan.Result scan;
        try (Progress progress = Cli.progress(common.commandLine(), "Reading", sel.toScan().size(), "processes")) {
            GroupScan.Options opt = new GroupScan.Options(Math.max(1, s.threads()), Options.Scan.byDefault(),
                    line -> progress.println(Text.visible(line), s.err()), progress);
            scan = GroupScan.run(proc, sel, List.of(sp), segments, s.pageSize(), opt);
        }
        GroupScan.Split split = scan.splits().get(0);
        List<GroupScan.GroupStats> groups = split.groups();
        LongOpenHashSet shmids = new LongOpenHashSet();
        for (GroupScan.GroupStats g : groups) for (long id : g.shmids()) shmids.add(id);
        Map<Long, PageSet> shmFrames = SysvShmFrames.read(proc, sel.toScan(), shmids, s.pageSize());
        long t1 = System.nanoTime();

        FramePicture picture;
        FrameScan.FrameCounts counts;
        Shot shot;
        String scanned = scan.counts().scanned() + " processes" + (scan.counts().partial() ? " (PARTIAL: memory limit)" : "");
        if (colour == Colour.flags) {
            PageSet mapped = groups.isEmpty() ? new PageSet() : framesOf(split, groups.get(0), shmFrames);
            picture = new FramePicture(s.layout(), Legends.classPalette());
            counts = FrameScan.run(proc, picture, new FrameScan.ByClass(mapped), s.threads());
            shot = Legends.classLegend(picture, counts, s.pageSize(), scanned, when, s.legendInImage(), units.units(false));
        } else {
            List<GroupScan.GroupStats> coloured = groups.stream().filter(g -> g.memRss() > 0 || g.shmids().length > 0).toList();
            List<PageSet> sets = new ArrayList<>();
            for (int i = 0; i < coloured.size(); i++) {
                PageSet f = framesOf(split, coloured.get(i), shmFrames);
                if (i < Legends.GROUP_COLOURS) sets.add(f);
                else sets.get(Legends.GROUP_COLOURS - 1).or(f); // the smallest groups share the last colour
            }
            picture = new FramePicture(s.layout(), Legends.groupPalette(sets.size()));
            counts = FrameScan.run(proc, picture, new FrameScan.ByGroup(sets), s.threads());
            shot = Legends.groupLegend(picture, counts, s.pageSize(), split.name(), groups, coloured, scanned, when, s.legendInImage(),
                    units.units(false));
        }
        s.err().printf("%sread %s in %s, %d frames' flags in %s%n", when.isEmpty() ? "" : when + ": ", scanned,
                Units.duration(t1 - t0), counts.total(), Units.duration(System.nanoTime() - t1));
        s.err().flush();
        return shot;
    }

    /** A group's frames: those of its mappings and those of the SysV segments it attaches. */
    private static PageSet framesOf(GroupScan.Split split, GroupScan.GroupStats g, Map<Long, PageSet> shmFrames) {
        PageSet s = new PageSet();
        s.or(split.framesOf(g));
        for (long id : g.shmids()) {
            PageSet seg = shmFrames.get(id);
            if (seg != null) s.or(seg);
        }
        return s;
    }
}
