import lib.proc.ProcFs;
import lib.snapshot.TarWriter;
import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Snapshots that are corrupt or crafted: a flipped bit, a missing gzip trailer, a 512 MiB environ in
 * a small archive, metadata nested 50,000 deep, impossible sparse maps, links out of an extracted
 * snapshot, an unreadable file. Each ends in one line and exit 1 (or an unreadable process), never a
 * trace, in bounded memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NeedsRoot
class SnapHostileTest {
    Path dir, small;
    Workload w;
    Tool.Result baseline;
    static final String SECRET = "hostile-secret-" + ProcessHandle.current().pid() + "-line";

    @BeforeAll
    void capture() throws IOException {
        dir = Files.createTempDirectory("snaphostile");
        w = Workload.start(Map.of(), "anon:4");
        small = dir.resolve("small.tar.gz");
        writeSnapshot(small, "small", w.pid());
        baseline = Tool.memstats("--procfs-root", small.toString(), "single", "--format", "json");
    }

    @AfterAll
    void cleanUp() throws IOException {
        if (w != null) w.close();
        SnapTest.deleteTree(dir);
    }

    void writeSnapshot(Path archive, String top, int pid) throws IOException {
        SnapTest.writeSnapshotOf(archive, top, null, List.of(pid));
    }

    static void assertOneLine(Tool.Result r, String expected) {
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().contains(expected), r.toString());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.toString());
    }

    @Test
    void theSmallSnapshotAnalyses() {
        assertEquals(0, baseline.exit(), baseline.toString());
        assertEquals(1L, ((Map<?, ?>) baseline.json().get("scan")).get("scanned"), baseline.out());
    }

    /** Single bit flips inside the deflate data: CRC-32 catches every one, or the bit was unused and nothing changed. */
    @Test
    void flippedBitsAreRejectedOrChangeNothing() throws IOException {
        byte[] good = Files.readAllBytes(small);
        Path bad = dir.resolve("flipped.tar.gz");
        int rejected = 0, positions = 40;
        for (int k = 0; k < positions; k++) {
            // spread over the deflate data: past the 10-byte header, before the 8-byte trailer
            int at = 10 + (int) ((long) (good.length - 18) * k / positions) + k % 7;
            byte[] copy = good.clone();
            copy[at] ^= (byte) (1 << (k % 8));
            Files.write(bad, copy);
            Tool.Result r = Tool.memstats("--procfs-root", bad.toString(), "single", "--format", "json");
            if (r.exit() == 0) {
                assertEquals(SnapTest.withoutTimes(baseline), SnapTest.withoutTimes(r), "byte " + at + " flipped, accepted with another result");
            } else {
                assertOneLine(r, bad.toString());
                rejected++;
            }
        }
        assertTrue(rejected >= positions - 2, rejected + " of " + positions + " flips rejected");
    }

    @Test
    void missingGzipTrailerIsCutShort() throws IOException {
        byte[] good = Files.readAllBytes(small);
        Path cut = dir.resolve("notrailer.tar.gz");
        Files.write(cut, Arrays.copyOf(good, good.length - 8));
        assertOneLine(Tool.memstats("--procfs-root", cut.toString(), "single"), "is cut short");
        Files.write(cut, Arrays.copyOf(good, good.length - 4));
        assertOneLine(Tool.memstats("--procfs-root", cut.toString(), "single"), "is cut short");
    }

    /** After the gzip data: another member or zero padding is fine, anything else is not. */
    @Test
    void whatFollowsTheGzipDataIsChecked() throws IOException {
        byte[] good = Files.readAllBytes(small);
        ByteArrayOutputStream member = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(member)) {
            gz.write(new byte[10240]);
        }
        Path p = dir.resolve("after.tar.gz");
        Files.write(p, concat(good, member.toByteArray()));
        Tool.Result r = Tool.memstats("--procfs-root", p.toString(), "single", "--format", "json");
        assertEquals(SnapTest.withoutTimes(baseline), SnapTest.withoutTimes(r), "a second member (cat a.gz b.gz)");
        Files.write(p, concat(good, new byte[4096]));
        r = Tool.memstats("--procfs-root", p.toString(), "single", "--format", "json");
        assertEquals(SnapTest.withoutTimes(baseline), SnapTest.withoutTimes(r), "zero padding");
        Files.write(p, concat(good, "garbage".getBytes(StandardCharsets.US_ASCII)));
        assertOneLine(Tool.memstats("--procfs-root", p.toString(), "single"), "is corrupt");
        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 6] ^= 1;
        Files.write(p, badCrc);
        assertOneLine(Tool.memstats("--procfs-root", p.toString(), "single"), "CRC-32 mismatch");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** A small archive holding one 512 MiB environ (GNU tar of a sparse file: zeros): refused from its header, under a 64 MiB heap. */
    @Test
    void hugeEnvironIsRefusedInBoundedMemory() throws Exception {
        Path t = Files.createDirectories(dir.resolve("huge/t/proc/4242"));
        Files.writeString(t.resolve("status"), "Name:\tx\nPid:\t4242\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmSize:\t4 kB\n");
        Files.writeString(t.resolve("cmdline"), "x\0");
        Files.writeString(t.resolve("../meminfo"), "MemTotal: 1024 kB\n");
        Files.writeString(t.resolve("../../metadata.json"), "{\"page_size\": 4096}");
        try (var f = new java.io.RandomAccessFile(t.resolve("environ").toFile(), "rw")) {
            f.setLength(512L << 20);
        }
        Path archive = dir.resolve("huge.tar.gz");
        SnapTest.run("bash", "-c", "tar -cf - -C " + dir.resolve("huge") + " t | gzip > " + archive);
        assertTrue(Files.size(archive) < 1 << 20, "small on disk: " + Files.size(archive));
        Tool.Result r = runSmallHeap("memstats", "--procfs-root", archive.toString(), "single");
        assertOneLine(r, "proc/4242/environ holds 512 MiB, more than the kernel file can");
        // extracted: the same limit, from the file's size; an environment that cannot be read is an empty one (as live)
        Tool.Result d = runSmallHeap("memstats", "--procfs-root", dir.resolve("huge/t").toString(), "single", "--format", "json");
        assertEquals(0, d.exit(), d.toString());
        assertFalse(d.err().contains("Error") || d.err().contains("Exception"), d.toString());
        assertEquals(1L, ((Map<?, ?>) d.json().get("scan")).get("unreadable"), "no maps: " + d.out());
    }

    /** metadata.json nested 50,000 deep: a one-line error naming it, not a StackOverflowError. */
    @Test
    void deeplyNestedMetadataIsOneLine() throws Exception {
        Path t = Files.createDirectories(dir.resolve("deep/t/proc"));
        Files.writeString(t.resolve("meminfo"), "MemTotal: 1024 kB\n");
        Files.writeString(t.resolve("../metadata.json"), "[".repeat(50_000) + "]".repeat(50_000));
        Path archive = dir.resolve("deep.tar.gz");
        SnapTest.run("tar", "-czf", archive.toString(), "-C", dir.resolve("deep").toString(), "t");
        assertOneLine(Tool.memstats("--procfs-root", archive.toString(), "single"), "metadata.json: invalid JSON: nested deeper than 256");
        assertOneLine(Tool.memstats("--procfs-root", dir.resolve("deep/t").toString(), "single"), "metadata.json: invalid JSON: nested deeper than 256");
        assertOneLine(Tool.run(procinfo.commandLine(), "--procfs-root", archive.toString(), "1"), "nested deeper than 256");
    }

    /** GNU sparse 1.0 maps that describe no file (written by hand: TarWriter writes only sound ones). */
    @ParameterizedTest
    @ValueSource(strings = {
            "2\n4096\n512\n0\n512\n|8192|corrupt sparse map",                // regions out of order
            "1\n0\n512\n|256|corrupt sparse map",                            // a region past the end of the file
            "1\n0\n9223372036854775807\n|8192|corrupt GNU sparse 1.0 map",   // a length that overflows
            "99999999999\n|8192|GNU sparse 1.0 map of 99999999999 regions",  // a count that would fill memory
            "1\n\n512\n|8192|corrupt GNU sparse 1.0 map",                     // an empty number
    })
    void craftedSparseMapsAreOneLine(String spec) throws IOException {
        String[] s = spec.split("\\|");
        Path archive = dir.resolve("sparse.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            RawTar tar = new RawTar(out);
            tar.file("t/proc/meminfo", "MemTotal: 1024 kB\n".getBytes(StandardCharsets.US_ASCII));
            byte[] map = s[0].getBytes(StandardCharsets.US_ASCII);
            byte[] data = Arrays.copyOf(map, 512 + 1024);
            Arrays.fill(data, 512, data.length, (byte) 1);
            tar.pax(Map.of("GNU.sparse.major", "1", "GNU.sparse.minor", "0", "GNU.sparse.name", "t/proc/kpageflags",
                    "GNU.sparse.realsize", s[1]));
            tar.entry("t/proc/GNUSparseFile.0/kpageflags", '0', data);
            tar.end();
        }
        assertOneLine(Tool.memstats("--procfs-root", archive.toString(), "single"), s[2]);
    }

    /** An old GNU sparse header ('S') whose region starts at -512 (base-256): before, an array index out of range. */
    @Test
    void oldGnuSparseNegativeOffsetIsOneLine() throws IOException {
        Path archive = dir.resolve("negative.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            RawTar tar = new RawTar(out);
            tar.file("t/proc/meminfo", "MemTotal: 1024 kB\n".getBytes(StandardCharsets.US_ASCII));
            byte[] h = RawTar.header("t/proc/kpageflags", 'S', 512);
            Arrays.fill(h, 386, 397, (byte) 0xff); // the first region's offset in base-256: ff..ff00 is -256
            h[397] = 0;
            RawTar.octal(h, 398, 12, 512);
            RawTar.octal(h, 483, 12, 1024);
            RawTar.checksum(h);
            out.write(h);
            byte[] data = new byte[512];
            Arrays.fill(data, (byte) 1);
            out.write(data);
            tar.end();
        }
        assertOneLine(Tool.memstats("--procfs-root", archive.toString(), "single"), "corrupt sparse map for t/proc/kpageflags (region -256+512");
    }

    /** Tar headers with impossible numbers: a base-256 negative size, an extended header of 1 GiB. */
    @Test
    void craftedHeadersAreOneLine() throws IOException {
        Path archive = dir.resolve("header.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            byte[] h = RawTar.header("t/proc/meminfo", '0', 0);
            Arrays.fill(h, 124, 136, (byte) 0xff); // base-256: -1
            RawTar.checksum(h);
            out.write(h);
            out.write(new byte[1024]);
        }
        assertOneLine(Tool.memstats("--procfs-root", archive.toString(), "single"), "corrupt tar header");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
            out.write(RawTar.header("t/proc/PaxHeaders/x", 'x', 1L << 30));
            out.write(new byte[1024]);
        }
        assertOneLine(Tool.memstats("--procfs-root", archive.toString(), "single"), "tar extended header of 1073741824 bytes");
    }

    /** Extracted and planted: maps a link to a root-only file, status a FIFO. Never followed, never opened; the process is unreadable. */
    @Test
    void linksOutOfAnExtractedSnapshotAreNotFollowed() throws Exception {
        Path x = Files.createDirectories(dir.resolve("links"));
        SnapTest.run("tar", "-xzf", small.toString(), "-C", x.toString());
        Path secret = dir.resolve("shadow");
        Files.writeString(secret, SECRET + ":$6$salt$hash:19000:0:99999:7:::\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path maps = x.resolve("small/proc/" + w.pid() + "/maps");
        Files.delete(maps);
        Files.createSymbolicLink(maps, secret);
        Tool.Result r = Tool.memstats("--procfs-root", x.resolve("small").toString(), "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.out().contains(SECRET) || r.err().contains(SECRET), r.toString());
        assertEquals(1L, ((Map<?, ?>) r.json().get("scan")).get("unreadable"), r.out());
        Tool.Result p = Tool.run(procinfo.commandLine(), "--procfs-root", x.resolve("small").toString(), Integer.toString(w.pid()));
        assertFalse(p.out().contains(SECRET) || p.err().contains(SECRET), p.toString());
        assertNotEquals(0, p.exit(), p.toString());

        // a link in the middle of the path: the process directory itself pointing at the live one
        Path pidDir = x.resolve("small/proc/" + w.pid());
        SnapTest.deleteTree(pidDir);
        Files.createSymbolicLink(pidDir, Path.of("/proc/" + w.pid()));
        try (ProcFs fs = ProcRoot.open(x.resolve("small").toString())) {
            assertFalse(fs.pids().contains(w.pid()), "a linked process directory is not a process of the snapshot");
            assertThrows(java.nio.file.AccessDeniedException.class, () -> fs.read(w.pid() + "/status"));
        }
    }

    /** One file that cannot be read (a directory in place of status, unreadable maps as nobody) makes its process unreadable, not the run fail. */
    @Test
    void anUnreadableFileMakesOneProcessUnreadable() throws Exception {
        Path x = Files.createDirectories(dir.resolve("unreadable"));
        SnapTest.run("tar", "-xzf", small.toString(), "-C", x.toString());
        Path status = x.resolve("small/proc/" + w.pid() + "/status");
        Files.move(status, x.resolve("status.saved"));
        Files.createDirectory(status);
        Tool.Result r = Tool.memstats("--procfs-root", x.resolve("small").toString(), "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1L, ((Map<?, ?>) r.json().get("scan")).get("unreadable"), r.out());
        Files.delete(status);
        Files.move(x.resolve("status.saved"), status);

        // as nobody, with the extracted tree readable to all but this process's maps
        x.toFile().setExecutable(true, false);
        SnapTest.run("chmod", "-R", "a+rX", x.toString());
        dir.toFile().setExecutable(true, false);
        Files.setPosixFilePermissions(x.resolve("small/proc/" + w.pid() + "/maps"), PosixFilePermissions.fromString("rw-------"));
        Tool.Result n = Tool.runAsNobody("memstats", "--procfs-root", x.resolve("small").toString(), "single", "--format", "json");
        assertEquals(0, n.exit(), n.toString());
        assertEquals(1L, ((Map<?, ?>) n.json().get("scan")).get("unreadable"), n.out());
    }

    /** A tool's main class in a JVM of its own with a 64 MiB heap: an OutOfMemoryError would be a trace and exit 1 too, so stderr is checked. */
    static Tool.Result runSmallHeap(String mainClass, String... args) throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(new File("/tmp")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(mainClass + " did not finish");
        }
        return new Tool.Result(p.exitValue(), out, err);
    }

    /** Hand-made tar entries, for archives TarWriter refuses to write. */
    static final class RawTar {
        private final OutputStream out;

        RawTar(OutputStream out) {
            this.out = out;
        }

        static byte[] header(String name, char type, long size) {
            byte[] h = new byte[512];
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(n, 0, h, 0, n.length);
            octal(h, 100, 8, 0644);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, size);
            octal(h, 136, 12, 0);
            h[156] = (byte) type;
            System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
            checksum(h);
            return h;
        }

        static void octal(byte[] h, int off, int len, long v) {
            String s = String.format("%0" + (len - 1) + "o", v);
            System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        }

        static void checksum(byte[] h) {
            Arrays.fill(h, 148, 156, (byte) ' ');
            long sum = 0;
            for (byte b : h) sum += b & 0xff;
            octal(h, 148, 7, sum);
        }

        void entry(String name, char type, byte[] data) throws IOException {
            out.write(header(name, type, data.length));
            out.write(data);
            out.write(new byte[(512 - data.length % 512) % 512]);
        }

        void file(String name, byte[] data) throws IOException {
            entry(name, '0', data);
        }

        void pax(Map<String, String> records) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, String> e : records.entrySet()) {
                String body = " " + e.getKey() + "=" + e.getValue() + "\n";
                int len = body.length();
                while (Integer.toString(len).length() + body.length() != len) len = Integer.toString(len).length() + body.length();
                sb.append(len).append(body);
            }
            entry("PaxHeaders/x", 'x', sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        void end() throws IOException {
            out.write(new byte[1024]);
        }
    }
}
