///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//JAVA_OPTIONS -Djava.awt.headless=true
//SOURCES lib/**/*.java

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import lib.cli.Cli;
import lib.cli.Cli.Failure;
import lib.cli.Cli.UsageError;
import lib.picture.FramePicture;
import lib.picture.FrameScan;
import lib.groups.Filter;
import lib.groups.GroupScan;
import lib.proc.Iomem;
import lib.proc.Meminfo;
import lib.pages.PageClass;
import lib.pages.PageSet;
import lib.proc.PageSize;
import lib.proc.Passwd;
import lib.proc.ProcFs;
import lib.groups.Splitter;
import lib.proc.Status;
import lib.proc.SysvShm;
import lib.pages.SysvShmFrames;
import lib.pages.SysvShmPages;
import lib.text.Table;
import lib.text.Text;
import lib.text.Units;
import lib.snapshot.ProcRoot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "processes2png", mixinStandardHelpOptions = true, version = "processes2png 0.1",
        description = {"A picture of physical memory: the RAM frames of /proc/iomem along a Hilbert curve (nearby frames",
                "stay nearby), coloured by what /proc/kpageflags says they hold or by the group of processes",
                "mapping them; frames mapped by processes bright, the others dim. PNG, or an animated GIF over time.",
                "Needs root on a live system."})
public class processes2png implements Callable<Integer> {
    static final int GROUP_COLOURS = 12;
    static final int HEADER_LINES = 5;
    static final int[] GROUP_RGB = {0xff3b30, 0x3a8cff, 0x33dd55, 0xffd21f, 0xc04cff, 0xff9a1a, 0x22e0d0, 0xff6fb5,
            0x9be03a, 0x8f7bff, 0xd9a066, 0x8c8c8c};

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Image to write: .png, or .gif (needed for --frames > 1); - writes a PNG (a GIF with --frames > 1) to stdout and the legend to stderr. Default: processes.png, or processes.gif with --frames.")
    String output;

    @Option(names = "--color", paramLabel = "flags|groups", defaultValue = "flags",
            description = "flags: each frame by its page class (kpageflags); groups: by the group of processes mapping it (with one of -u, -e, -p, -c). Default: ${DEFAULT-VALUE}.")
    Colour colour;

    @Option(names = {"-u", "--split-uid"}, description = "--color groups: one group per user.")
    boolean splitUid;

    @Option(names = {"-e", "--split-env"}, paramLabel = "VAR", description = "--color groups: one group per value of an environment variable.")
    String splitEnv;

    @Option(names = {"-p", "--split-pids"}, paramLabel = "PID", split = ",", description = "--color groups: these pids against Other.")
    List<Integer> splitPids = new ArrayList<>();

    @Option(names = {"-c", "--split-custom"}, paramLabel = "F1,F2,...", description = "--color groups: each filter a group (first match wins), the rest Other.")
    String splitCustom;

    @Option(names = {"-f", "--filter"}, paramLabel = "EXPR", description = "Only these processes count as mapping frames, e.g. \"uid(1001)\".")
    String filter;

    @Option(names = "--max-side", paramLabel = "PIXELS", defaultValue = "2048",
            description = "Largest side of the curve square (rounded down to a power of two); with more frames than pixels each pixel summarises a block of frames. Default: ${DEFAULT-VALUE}.")
    int maxSide;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "1", description = "Pictures to take; more than one makes an animated GIF.")
    int frames;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "Time between pictures, also the GIF's delay. Default: ${DEFAULT-VALUE}.")
    double interval;

    @Option(names = "--no-legend", description = "No legend panel in the image (it is printed on stdout anyway).")
    boolean noLegend;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads reading processes and kpageflags (default: cores; at most 4 per core).")
    Integer threads;

    @Option(names = "--procfs-root", paramLabel = "PATH", defaultValue = "/proc",
            description = "A live /proc (default), an extracted snapshot or a snapshot .tar.gz.")
    String procfsRoot;

    @Option(names = "--debug", description = "Show stack traces of errors.")
    boolean debug;

    enum Colour { flags, groups }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static {
        // also when run as a plain jar without the //JAVA_OPTIONS line: never look for a display
        System.setProperty("java.awt.headless", "true");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new processes2png()), "processes2png", (processes2png tool) -> tool.debug);
    }

    /** One picture's worth of results. */
    record Shot(BufferedImage image, Table table, String summary) {
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Splitter splitter = splitter();
        Filter processFilter = parseFilter(filter, "--filter");
        if (maxSide < 1) throw new UsageError("--max-side must be at least 1");
        if (frames < 1) throw new UsageError("--frames must be at least 1");
        if (!(interval > 0)) throw new UsageError("--interval must be positive");
        int nThreads = Cli.threads(threads, Runtime.getRuntime().availableProcessors(), note -> err.println("processes2png: " + note));
        boolean toStdout = "-".equals(output);
        Path target = toStdout ? null : output != null ? Path.of(output) : Path.of(frames > 1 ? "processes.gif" : "processes.png");
        boolean gif = toStdout ? frames > 1 : target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gif");
        if (frames > 1 && !gif) throw new UsageError("--frames " + frames + " makes an animated GIF: give an output name ending in .gif");
        if (!toStdout) checkTarget(target);
        // image bytes on a terminal are garbage at best and escape sequences at worst
        else if (System.console() != null) throw new UsageError("-o - writes the image's bytes: send stdout to a file or a pipe, not a terminal");
        int side = Integer.highestOneBit(maxSide);
        ImageIO.setUseCache(false); // no cache files in java.io.tmpdir: the image is in memory anyway
        // with the image on stdout, the legend goes to stderr
        PrintWriter legend = toStdout ? err : out;

        try (ProcFs proc = openProcFs()) {
            if (proc.isLive() && Status.parse(Files.readString(Path.of("/proc/self/status"))).effectiveUid() != 0) {
                throw new Failure("processes2png needs root: /proc/kpageflags and the frame numbers in /proc/PID/pagemap are root's only");
            }
            long pageSize = proc.pageSize();
            FramePicture.Layout layout = layout(proc, pageSize, side);
            boolean legendInImage = !noLegend && FramePicture.canDrawText();
            if (!noLegend && !legendInImage) err.println("processes2png: this runtime cannot draw text (no fonts): the legend is printed only");
            long t0 = System.nanoTime();
            if (toStdout) {
                CountingStream os = new CountingStream(stdoutBytes(out));
                Shot last;
                try (ImageOutputStream ios = new javax.imageio.stream.MemoryCacheImageOutputStream(os)) {
                    last = writeImage(ios, gif, proc, pageSize, layout, splitter, processFilter, legendInImage, nThreads, err);
                    ios.flush();
                    os.flush();
                } catch (IOException e) {
                    if (os.error == null) throw e;
                    throw new Failure("cannot write output: " + Cli.oneLine(os.error));
                }
                printLegend(legend, last);
                err.printf("Wrote the image to stdout (%dx%d, %d frame%s, %d bytes) in %s%n", last.image().getWidth(),
                        last.image().getHeight(), frames, frames == 1 ? "" : "s", os.count, Units.duration(System.nanoTime() - t0));
                err.flush();
                return 0;
            }
            Path tmp = createTemp(target);
            // Ctrl-C or SIGTERM during a capture: the JVM runs shutdown hooks, which remove the temporary file
            Thread cleanup = new Thread(() -> deleteQuietly(tmp), "processes2png-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            boolean done = false;
            try {
                Shot last;
                try (ImageOutputStream ios = new javax.imageio.stream.FileImageOutputStream(tmp.toFile())) {
                    last = writeImage(ios, gif, proc, pageSize, layout, splitter, processFilter, legendInImage, nThreads, err);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                done = true;
                printLegend(legend, last);
                err.printf("Wrote %s (%dx%d, %d frame%s, %d bytes) in %s%n", target, last.image().getWidth(), last.image().getHeight(),
                        frames, frames == 1 ? "" : "s", Files.size(target), Units.duration(System.nanoTime() - t0));
                err.flush();
                return 0;
            } finally {
                if (!done) Files.deleteIfExists(tmp);
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs now: it removes the temporary file
                }
            }
        }
    }

    /** The picture (or the pictures of a GIF) written to os. */
    private Shot writeImage(ImageOutputStream os, boolean gif, ProcFs proc, long pageSize, FramePicture.Layout layout, Splitter splitter,
                            Filter processFilter, boolean legendInImage, int nThreads, PrintWriter err)
            throws IOException, InterruptedException {
        if (gif) return writeGif(os, proc, pageSize, layout, splitter, processFilter, legendInImage, nThreads, err);
        Shot last = shoot(proc, pageSize, layout, splitter, processFilter, legendInImage, nThreads, err, "");
        if (!ImageIO.write(last.image(), "png", os)) throw new Failure("no PNG writer in this runtime");
        return last;
    }

    private static void printLegend(PrintWriter legend, Shot last) {
        legend.println(last.summary());
        legend.println(last.table().render());
        legend.flush();
    }

    /**
     * The output is replaced by a rename: refused when it exists and is no regular file (a device such as
     * /dev/null would become a PNG file, a directory cannot be replaced).
     */
    private static void checkTarget(Path target) {
        if (Files.isDirectory(target)) throw new UsageError(target + " is a directory: give a file name");
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new UsageError(target + " exists and is not a regular file (a device, a pipe or a socket): give a file name, or - for stdout");
        }
    }

    /** stdout as bytes (the configured writer flushed first, so nothing interleaves). */
    private static OutputStream stdoutBytes(PrintWriter out) {
        if (out instanceof Cli.Output o) return o.bytes();
        out.flush();
        return new java.io.FileOutputStream(java.io.FileDescriptor.out);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more can be done while the JVM ends
        }
    }

    /** Counts the bytes written through it (the size reported for stdout) and keeps the first write error. */
    static final class CountingStream extends java.io.FilterOutputStream {
        long count;
        IOException error;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (error == null) error = e;
                throw e;
            }
            count += len;
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                if (error == null) error = e;
                throw e;
            }
        }
    }

    private Splitter splitter() {
        List<Splitter> given = new ArrayList<>();
        if (splitUid) given.add(new Splitter.ByUid(null));
        if (splitEnv != null) given.add(new Splitter.ByEnv(splitEnv));
        Cli.requirePids(splitPids, "--split-pids");
        if (!splitPids.isEmpty()) given.add(new Splitter.ByPids(new LinkedHashSet<>(splitPids)));
        if (splitCustom != null) {
            try {
                given.add(Splitter.Custom.parse(splitCustom));
            } catch (Filter.ParseException e) {
                throw new UsageError(e.getMessage());
            }
        }
        if (colour == Colour.flags) {
            if (!given.isEmpty()) throw new UsageError("-u, -e, -p and -c go with --color groups");
            return new Splitter.All();
        }
        if (given.size() != 1) throw new UsageError("--color groups needs exactly one of -u, -e VAR, -p PIDS, -c FILTERS");
        return given.get(0);
    }

    private static Filter parseFilter(String text, String option) {
        if (text == null) return new Filter.True();
        try {
            return Filter.parse(text);
        } catch (Filter.ParseException e) {
            throw new UsageError(option + ": " + e.getMessage());
        }
    }

    private ProcFs openProcFs() throws IOException {
        try {
            return ProcRoot.open(procfsRoot);
        } catch (java.io.FileNotFoundException e) {
            throw new Failure(e.getMessage());
        }
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

    /**
     * A temporary file beside the target, so the target appears whole or not at all; created with
     * the default mode (what umask allows), as the target would be.
     */
    private static Path createTemp(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            return Files.createFile(dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + Long.toHexString(System.nanoTime()) + ".tmp"));
        } catch (NoSuchFileException e) {
            throw new Failure("cannot write " + target + ": no such directory " + dir);
        } catch (AccessDeniedException e) {
            throw new Failure("cannot write " + target + ": permission denied in " + dir);
        } catch (IOException e) {
            throw new Failure("cannot write " + target + ": " + Cli.oneLine(e));
        }
    }

    /** Takes one picture: which frames processes map, then every frame's flags. */
    private Shot shoot(ProcFs proc, long pageSize, FramePicture.Layout layout, Splitter splitter, Filter processFilter,
                       boolean legendInImage, int nThreads, PrintWriter err, String when) throws IOException {
        long t0 = System.nanoTime();
        Map<Integer, String> users = proc.users();
        Splitter sp = splitter instanceof Splitter.ByUid ? new Splitter.ByUid(users::get) : splitter;
        GroupScan.Selection sel = GroupScan.select(proc, processFilter);
        java.util.function.Consumer<String> log = line -> {
            err.println(Text.visible(line)); // lines name processes by their comm, which their owner chose
            err.flush();
        };
        List<SysvShm.Segment> segments = List.of();
        if (colour == Colour.groups && proc.exists("sysvipc/shm")) {
            // shm_mem as memstats shows it: resident pages read from each segment, hugetlb rss corrected
            segments = SysvShmPages.read(proc, SysvShm.parse(proc.readString("sysvipc/shm")),
                    Meminfo.parse(proc.readString("meminfo")), pageSize, false, log)
                    .stream().map(SysvShmPages.SegmentPages::corrected).toList();
        }
        GroupScan.Options opt = new GroupScan.Options(Math.max(1, nThreads), memLimitBytes(), log, null);
        GroupScan.Result scan = GroupScan.run(proc, sel, List.of(sp), segments, pageSize, opt);
        List<GroupScan.GroupStats> groups = scan.splits().get(0).groups();
        LongOpenHashSet shmids = new LongOpenHashSet();
        for (GroupScan.GroupStats g : groups) for (long id : g.shmids()) shmids.add(id);
        Map<Long, PageSet> shmFrames = SysvShmFrames.read(proc, sel.toScan(), shmids, pageSize);
        long t1 = System.nanoTime();

        FramePicture picture;
        FrameScan.FrameCounts counts;
        Shot shot;
        String scanned = scan.counts().scanned() + " processes" + (scan.counts().partial() ? " (PARTIAL: memory limit)" : "");
        if (colour == Colour.flags) {
            PageSet mapped = groups.isEmpty() ? new PageSet() : framesOf(groups.get(0), shmFrames);
            picture = new FramePicture(layout, classPalette());
            counts = FrameScan.run(proc, picture, new FrameScan.ByClass(mapped), nThreads);
            shot = classLegend(picture, counts, pageSize, scanned, when, legendInImage);
        } else {
            List<GroupScan.GroupStats> coloured = groups.stream().filter(g -> g.memRss() > 0 || g.shmids().length > 0).toList();
            List<PageSet> sets = new ArrayList<>();
            for (int i = 0; i < coloured.size(); i++) {
                PageSet s = framesOf(coloured.get(i), shmFrames);
                if (i < GROUP_COLOURS) sets.add(s);
                else sets.get(GROUP_COLOURS - 1).or(s); // the smallest groups share the last colour
            }
            picture = new FramePicture(layout, groupPalette(sets.size()));
            counts = FrameScan.run(proc, picture, new FrameScan.ByGroup(sets), nThreads);
            shot = groupLegend(picture, counts, pageSize, scan.splits().get(0).name(), groups, coloured, scanned, when, legendInImage);
        }
        err.printf("%sread %s in %s, %d frames' flags in %s%n", when.isEmpty() ? "" : when + ": ", scanned,
                Units.duration(t1 - t0), counts.total(), Units.duration(System.nanoTime() - t1));
        err.flush();
        return shot;
    }

    /** A group's frames: those of its mappings and those of the SysV segments it attaches. */
    private static PageSet framesOf(GroupScan.GroupStats g, Map<Long, PageSet> shmFrames) {
        PageSet s = new PageSet();
        s.or(g.rssPages());
        for (long id : g.shmids()) {
            PageSet seg = shmFrames.get(id);
            if (seg != null) s.or(seg);
        }
        return s;
    }

    private static long memLimitBytes() throws IOException {
        long avail = Meminfo.parse(Files.readString(Path.of("/proc/meminfo"))).memAvailableBytes();
        return avail > 0 ? avail / 2 : 0;
    }

    static FramePicture.Palette classPalette() {
        PageClass[] classes = PageClass.values();
        int[] bright = new int[classes.length], dim = new int[classes.length];
        for (PageClass c : classes) {
            bright[c.ordinal()] = c.brightRgb;
            dim[c.ordinal()] = c.dimRgb;
        }
        return new FramePicture.Palette(bright, dim);
    }

    static FramePicture.Palette groupPalette(int groups) {
        int keys = FrameScan.ByGroup.FIRST_GROUP + groups;
        int[] bright = new int[keys], dim = new int[keys];
        bright[FrameScan.ByGroup.FREE] = dim[FrameScan.ByGroup.FREE] = PageClass.FREE.brightRgb;
        bright[FrameScan.ByGroup.NONE] = dim[FrameScan.ByGroup.NONE] = 0x4a4a4a;
        bright[FrameScan.ByGroup.SHARED] = 0xffffff;
        dim[FrameScan.ByGroup.SHARED] = 0x707070;
        for (int g = 0; g < groups; g++) {
            int rgb = GROUP_RGB[g];
            bright[FrameScan.ByGroup.FIRST_GROUP + g] = rgb;
            dim[FrameScan.ByGroup.FIRST_GROUP + g] = (rgb >> 16 & 0xff) * 2 / 5 << 16 | (rgb >> 8 & 0xff) * 2 / 5 << 8 | (rgb & 0xff) * 2 / 5;
        }
        return new FramePicture.Palette(bright, dim);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    private static String share(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
    }

    private static String hex(int rgb) {
        return String.format("#%06x", rgb);
    }

    private static List<FramePicture.LegendLine> header(FramePicture.Layout layout, long pageSize, String scanned, String when) {
        List<FramePicture.LegendLine> lines = new ArrayList<>();
        lines.add(new FramePicture.LegendLine(-1, "Physical memory, " + gib(layout.frames() * pageSize) + " of RAM" + (when.isEmpty() ? "" : ", " + when)));
        lines.add(new FramePicture.LegendLine(-1, String.format(Locale.ROOT, "%d frames of %d KiB, %d per pixel", layout.frames(),
                pageSize / 1024, layout.framesPerPixel())));
        lines.add(new FramePicture.LegendLine(-1, "Hilbert curve from the top left, RAM in address order"));
        lines.add(new FramePicture.LegendLine(-1, "bright: mapped by the " + scanned + " read"));
        lines.add(new FramePicture.LegendLine(-1, ""));
        return lines;
    }

    private Shot classLegend(FramePicture picture, FrameScan.FrameCounts counts, long pageSize, String scanned, String when,
                             boolean legendInImage) {
        FramePicture.Layout layout = picture.layout();
        List<FramePicture.LegendLine> lines = header(layout, pageSize, scanned, when);
        lines.add(new FramePicture.LegendLine(-1, String.format(Locale.ROOT, "%-17s %11s %6s %11s", "class", "size", "share", "mapped")));
        Table table = new Table("class", "colour", "dim", "size", "share", "mapped");
        long total = counts.total();
        for (PageClass c : PageClass.values()) {
            long f = counts.frames()[c.ordinal()], used = counts.used()[c.ordinal()];
            String size = Units.mb(f * pageSize), mapped = Units.mb(used * pageSize);
            int rgb = picture.palette().rgb(c.ordinal(), FramePicture.LEVELS - 1);
            lines.add(new FramePicture.LegendLine(rgb, String.format(Locale.ROOT, "%-17s %11s %6s %11s", c.label, size, share(f, total), mapped)));
            table.row(c.label, hex(c.brightRgb), hex(c.dimRgb), size, share(f, total), mapped);
        }
        String summary = String.format(Locale.ROOT, "Physical memory%s: %s of RAM, %d frames of %d KiB, image %dx%d with %d frame%s per pixel; bright = mapped by the %s read",
                when.isEmpty() ? "" : " at " + when, gib(total * pageSize), total, pageSize / 1024, layout.side(), layout.side(),
                layout.framesPerPixel(), layout.framesPerPixel() == 1 ? "" : "s", scanned);
        return new Shot(picture.render(legendInImage ? lines : null), table, summary);
    }

    private Shot groupLegend(FramePicture picture, FrameScan.FrameCounts counts, long pageSize, String splitName,
                             List<GroupScan.GroupStats> groups, List<GroupScan.GroupStats> coloured, String scanned,
                             String when, boolean legendInImage) {
        FramePicture.Layout layout = picture.layout();
        List<FramePicture.LegendLine> lines = header(layout, pageSize, scanned, when);
        lines.add(new FramePicture.LegendLine(-1, "Groups: " + splitName));
        lines.add(new FramePicture.LegendLine(-1, String.format(Locale.ROOT, "%-20s %11s %11s", "group", "mem_rss", "mem_uss")));
        Table table = new Table("group_name", "colour", "procs", "mem_rss", "mem_uss", "shm_mem", "only_this_group");
        // the biggest groups have a colour each; past GROUP_COLOURS the smallest share the last one
        boolean merged = coloured.size() > GROUP_COLOURS;
        int own = merged ? GROUP_COLOURS - 1 : coloured.size();
        Map<String, Integer> rank = new LinkedHashMap<>();
        for (int i = 0; i < coloured.size(); i++) rank.put(coloured.get(i).name(), i);
        for (GroupScan.GroupStats g : groups) {
            Integer i = rank.get(g.name());
            int key = i == null ? -1 : FrameScan.ByGroup.FIRST_GROUP + Math.min(i, GROUP_COLOURS - 1);
            int rgb = key < 0 ? -1 : picture.palette().rgb(key, FramePicture.LEVELS - 1);
            String only = key < 0 ? "-" : i < own ? Units.mb(counts.frames()[key] * pageSize) : "(smaller groups)";
            table.row(g.name(), key < 0 ? "-" : hex(rgb), g.procs(), Units.mb(g.memRss()), Units.mb(g.memUss()),
                    Units.mb(g.shmMem()), only);
            if (i != null && i < own) {
                lines.add(new FramePicture.LegendLine(rgb, String.format(Locale.ROOT, "%-20s %11s %11s", g.name(),
                        Units.mb(g.memRss()), Units.mb(g.memUss()))));
            }
        }
        if (merged) {
            int key = FrameScan.ByGroup.FIRST_GROUP + GROUP_COLOURS - 1;
            lines.add(new FramePicture.LegendLine(picture.palette().rgb(key, FramePicture.LEVELS - 1), String.format(Locale.ROOT,
                    "%-20s %11s", (coloured.size() - own) + " smaller groups", Units.mb(counts.frames()[key] * pageSize))));
        }
        lines.add(new FramePicture.LegendLine(-1, ""));
        int[] extra = {FrameScan.ByGroup.SHARED, FrameScan.ByGroup.NONE, FrameScan.ByGroup.FREE};
        String[] names = {"shared by groups", "used, in no group", "free"};
        for (int i = 0; i < extra.length; i++) {
            long f = counts.frames()[extra[i]];
            int rgb = picture.palette().rgb(extra[i], FramePicture.LEVELS - 1);
            lines.add(new FramePicture.LegendLine(rgb, String.format(Locale.ROOT, "%-20s %11s", names[i], Units.mb(f * pageSize))));
            table.row("(" + names[i] + ")", hex(rgb), "-", "-", "-", "-", Units.mb(f * pageSize));
        }
        // a constant legend height: every frame of a GIF has the first one's size
        while (lines.size() < HEADER_LINES + 2 + GROUP_COLOURS + 4) {
            lines.add(new FramePicture.LegendLine(-1, ""));
        }
        String summary = String.format(Locale.ROOT, "Physical memory%s by %s: %s of RAM, image %dx%d with %d frame%s per pixel; %s read",
                when.isEmpty() ? "" : " at " + when, splitName, gib(counts.total() * pageSize), layout.side(), layout.side(),
                layout.framesPerPixel(), layout.framesPerPixel() == 1 ? "" : "s", scanned);
        return new Shot(picture.render(legendInImage ? lines : null), table, summary);
    }

    /** Takes the pictures one interval apart and writes them as they come: memory stays one picture. */
    private Shot writeGif(ImageOutputStream os, ProcFs proc, long pageSize, FramePicture.Layout layout, Splitter splitter,
                          Filter processFilter, boolean legendInImage, int nThreads, PrintWriter err)
            throws IOException, InterruptedException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        Shot last = null;
        try {
            writer.setOutput(os);
            writer.prepareWriteSequence(null);
            long intervalNanos = (long) (interval * 1e9);
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                String when = String.format(Locale.ROOT, "frame %d/%d %s", i + 1, frames,
                        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")));
                last = shoot(proc, pageSize, layout, splitter, processFilter, legendInImage, nThreads, err, when);
                writer.writeToSequence(new IIOImage(last.image(), null, gifMetadata(writer, last.image(), i == 0)), null);
                os.flush(); // each frame out as it comes: a stream to stdout would otherwise hold the whole GIF
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return last;
    }

    /** A frame's delay (the interval) and, on the first frame, the NETSCAPE2.0 block that loops forever. */
    private IIOMetadata gifMetadata(ImageWriter writer, BufferedImage image, boolean first) throws IOException {
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("transparentColorIndex", "0");
        gce.setAttribute("delayTime", Integer.toString((int) Math.min(65535, Math.round(interval * 100))));
        // our palette as the frame's own colour table, else the writer maps colours to a default one
        IndexColorModel cm = (IndexColorModel) image.getColorModel();
        IIOMetadataNode table = child(root, "LocalColorTable");
        table.setAttribute("sizeOfLocalColorTable", Integer.toString(cm.getMapSize()));
        table.setAttribute("sortFlag", "FALSE");
        for (int i = 0; i < cm.getMapSize(); i++) {
            IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
            entry.setAttribute("index", Integer.toString(i));
            entry.setAttribute("red", Integer.toString(cm.getRed(i)));
            entry.setAttribute("green", Integer.toString(cm.getGreen(i)));
            entry.setAttribute("blue", Integer.toString(cm.getBlue(i)));
            table.appendChild(entry);
        }
        if (first) {
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[]{1, 0, 0});
            child(root, "ApplicationExtensions").appendChild(app);
        }
        meta.setFromTree(format, root);
        return meta;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) return (IIOMetadataNode) root.item(i);
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
