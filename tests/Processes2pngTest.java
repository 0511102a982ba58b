import lib.picture.FramePicture;
import lib.picture.Hilbert;
import lib.proc.Iomem;
import lib.pages.KPageFlags;
import lib.pages.PageClass;
import lib.pages.PageMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Node;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** processes2png: the curve, the classifier, pictures of a synthetic /proc with known frames, and real runs. */
@NeedsRoot
class Processes2pngTest {
    static final long PAGE = 4096;
    static long bits(int... b) {
        long f = 0;
        for (int i : b) f |= 1L << i;
        return f;
    }

    // known frames of the synthetic /proc: RAM is PFN 0x1..0xf and 0x20..0x5f (a PCI hole between)
    static final long FREE = bits(KPageFlags.BUDDY);
    static final long ANON = bits(KPageFlags.ANON, KPageFlags.SWAPBACKED, KPageFlags.LRU, KPageFlags.MMAP, KPageFlags.UPTODATE);
    static final long FILE = bits(KPageFlags.LRU, KPageFlags.UPTODATE, KPageFlags.MMAP);
    static final long SHMEM = bits(KPageFlags.SWAPBACKED, KPageFlags.LRU, KPageFlags.UPTODATE, KPageFlags.DIRTY);
    static final Map<Long, Long> FLAGS = Map.ofEntries(
            Map.entry(0x1L, FREE), Map.entry(0x2L, ANON), Map.entry(0x3L, FILE), Map.entry(0x4L, SHMEM),
            Map.entry(0x5L, bits(KPageFlags.SLAB)), Map.entry(0x6L, bits(KPageFlags.PGTABLE)),
            Map.entry(0x7L, bits(KPageFlags.ANON, KPageFlags.SWAPBACKED, KPageFlags.LRU)),
            Map.entry(0x10L, FREE), // in the hole: never drawn
            Map.entry(0x20L, bits(KPageFlags.HUGE, KPageFlags.COMPOUND_HEAD)),
            Map.entry(0x21L, bits(KPageFlags.THP, KPageFlags.ANON, KPageFlags.COMPOUND_HEAD, KPageFlags.LRU)),
            Map.entry(0x22L, bits(PageClass.KPF_RESERVED)),
            Map.entry(0x5fL, bits(KPageFlags.LRU, KPageFlags.UPTODATE)));
    static final int SIDE = 16; // 15 + 64 = 79 frames -> 16x16

    Path dir;

    @BeforeEach
    void fixture() throws IOException {
        dir = Files.createTempDirectory("p2p-fixture");
        Path proc = Files.createDirectories(dir.resolve("proc"));
        Files.writeString(dir.resolve("metadata.json"), "{\"getconf\": {\"PAGESIZE\": \"4096\"}}");
        Files.writeString(proc.resolve("iomem"), String.join("\n",
                "00000000-00000fff : Reserved",
                "00001000-0000ffff : System RAM",
                "  00002000-00002fff : Kernel code",
                "00010000-0001ffff : PCI Bus 0000:00",
                "00020000-0005ffff : System RAM", ""));
        writeU64s(proc.resolve("kpageflags"), FLAGS);
        // pid 100 (GROUPX=a) maps anon 0x2 and the THP 0x21, and file 0x3; pid 101 (GROUPX=b) maps anon 0x2 and 0x7
        fakeProcess(proc, 100, "a", Map.of(0x400L, 0x2L, 0x401L, 0x21L, 0x500L, 0x3L));
        fakeProcess(proc, 101, "b", Map.of(0x400L, 0x2L, 0x401L, 0x7L));
    }

    @AfterEach
    void cleanup() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static void writeU64s(Path file, Map<Long, Long> byIndex) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (var e : byIndex.entrySet()) {
                ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, e.getValue());
                ch.write(b, e.getKey() * 8);
            }
        }
    }

    static void fakeProcess(Path proc, int pid, String group, Map<Long, Long> pfnByVpage) throws IOException {
        Path p = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(p.resolve("status"), "Name:\tfake\nPid:\t" + pid + "\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmSize:\t100 kB\n");
        Files.write(p.resolve("cmdline"), "fake\0".getBytes(StandardCharsets.UTF_8));
        Files.write(p.resolve("environ"), ("GROUPX=" + group + "\0").getBytes(StandardCharsets.UTF_8));
        Files.writeString(p.resolve("maps"), "00400000-00402000 rw-p 00000000 00:00 0 \n"
                + "00500000-00501000 r--p 00000000 08:01 42                         /usr/lib/fake.so\n");
        Map<Long, Long> entries = new java.util.HashMap<>();
        pfnByVpage.forEach((vpage, pfn) -> entries.put(vpage, PageMap.PRESENT | pfn));
        writeU64s(p.resolve("pagemap"), entries);
    }

    /** Curve position of a frame of the fixture: RAM ranges concatenated. */
    static long position(long pfn) {
        return pfn < 0x10 ? pfn - 1 : 15 + (pfn - 0x20);
    }

    static int rgbAt(BufferedImage img, long pfn) {
        long pt = Hilbert.point(SIDE, position(pfn));
        return img.getRGB(Hilbert.x(pt), Hilbert.y(pt)) & 0xffffff;
    }

    static Tool.Result run(String... args) {
        return Tool.run(processes2png.commandLine(), args);
    }

    /** The same with sizes in whole bytes (--bytes), for exact figures in the stdout table. */
    static Tool.Result runBytes(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = "--bytes";
        return run(all);
    }

    // ---- the curve ----

    @Test
    void hilbertCurveVisitsEveryPointOnceThroughNeighbours() {
        for (int side = 1; side <= 256; side <<= 1) {
            boolean[] seen = new boolean[side * side];
            long prev = -1;
            for (long d = 0; d < (long) side * side; d++) {
                long pt = Hilbert.point(side, d);
                int x = Hilbert.x(pt), y = Hilbert.y(pt);
                assertTrue(x >= 0 && y >= 0 && x < side && y < side, "inside the square");
                assertFalse(seen[y * side + x], "position " + d + " revisits " + x + "," + y);
                seen[y * side + x] = true;
                assertEquals(d, Hilbert.position(side, x, y), "position(point(d)) == d");
                if (prev >= 0) {
                    int dist = Math.abs(x - Hilbert.x(prev)) + Math.abs(y - Hilbert.y(prev));
                    assertEquals(1, dist, "positions " + (d - 1) + " and " + d + " are neighbours on side " + side);
                }
                prev = pt;
            }
        }
        assertEquals(0L, Hilbert.point(8, 0), "starts at the top left");
        assertEquals(16, Hilbert.sideFor(79));
        assertEquals(4096, Hilbert.sideFor(6_291_358));
        assertThrows(IllegalArgumentException.class, () -> Hilbert.point(12, 0));
    }

    // ---- the classifier ----

    @Test
    void pageClassFollowsKernelFlagSemantics() {
        assertEquals(PageClass.FREE, PageClass.of(FREE));
        assertEquals(PageClass.ANON, PageClass.of(ANON));
        assertEquals(PageClass.ANON, PageClass.of(ANON | bits(KPageFlags.KSM)), "KSM pages are anonymous");
        assertEquals(PageClass.SHMEM, PageClass.of(SHMEM), "swap-backed, not anonymous: tmpfs/SysV");
        assertEquals(PageClass.FILE, PageClass.of(FILE));
        assertEquals(PageClass.FILE, PageClass.of(bits(KPageFlags.UPTODATE, 34)), "page cache not on an LRU yet");
        assertEquals(PageClass.SLAB, PageClass.of(bits(KPageFlags.SLAB, KPageFlags.COMPOUND_TAIL)));
        assertEquals(PageClass.PGTABLE, PageClass.of(bits(KPageFlags.PGTABLE)));
        assertEquals(PageClass.HUGETLB, PageClass.of(bits(KPageFlags.HUGE, KPageFlags.COMPOUND_TAIL, KPageFlags.MMAP)));
        assertEquals(PageClass.THP, PageClass.of(bits(KPageFlags.THP, KPageFlags.ANON, KPageFlags.COMPOUND_HEAD)));
        assertEquals(PageClass.THP, PageClass.of(bits(KPageFlags.THP, KPageFlags.SWAPBACKED, KPageFlags.COMPOUND_TAIL)), "shmem THP");
        assertEquals(PageClass.FILE, PageClass.of(bits(KPageFlags.THP, KPageFlags.LRU, KPageFlags.UPTODATE, KPageFlags.COMPOUND_TAIL)),
                "a large folio of the page cache is a file page");
        assertEquals(PageClass.RESERVED, PageClass.of(bits(PageClass.KPF_RESERVED)));
        assertEquals(PageClass.RESERVED, PageClass.of(bits(KPageFlags.NOPAGE)));
        assertEquals(PageClass.KERNEL, PageClass.of(0));
        assertEquals(PageClass.KERNEL, PageClass.of(bits(KPageFlags.COMPOUND_HEAD)), "a kernel compound allocation");
        // real words read on a 6.18 kernel
        assertEquals(PageClass.ANON, PageClass.of(0x400005828L));
        assertEquals(PageClass.SHMEM, PageClass.of(0x4838L));
        assertEquals(PageClass.FILE, PageClass.of(0x40000006cL));
        assertEquals(PageClass.SLAB, PageClass.of(0x8080L));
    }

    @Test
    void layoutSkipsHolesAndCapsTheSide() {
        List<Iomem.Range> ram = Iomem.systemRam(Iomem.parse("00001000-0000ffff : System RAM\n00010000-0001ffff : PCI\n00020000-0005ffff : System RAM\n"));
        FramePicture.Layout l = FramePicture.Layout.of(ram, PAGE, 2048);
        assertEquals(79, l.frames());
        assertEquals(16, l.side());
        assertEquals(1, l.framesPerPixel());
        assertEquals(14, l.position(0xf));
        assertEquals(15, l.position(0x20));
        assertEquals(-1, l.position(0x10), "the hole has no position");
        FramePicture.Layout capped = FramePicture.Layout.of(ram, PAGE, 8);
        assertEquals(8, capped.side());
        assertEquals(2, capped.framesPerPixel(), "79 frames on 64 pixels");
        assertEquals(40, capped.pixels());
    }

    @Test
    void oneTebibyteFitsTheCappedSquare() {
        // 1 TiB of RAM above 4 GiB: 2^28 frames on 2048x2048 pixels = 64 frames a pixel, a 4 MiB image
        List<Iomem.Range> ram = Iomem.systemRam(Iomem.parse("100000000-100ffffffff : System RAM\n"));
        FramePicture.Layout l = FramePicture.Layout.of(ram, PAGE, 2048);
        assertEquals(1L << 28, l.frames());
        assertEquals(2048, l.side());
        assertEquals(64, l.framesPerPixel());
        assertEquals(2048L * 2048, l.pixels());
    }

    // ---- pictures of the synthetic /proc ----

    @Test
    void framesHaveTheirClassColourAtTheirHilbertPosition() throws IOException {
        Path out = dir.resolve("flags.png");
        Tool.Result r = run("--procfs-root", dir.toString(), "--filter", "pid(100)", "--no-legend", "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(SIDE, img.getWidth());
        assertEquals(SIDE, img.getHeight());
        // mapped by pid 100: bright; the rest dim (classes no process maps have one colour)
        assertEquals(PageClass.ANON.brightRgb, rgbAt(img, 0x2));
        assertEquals(PageClass.FILE.brightRgb, rgbAt(img, 0x3));
        assertEquals(PageClass.THP.brightRgb, rgbAt(img, 0x21));
        assertEquals(PageClass.ANON.dimRgb, rgbAt(img, 0x7), "pid 101 is filtered out");
        assertEquals(PageClass.SHMEM.dimRgb, rgbAt(img, 0x4));
        assertEquals(PageClass.FILE.dimRgb, rgbAt(img, 0x5f));
        assertEquals(PageClass.HUGETLB.dimRgb, rgbAt(img, 0x20));
        assertEquals(PageClass.FREE.brightRgb, rgbAt(img, 0x1));
        assertEquals(PageClass.SLAB.brightRgb, rgbAt(img, 0x5));
        assertEquals(PageClass.PGTABLE.brightRgb, rgbAt(img, 0x6));
        assertEquals(PageClass.RESERVED.brightRgb, rgbAt(img, 0x22));
        assertEquals(PageClass.KERNEL.brightRgb, rgbAt(img, 0x23), "no flags (a hole of the sparse file)");
        // past the last frame: background
        long after = Hilbert.point(SIDE, 79);
        assertEquals(0, img.getRGB(Hilbert.x(after), Hilbert.y(after)) & 0xffffff);
        // legend on stdout with the counts
        assertTrue(r.out().matches("(?s).*│ anonymous +│ #ff3b30 │ #661814 │ +8\\.00 KiB │ 2\\.5% +│ +4\\.00 KiB │.*"), r.out());
        Tool.Result bytes = runBytes("--procfs-root", dir.toString(), "--filter", "pid(100)", "--no-legend", "-o", dir.resolve("bytes.png").toString());
        assertTrue(bytes.out().matches("(?s).*│ anonymous +│ #ff3b30 │ #661814 │ +" + 2 * PAGE + " │ 2\\.5% +│ +" + PAGE + " │.*"), bytes.out());
        assertTrue(r.out().contains("image 16x16 with 1 frame per pixel"), r.out());
    }

    @Test
    void groupsHaveColoursAndSharedFramesTheSharedColour() throws IOException {
        Path out = dir.resolve("groups.png");
        Tool.Result r = runBytes("--procfs-root", dir.toString(), "--color", "groups", "-e", "GROUPX", "--no-legend", "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage img = ImageIO.read(out.toFile());
        // a maps 3 frames, b 2: a is first by mem_rss
        int a = lib.picture.Legends.GROUP_RGB[0], b = lib.picture.Legends.GROUP_RGB[1];
        assertEquals(0xffffff, rgbAt(img, 0x2), "mapped by both groups");
        assertEquals(a, rgbAt(img, 0x3));
        assertEquals(a, rgbAt(img, 0x21));
        assertEquals(b, rgbAt(img, 0x7));
        assertEquals(PageClass.FREE.brightRgb, rgbAt(img, 0x1));
        assertEquals(0x4a4a4a, rgbAt(img, 0x4), "used, in no group");
        // legend: mem_rss and mem_uss of each group (a: 3 frames, 2 its own; b: 2 frames, 1 its own)
        assertTrue(r.out().matches("(?s).*│ a +│ #ff3b30 │ +1 │ +" + 3 * PAGE + " │ +" + 2 * PAGE + " │.*"), r.out());
        assertTrue(r.out().matches("(?s).*│ \\(shared by groups\\) +│ #ffffff .*│ " + PAGE + " +│.*"), r.out());
    }

    @Test
    void legendPanelWidensTheImage() throws IOException {
        Path out = dir.resolve("legend.png");
        Tool.Result r = run("--procfs-root", dir.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(SIDE + FramePicture.LEGEND_WIDTH, img.getWidth());
        assertTrue(img.getHeight() > SIDE, "16 legend lines are taller than the square");
        assertEquals(PageClass.ANON.brightRgb, rgbAt(img, 0x2), "the square is unchanged at the top left");
    }

    @Test
    void framesMakeALoopingGifWithTheIntervalAsDelay() throws IOException {
        Path out = dir.resolve("anim.gif");
        Tool.Result r = run("--procfs-root", dir.toString(), "--frames", "3", "--interval", "0.2", "--no-legend", "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(out.toFile())) {
            reader.setInput(in);
            assertEquals(3, reader.getNumImages(true));
            IIOMetadata meta = reader.getImageMetadata(0);
            Node root = meta.getAsTree("javax_imageio_gif_image_1.0");
            Node gce = find(root, "GraphicControlExtension");
            assertEquals("20", gce.getAttributes().getNamedItem("delayTime").getNodeValue());
            Node app = find(root, "ApplicationExtension");
            assertEquals("NETSCAPE", app.getAttributes().getNamedItem("applicationID").getNodeValue());
            BufferedImage frame = reader.read(2);
            assertEquals(PageClass.ANON.brightRgb, rgbAt(frame, 0x2));
        } finally {
            reader.dispose();
        }
    }

    static Node find(Node n, String name) {
        if (n.getNodeName().equals(name)) return n;
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            Node f = find(c, name);
            if (f != null) return f;
        }
        return null;
    }

    // ---- errors ----

    @Test
    void unwritableOutputIsOneLineAndNoFile() throws IOException {
        Tool.Result r = run("--procfs-root", dir.toString(), "-o", dir.resolve("no/such/dir/x.png").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("processes2png: cannot write"), r.err());

        // a failure after the temporary file exists leaves nothing behind
        Path flags = dir.resolve("proc/kpageflags");
        Files.delete(flags);
        Files.createDirectory(flags);
        Path outDir = Files.createDirectory(dir.resolve("out"));
        Tool.Result broken = run("--procfs-root", dir.toString(), "-o", outDir.resolve("x.png").toString());
        assertEquals(1, broken.exit(), broken.toString());
        assertEquals(1, broken.err().strip().lines().count(), broken.err());
        try (Stream<Path> left = Files.list(outDir)) {
            assertEquals(List.of(), left.toList(), "no half-written or temporary file");
        }
    }

    @Test
    void usageErrorsExit2() {
        for (String[] args : List.of(new String[]{"--color", "groups"}, new String[]{"-u"},
                new String[]{"--color", "groups", "-u", "-e", "X"}, new String[]{"--frames", "2", "-o", "x.png"},
                new String[]{"--filter", "uid(x)"}, new String[]{"--max-side", "0"}, new String[]{"--color", "pink"},
                // nested 3,000 deep: 1,025 lines of StackOverflowError before the parser had a depth limit
                new String[]{"--filter", FilterTest.nested(3000)}, new String[]{"--color", "groups", "-c", FilterTest.nested(3000)},
                new String[]{"--threads", "0"}, new String[]{"--color", "groups", "-p", "0"}, new String[]{"--color", "groups", "-p", "-5"})) {
            List<String> all = new ArrayList<>(List.of("--procfs-root", dir.toString()));
            all.addAll(List.of(args));
            Tool.Result r = run(all.toArray(String[]::new));
            String shown = (String.join(" ", args) + ": " + r).substring(0, Math.min(3000, (String.join(" ", args) + ": " + r).length()));
            assertEquals(2, r.exit(), shown);
            assertEquals(1, r.err().strip().lines().count(), shown);
            assertFalse(r.err().contains("Exception") || r.err().contains("Error"), shown);
        }
    }

    /** The classpath of this JVM copied where any user can read it (root's caches are private). */
    static String publicClasspath(Path into) throws IOException {
        List<String> parts = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.isRegularFile(src)) continue;
            Path dst = into.resolve((i++) + "-" + src.getFileName());
            Files.copy(src, dst);
            dst.toFile().setReadable(true, false);
            parts.add(dst.toString());
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Tool.Result subprocess(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path outFile = Files.createTempFile("p2p-out", ".txt"), errFile = Files.createTempFile("p2p-err", ".txt");
        try {
            Process p = pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("timed out: " + cmd);
            }
            return new Tool.Result(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
        } finally {
            Files.deleteIfExists(outFile);
            Files.deleteIfExists(errFile);
        }
    }

    @Test
    void notRootOnLiveProcIsOneLineExit1() throws Exception {
        Path cp = Files.createDirectories(dir.resolve("cp"));
        dir.toFile().setExecutable(true, false);
        cp.toFile().setExecutable(true, false);
        Path out = Files.createDirectories(dir.resolve("public"));
        out.toFile().setWritable(true, false);
        out.toFile().setExecutable(true, false);
        Tool.Result r = subprocess(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", java(),
                "-Djava.awt.headless=true", "-cp", publicClasspath(cp), "processes2png", "-o", out.resolve("x.png").toString()), Map.of());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("needs root"), r.err());
        assertFalse(Files.exists(out.resolve("x.png")));
    }

    @Test
    void withoutFontsThePictureIsWrittenAndTheLegendPrinted() throws Exception {
        // a fontconfig that knows no font and a home without the JDK's font cache: what a minimal box has
        Path conf = dir.resolve("fonts.conf");
        Files.writeString(conf, "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig></fontconfig>");
        Path home = Files.createDirectories(dir.resolve("home"));
        Path out = dir.resolve("nofonts.png");
        Tool.Result r = subprocess(List.of(java(), "-Djava.awt.headless=true", "-Duser.home=" + home,
                "-cp", System.getProperty("java.class.path"), "processes2png", "--procfs-root", dir.toString(),
                "-o", out.toString()), Map.of("FONTCONFIG_FILE", conf.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("cannot draw text"), r.err());
        assertTrue(r.out().contains("│ anonymous "), r.out());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(SIDE, img.getWidth(), "no legend panel");
        assertEquals(PageClass.ANON.brightRgb, rgbAt(img, 0x2));
    }

    // ---- real runs on this machine ----

    @Test
    void realScriptWritesAPngOfTheExpectedSize() throws Exception {
        long frames = 0;
        for (Iomem.Range r : Iomem.systemRam(Iomem.parse(Files.readString(Path.of("/proc/iomem"))))) {
            frames += r.endPfn(PAGE) - r.firstPfn(PAGE);
        }
        int side = (int) Math.min(256, Hilbert.sideFor(frames));
        Path out = dir.resolve("real.png");
        Tool.Result r = subprocess(List.of(Native.repoRoot().resolve("jbang").toString(),
                Native.repoRoot().resolve("processes2png.java").toString(), "--max-side", "256", "-o", out.toString()), Map.of());
        assertEquals(0, r.exit(), r.toString());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(side + FramePicture.LEGEND_WIDTH, img.getWidth());
        assertEquals(side, img.getHeight(), "the legend fits beside a 256 square");
        assertTrue(r.out().contains("image " + side + "x" + side), r.out());
        assertTrue(r.out().contains("│ page cache / file "), r.out());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "the temporary file was renamed");
        }
    }

    /** The "mapped" column of a class row of the stdout legend, in bytes. */
    static long mappedBytes(String out, String label) {
        Matcher m = Pattern.compile("│ " + Pattern.quote(label) + " +│[^│]+│[^│]+│[^│]+│[^│]+│ +([0-9]+) │").matcher(out);
        assertTrue(m.find(), label + " row in " + out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void sysvSegmentFramesAreMappedShmemAndBelongToTheAttachingGroup() throws Exception {
        int key = ShmatTest.freshKey();
        try (Workload w = Workload.start(Map.of(), String.format("shmget:0x%x:16:-", key), String.format("shmat:0x%x:8", key))) {
            // memstats leaves SysV mappings out of a process's frames: the picture reads each segment once
            Tool.Result r = runBytes("--filter", "pid(" + w.pid() + ")", "--max-side", "256", "--no-legend", "-o", dir.resolve("shm.png").toString());
            assertEquals(0, r.exit(), r.toString());
            long shm = mappedBytes(r.out(), "shmem / SysV");
            assertTrue(shm >= 8 * Tool.MiB && shm <= 9 * Tool.MiB, "the 8 MiB touched of the segment, not " + shm);

            Tool.Result g = runBytes("--filter", "pid(" + w.pid() + ")", "--color", "groups", "-p", Integer.toString(w.pid()),
                    "--max-side", "256", "--no-legend", "-o", dir.resolve("shmg.png").toString());
            assertEquals(0, g.exit(), g.toString());
            Matcher m = Pattern.compile("│ " + w.pid() + " +│ #ff3b30 │ +1 │ +[0-9]+ │ +[0-9]+ │ +([0-9]+) │ ([0-9]+) +│").matcher(g.out());
            assertTrue(m.find(), g.out());
            assertEquals(8 * Tool.MiB, Long.parseLong(m.group(1)), "shm_mem: the segment's resident 8 MiB");
            assertTrue(Long.parseLong(m.group(2)) >= 8 * Tool.MiB, "the group's own frames hold the segment: " + g.out());
        } finally {
            lib.proc.SysvShm.Segment seg = ShmatTest.segmentByKey(key);
            if (seg != null) ShmatTest.remove(seg.shmid());
        }
    }

    @Test
    void aProcessWithKnownAnonMemoryMakesThatManyBrightAnonFrames() throws Exception {
        long mib = 256, pages = mib * 1024 * 1024 / PAGE;
        try (Workload w = Workload.start(Map.of(), "anon:" + mib)) {
            Path out = dir.resolve("anon.png");
            // 4096 pixels a side hold every frame of this machine's 24 GiB: one frame per pixel
            Tool.Result r = runBytes("--filter", "pid(" + w.pid() + ")", "--max-side", "4096", "--no-legend", "-o", out.toString());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("with 1 frame per pixel"), "needs one frame per pixel: " + r.out());
            long mappedBytes = mappedBytes(r.out(), "anonymous");
            assertTrue(mappedBytes >= mib * Tool.MiB, "mapped anonymous " + mappedBytes + " < " + mib + " MiB");
            assertTrue(mappedBytes <= (mib + 3) * Tool.MiB, "mapped anonymous " + mappedBytes + ": more than memload holds");

            BufferedImage img = ImageIO.read(out.toFile());
            IndexColorModel cm = (IndexColorModel) img.getColorModel();
            int brightAnon = -1;
            for (int i = 0; i < cm.getMapSize(); i++) if ((cm.getRGB(i) & 0xffffff) == PageClass.ANON.brightRgb) brightAnon = i;
            assertTrue(brightAnon >= 0, "bright anon is in the palette");
            long count = 0;
            for (byte b : ((DataBufferByte) img.getRaster().getDataBuffer()).getData()) if ((b & 0xff) == brightAnon) count++;
            assertTrue(count >= pages, count + " bright anonymous pixels, memload holds " + pages + " pages");
            assertTrue(count <= pages + 3 * 256, count + " bright anonymous pixels: more than memload holds");
        }
    }

    // ---- output safety ----

    static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + log);
    }

    static boolean isOther(Path p) throws IOException {
        return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
    }

    /** -o /dev/null renamed the PNG over the device: a target that is not a regular file is refused. */
    @Test
    void aTargetThatIsNoRegularFileIsRefused() throws Exception {
        Path devices = Files.createDirectory(dir.resolve("devices"));
        Path nul = devices.resolve("null"), fifo = devices.resolve("fifo"), link = devices.resolve("link.png");
        exec("mknod", nul.toString(), "c", "1", "3"); // /dev/null's numbers, in our own folder
        exec("mkfifo", fifo.toString());
        Files.createSymbolicLink(link, nul);
        for (Path target : List.of(nul, fifo, link)) {
            Tool.Result r = run("--procfs-root", dir.toString(), "-o", target.toString());
            assertEquals(2, r.exit(), target + ": " + r);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("is not a regular file"), r.err());
            assertEquals("", r.out());
        }
        assertTrue(isOther(nul) && isOther(fifo), "still a device and a pipe");
        assertTrue(Files.isSymbolicLink(link));
        try (Stream<Path> left = Files.list(devices)) {
            assertEquals(3, left.count(), "no temporary file left");
        }
        // a regular file is replaced as before
        Path png = dir.resolve("old.png");
        Files.writeString(png, "old");
        assertEquals(0, run("--procfs-root", dir.toString(), "-o", png.toString()).exit());
        assertNotNull(ImageIO.read(png.toFile()));
    }

    /** -o - writes the image to stdout (the legend goes to stderr): also how a device is written on purpose. */
    @Test
    void dashWritesTheImageToStdout() throws Exception {
        for (String frames : List.of("1", "2")) {
            Path outFile = dir.resolve("stdout-" + frames), errFile = dir.resolve("stderr-" + frames);
            Process p = new ProcessBuilder(java(), "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), "processes2png",
                    "--procfs-root", dir.toString(), "--frames", frames, "--interval", "0.1", "-o", "-")
                    .redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String err = Files.readString(errFile);
            assertEquals(0, p.exitValue(), err);
            byte[] image = Files.readAllBytes(outFile);
            String magic = new String(image, 0, 4, StandardCharsets.ISO_8859_1);
            assertEquals(frames.equals("1") ? "\u0089PNG" : "GIF8", magic);
            BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(image));
            assertEquals(SIDE + FramePicture.LEGEND_WIDTH, img.getWidth());
            assertEquals(PageClass.ANON.brightRgb, rgbAt(img, 0x2));
            assertTrue(err.contains("│ anonymous "), "the legend on stderr: " + err);
            assertTrue(err.contains("Wrote the image to stdout"), err);
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file");
            }
        }
    }

    /** -o - on a terminal (script gives the JVM one) is refused: image bytes would reach it. */
    @Test
    void dashOnATerminalIsRefused() throws Exception {
        String cmd = String.join(" ", java(), "-Djava.awt.headless=true", "-cp", "'" + System.getProperty("java.class.path") + "'",
                "processes2png", "--procfs-root", dir.toString(), "-o", "-");
        Path log = dir.resolve("typescript");
        Process p = new ProcessBuilder("script", "-qec", cmd, log.toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("processes2png: -o - writes the image's bytes: send stdout to a file or a pipe, not a terminal"), out);
        assertFalse(out.contains("PNG"), out);
    }

    /** The legend (and with -o -, the image) lost on a full disk was a silent exit 0. */
    @Test
    void lostOutputIsExit1AndOneLine() throws Exception {
        Path png = dir.resolve("full.png");
        Tool.assertOutputLost("processes2png", Tool.toDevFull("processes2png", "--procfs-root", dir.toString(), "-o", png.toString()), false);
        assertNotNull(ImageIO.read(png.toFile()), "the image itself was written");
        Tool.assertOutputLost("processes2png", Tool.toDevFull("processes2png", "--procfs-root", dir.toString(), "-o", "-"), false);
    }

    /** -t 1000 took 1.8 GB (a chunk of buffers per thread): capped as memstats caps it. */
    @Test
    void threadsAreCappedAtFourPerCore() {
        int max = 4 * Runtime.getRuntime().availableProcessors();
        Tool.Result r = run("--procfs-root", dir.toString(), "--threads", "1000", "-o", dir.resolve("t.png").toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("processes2png: --threads 1000 is more than " + max + " (4 per core): using " + max), r.err());
    }

    /**
     * 19 frames in a 4x4 square are 2 a pixel, 10 pixels used: 8 threads take 2 pixels each, so 3 stretches
     * start past the last frame, and the start cut to 19 (odd) was "a painter starts on a pixel boundary"
     * (as -t 1000 was on a live machine). Needs 8 threads, i.e. 2 cores or more (the cap is 4 per core).
     */
    @Test
    void stretchesPastTheLastFrameAreEmpty() throws IOException {
        Files.writeString(dir.resolve("proc/iomem"), "00001000-00013fff : System RAM\n");
        Path out = dir.resolve("tail.png");
        Tool.Result r = run("--procfs-root", dir.toString(), "--max-side", "4", "--threads", "8", "--no-legend", "-o", out.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(4, ImageIO.read(out.toFile()).getWidth());
        assertTrue(r.out().contains("19 frames of 4 KiB, image 4x4 with 2 frames per pixel"), r.out());
    }

    /** Ctrl-C or SIGTERM during a GIF capture left .NAME.PID.HEX.tmp behind. */
    @Test
    void aSignalDuringACaptureLeavesNoFile() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path outDir = Files.createDirectory(dir.resolve("capture-" + signal));
            // env resets the signals to their default: a test run started in the background inherits SIGINT ignored
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM", java(), "-Djava.awt.headless=true", "-cp",
                    System.getProperty("java.class.path"), "processes2png", "--procfs-root", dir.toString(),
                    "--frames", "1000", "--interval", "0.1", "-o", outDir.resolve("x.gif").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                // the capture is under way when its temporary file holds a frame
                long deadline = System.currentTimeMillis() + 120_000;
                Path tmp = null;
                while (tmp == null && System.currentTimeMillis() < deadline && p.isAlive()) {
                    try (Stream<Path> files = Files.list(outDir)) {
                        tmp = files.filter(f -> f.getFileName().toString().matches("\\.x\\.gif\\.\\d+\\.[0-9a-f]+\\.tmp")).findFirst().orElse(null);
                    }
                    if (tmp != null && Files.size(tmp) < 100) tmp = null;
                    Thread.sleep(50);
                }
                assertNotNull(tmp, "a capture in progress");
                exec("kill", "-" + signal, Long.toString(p.pid()));
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "ended on SIG" + signal);
                assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue());
                try (Stream<Path> left = Files.list(outDir)) {
                    assertEquals(List.of(), left.toList(), "SIG" + signal + ": no temporary and no half-written file");
                }
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
