import lib.proc.Getconf;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.snapshot.SparseRegions;
import lib.snapshot.TarReader;
import lib.snapshot.TarWriter;
import lib.snapshot.ProcRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The snapshot archive format: GNU tar's sparse formats read in place, ours read by GNU tar, snap.py's sample. */
class SnapArchiveTest {
    static final long MiB = Tool.MiB, GiB = 1024 * MiB;
    static final Path SAMPLE = Path.of("../shared/fixtures/snap-py-sample.tar.gz");

    static Path sample() {
        Path p = Native.repoRoot().resolve(SAMPLE).normalize();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(p), "no ../shared beside the clone: " + p + " is absent");
        return p;
    }

    /** GNU tar writes the sparse file in each of its formats (old GNU uses base-256 past 8 GiB); the archive is read in place. */
    @ParameterizedTest
    @ValueSource(strings = {"gnu", "posix:0.0", "posix:0.1", "posix:1.0"})
    void readsGnuTarSparseFormatsInPlace(String format) throws Exception {
        Path tmp = Files.createTempDirectory("snapfmt");
        try {
            Path proc = Files.createDirectories(tmp.resolve("t/proc"));
            Files.writeString(proc.resolve("meminfo"), "MemTotal: 1 kB\n");
            Files.writeString(tmp.resolve("t/metadata.json"), "{\"page_size\": 4096}");
            try (var f = new java.io.RandomAccessFile(proc.resolve("kpageflags").toFile(), "rw")) {
                f.setLength(20 * GiB);
                f.seek(4096);
                f.write("hello".getBytes(StandardCharsets.US_ASCII));
                f.seek(16 * GiB + 3);
                f.write("world".getBytes(StandardCharsets.US_ASCII));
            }
            String[] fv = format.split(":");
            List<String> cmd = new ArrayList<>(List.of("tar", "--sparse", "--format=" + fv[0]));
            if (fv.length > 1) cmd.add("--sparse-version=" + fv[1]);
            cmd.addAll(List.of("-czf", tmp.resolve("a.tar.gz").toString(), "-C", tmp.toString(), "t"));
            SnapTest.run(cmd.toArray(new String[0]));
            assertTrue(Files.size(tmp.resolve("a.tar.gz")) < MiB, "a sparse archive");
            try (ProcFs p = ProcRoot.open(tmp.resolve("a.tar.gz").toString());
                 ProcFs.PositionalFile kpf = p.open("kpageflags")) {
                assertEquals("MemTotal: 1 kB\n", p.readString("meminfo"));
                assertEquals("{\"page_size\": 4096}", p.metadataJson());
                assertEquals("hello", read(kpf, 4096, 5));
                assertEquals("world", read(kpf, 16 * GiB + 3, 5));
                assertEquals("\0\0\0\0", read(kpf, 8 * GiB, 4), "a hole reads as zeros");
                assertEquals(-1, kpf.read(ByteBuffer.allocate(8), 20 * GiB), "end of file");
                assertTrue(p.exists("kpageflags") && !p.exists("kpagecount"));
            }
        } finally {
            SnapTest.deleteTree(tmp);
        }
    }

    static String read(ProcFs.PositionalFile f, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (f.read(b, pos + b.position()) <= 0) break;
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
    }

    /** What TarWriter writes, GNU tar lists and extracts (sparse, long names, big ids), and TarReader reads back. */
    @Test
    void tarWriterOutputIsGnuTarsAndOurs() throws Exception {
        Path tmp = Files.createTempDirectory("snapwriter");
        try {
            String longDir = "d/" + "p".repeat(120);
            String veryLong = "d/" + "q".repeat(250) + "/file";
            String target = "/" + "t".repeat(150);
            byte[] region0 = new byte[512], region1 = new byte[1024];
            Arrays.fill(region0, (byte) 'a');
            Arrays.fill(region1, (byte) 'b');
            TarWriter.Owner root = new TarWriter.Owner(0, 0, "root", "root");
            try (OutputStream out = new FileOutputStream(tmp.resolve("w.tar").toFile()); TarWriter tar = new TarWriter(out)) {
                tar.directory("d", 0755, root, 1000);
                tar.file(longDir + "/f", 0644, root, 1000, "one".getBytes(StandardCharsets.US_ASCII), 0, 3);
                tar.file(veryLong, 0600, new TarWriter.Owner(3_000_000, 3_000_001, null, null), 1000, "two".getBytes(StandardCharsets.US_ASCII), 0, 3);
                tar.symlink("d/link", target, root, 1000);
                tar.sparseFile("d/sparse", 0400, root, 1000, 12 * GiB, new long[]{0, 10 * GiB}, new long[]{512, 1024}, 2,
                        (i, off, len, o) -> o.write(i == 0 ? region0 : region1));
                tar.finish();
            }
            assertEquals(0, Files.size(tmp.resolve("w.tar")) % 10240, "whole records");
            String listing = SnapTest.run("tar", "--numeric-owner", "-tvf", tmp.resolve("w.tar").toString());
            assertTrue(listing.contains(" " + longDir + "/f\n"), listing);
            assertTrue(listing.contains("3000000/3000001") && listing.contains(" " + veryLong + "\n"), listing);
            assertTrue(listing.contains("d/link -> " + target), listing);
            assertTrue(listing.matches("(?s).*-r-------- 0/0 +" + 12 * GiB + " .* d/sparse\n.*"), listing);

            Files.createDirectory(tmp.resolve("x"));
            SnapTest.run("tar", "-xf", tmp.resolve("w.tar").toString(), "-C", tmp.resolve("x").toString());
            Path sparse = tmp.resolve("x/d/sparse");
            assertEquals(12 * GiB, Files.size(sparse));
            assertTrue(SnapTest.du(sparse) < MiB, "extracted sparse");
            try (var f = new java.io.RandomAccessFile(sparse.toFile(), "r")) {
                byte[] got = new byte[1024];
                f.seek(10 * GiB);
                f.readFully(got);
                assertArrayEquals(region1, got);
                f.seek(0);
                f.readFully(got, 0, 513);
                assertEquals('a', got[511]);
                assertEquals(0, got[512]);
            }
            assertEquals("two", Files.readString(tmp.resolve("x/" + veryLong)));
            assertEquals(target, Files.readSymbolicLink(tmp.resolve("x/d/link")).toString());

            Map<String, TarReader.Entry> entries = new LinkedHashMap<>();
            try (FileInputStream in = new FileInputStream(tmp.resolve("w.tar").toFile())) {
                TarReader r = new TarReader(in);
                for (TarReader.Entry e; (e = r.next()) != null; ) {
                    entries.put(e.name(), e);
                    if (e.name().equals("d/sparse")) {
                        byte[] stored = new byte[1536];
                        r.readFully(stored, 0, stored.length);
                        assertEquals('a', stored[0]);
                        assertEquals('b', stored[1535]);
                    }
                }
            }
            assertEquals(List.of("d/", longDir + "/f", veryLong, "d/link", "d/sparse"), List.copyOf(entries.keySet()));
            TarReader.Entry s = entries.get("d/sparse");
            assertArrayEquals(new long[]{0, 10 * GiB, 12 * GiB}, s.sparseOffsets());
            assertArrayEquals(new long[]{512, 1024, 0}, s.sparseLengths());
            assertEquals(12 * GiB, s.size());
            assertEquals(3_000_000, entries.get(veryLong).uid());
            assertEquals(target, entries.get("d/link").linkName());
        } finally {
            SnapTest.deleteTree(tmp);
        }
    }

    /** A synthetic u64 file: what the regions hold is the same whether the data was kept or read twice. */
    @Test
    void sparseRegionsAreBlockAlignedAndTheSameKeptOrReadAgain() throws IOException {
        long size = 64 * MiB;
        Map<Long, Long> values = new LinkedHashMap<>();
        values.put(8L, 1L);              // one region [0, 512)
        values.put(1000L, 2L);           // close by: merged with it
        values.put(1_000_000L, 3L);      // far: a region of its own
        values.put(size - 8, 4L);        // the last entry: the region ends at the end of the file
        ProcFs.PositionalFile file = new ProcFs.PositionalFile() {
            @Override
            public int read(ByteBuffer dst, long pos) {
                int n = 0;
                while (dst.hasRemaining() && pos + n < size) {
                    long at = pos + n;
                    dst.put((byte) (values.getOrDefault(at - at % 8, 0L) >>> (8 * (at % 8))));
                    n++;
                }
                return n == 0 ? -1 : n;
            }

            @Override
            public void close() {
            }
        };
        SparseRegions.Scanner scanner = new SparseRegions.Scanner(1 << 16);
        SparseRegions kept = scanner.scan(file, new long[]{0}, new long[]{size}, 1, size, 1 << 20);
        byte[] fromKept = regionBytes(kept, file);
        SparseRegions reread = new SparseRegions.Scanner(1 << 16).scan(file, new long[]{0}, new long[]{size}, 1, size, 16);
        assertTrue(kept.dataKept());
        assertFalse(reread.dataKept());
        assertArrayEquals(kept.offsets(), reread.offsets());
        assertArrayEquals(fromKept, regionBytes(reread, file));
        assertArrayEquals(new long[]{0, 1_000_000 - 1_000_000 % 512, size - 512}, kept.offsets());
        assertArrayEquals(new long[]{1024, 512, 512}, kept.lengths());
        assertEquals(2, fromKept[1000]);
        assertEquals(4, fromKept[2048 - 8]);
    }

    static byte[] regionBytes(SparseRegions r, ProcFs.PositionalFile file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter.RegionSource src = r.source(file, ByteBuffer.allocateDirect(1 << 16));
        for (int i = 0; i < r.count(); i++) src.write(i, r.offsets()[i], r.lengths()[i], out);
        return out.toByteArray();
    }

    /**
     * The original snap.py's archive (old GNU sparse entries): groups by MEMLAB_GROUP with what the
     * workload made. A: 5 processes sharing 64 MiB copy-on-write; A and B map one 32 MiB file; C
     * attaches one 128 MiB segment.
     */
    @Test
    @SuppressWarnings("unchecked")
    void snapPySampleAnalysesWithPlausibleGroups() throws IOException {
        String path = sample().toString();
        Tool.Result r = Tool.memstats("--procfs-root", path, "groups", "-e", "MEMLAB_GROUP", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Map<String, Object>> g = Tool.groups(r, "environment variable MEMLAB_GROUP");
        assertEquals(5, Tool.num(g.get("A"), "procs"));
        assertEquals(3, Tool.num(g.get("B"), "procs"));
        assertEquals(3, Tool.num(g.get("C"), "procs"));
        for (String name : List.of("A", "B")) {
            Map<String, Object> x = g.get(name);
            assertTrue(Tool.num(x, "mem_rss") - Tool.num(x, "mem_anon") >= 32 * MiB, name + " maps the shared file: " + x);
            assertTrue(Tool.num(x, "mem_rss") - Tool.num(x, "mem_uss") >= 32 * MiB, name + " does not hold it alone: " + x);
        }
        assertEquals(128 * MiB, Tool.num(g.get("C"), "shm_mem"));
        Map<String, Object> seg = (Map<String, Object>) ((List<Object>) r.json().get("shm")).get(0);
        assertEquals(128 * MiB / 4096, Tool.num(seg, "pages_4k") + 512 * Tool.num(seg, "pages_2m"),
                "every page of C's segment, from C's pagemaps and kpageflags: " + seg);
        assertEquals(0, Tool.num(g.get("A"), "shm_mem"));

        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        try (ProcFs p = ProcRoot.open(path)) {
            for (int pid : p.pids()) {
                String grp = ProcessInfo.read(p, pid).environ().get("MEMLAB_GROUP");
                if (grp != null) byGroup.computeIfAbsent(grp, k -> new ArrayList<>()).add(pid);
            }
        }
        String aPids = byGroup.get("A").stream().map(pid -> "pid(" + pid + ")").collect(Collectors.joining(","));
        Tool.Result perPid = Tool.memstats("--procfs-root", path, "groups", "-c", aPids, "-c",
                "or(env_kv(MEMLAB_GROUP,A),env_kv(MEMLAB_GROUP,B))", "--format", "json");
        assertEquals(0, perPid.exit(), perPid.toString());
        long sumAnon = 0;
        for (Map.Entry<String, Map<String, Object>> e : Tool.groups(perPid, aPids).entrySet()) {
            if (!e.getKey().equals("Other")) sumAnon += Tool.num(e.getValue(), "mem_anon");
        }
        assertTrue(sumAnon >= Tool.num(g.get("A"), "mem_anon") + 4 * 60 * MiB,
                "A's copy-on-write memory counted once per process: " + sumAnon + " vs " + g.get("A"));
        Map<String, Object> union = Tool.groups(perPid, "or(env_kv(MEMLAB_GROUP,A),env_kv(MEMLAB_GROUP,B))")
                .get("or(env_kv(MEMLAB_GROUP,A),env_kv(MEMLAB_GROUP,B))");
        assertTrue(Tool.num(union, "mem_rss") <= Tool.num(g.get("A"), "mem_rss") + Tool.num(g.get("B"), "mem_rss") - 32 * MiB,
                "the shared file once in A+B: " + union);
    }

    @Test
    void getconfValuesAndUndefinedOnes() {
        Map<String, String> m = Getconf.parse("PAGESIZE                           4096\nLEVEL4_CACHE_SIZE                  \nCS_PATH  /bin:/usr/bin\n");
        assertEquals("4096", m.get("PAGESIZE"));
        assertTrue(m.containsKey("LEVEL4_CACHE_SIZE") && m.get("LEVEL4_CACHE_SIZE") == null);
        assertEquals("/bin:/usr/bin", m.get("CS_PATH"));
    }

    /** A copy cut short (an interrupted scp): one line, exit 1. */
    @Test
    void truncatedArchiveIsOneLine() throws IOException {
        Path tmp = Files.createTempDirectory("snapcut");
        try {
            Path whole = tmp.resolve("whole.tar.gz"), cut = tmp.resolve("cut.tar.gz");
            SnapTest.writeSnapshotOf(whole, "whole", null, List.of((int) ProcessHandle.current().pid()));
            byte[] bytes = Files.readAllBytes(whole);
            Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
            Tool.Result r = Tool.memstats("--procfs-root", cut.toString(), "single");
            assertEquals(1, r.exit(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("is cut short"), r.err());
        } finally {
            SnapTest.deleteTree(tmp);
        }
    }

    @Test
    void notAnArchiveIsOneLine() throws IOException {
        Path junk = Files.createTempFile("snapjunk", ".tar.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(junk))) {
            o.write("not a tar".repeat(100).getBytes(StandardCharsets.US_ASCII));
        }
        try {
            Tool.Result r = Tool.memstats("--procfs-root", junk.toString(), "single");
            assertEquals(1, r.exit(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("not a tar archive"), r.err());
        } finally {
            Files.delete(junk);
        }
    }
}
