package lib.snapshot;

import lib.text.Bytes;
import lib.proc.Metadata;
import lib.proc.ProcFs;
import lib.proc.TmpfsFiles;
import lib.text.Json;
import it.unimi.dsi.fastutil.longs.LongArrayList;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * A snapshot archive (DIR.tar.gz from snap, or from the original snap.py) read in place, without
 * extracting it. gzip cannot be read at random, so one pass over the archive keeps every file in
 * memory as 64 KiB chunks, each deflated on its own; chunks that are all zeros (the holes of
 * pagemap, kpageflags and kpagecount, and the zeros stored inside their data regions) are not kept.
 * Memory is then about the compressed size of the data, and any offset is one chunk inflate away.
 */
public final class SnapshotArchive implements ProcFs {
    static final int CHUNK = 1 << 16;
    private static final byte[] ZEROS = new byte[CHUNK];

    /** A file's content: its non-zero chunks, deflated, by chunk index. */
    record Data(long size, long[] chunkIds, byte[][] packed) {
        int find(long chunk) {
            return Arrays.binarySearch(chunkIds, chunk);
        }

        long packedBytes() {
            long n = 0;
            for (byte[] p : packed) n += p.length;
            return n;
        }
    }

    /** One archive member under proc/ (data for files, target for symlinks). */
    record Node(char type, int uid, int gid, int mode, Data data, String link) {
    }

    private final Path archive;
    private final Map<String, Node> nodes;
    private final Set<String> dirs;
    private final byte[] metadata;
    /** tmpfs_files.json, null when snap did not write one. */
    private final byte[] tmpfsFiles;
    private final long storedBytes;
    private Metadata meta;

    private SnapshotArchive(Path archive, Map<String, Node> nodes, Set<String> dirs, byte[] metadata, byte[] tmpfsFiles,
                            long storedBytes) {
        this.archive = archive;
        this.nodes = nodes;
        this.dirs = dirs;
        this.metadata = metadata;
        this.tmpfsFiles = tmpfsFiles;
        this.storedBytes = storedBytes;
    }

    public static ProcFs open(Path archive) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GzipInput(raw) : raw;
            ProcFs p = load(archive, new TarReader(in));
            // the gzip trailer (CRC-32, length) lies past the tar's end: read to it, or corruption goes unseen
            byte[] rest = new byte[1 << 16];
            while (in.read(rest) >= 0) ;
            return p;
        } catch (java.io.EOFException e) {
            throw new IOException(archive + " is cut short (an incomplete copy?): " + e.getMessage());
        } catch (java.util.zip.ZipException e) {
            throw new IOException(archive + " is corrupt (" + e.getMessage() + "): copy it again");
        } catch (Corrupt e) {
            throw new IOException(archive + ": " + e.getMessage());
        } catch (NoSuchFileException | java.nio.file.AccessDeniedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // a defect of ours met by a crafted archive still gets one line
            throw new IOException(archive + " is not a readable snapshot archive: " + e.getMessage());
        }
    }

    /** What the archive holds cannot be a snapshot of /proc. */
    static final class Corrupt extends IOException {
        Corrupt(String m) {
            super(m);
        }
    }

    private static ProcFs load(Path archive, TarReader tar) throws IOException {
        Map<String, Node> nodes = new HashMap<>();
        Set<String> dirs = new HashSet<>();
        byte[] metadata = null, tmpfsFiles = null;
        boolean sawProc = false;
        Packer packer = new Packer();
        byte[] buf = new byte[CHUNK];
        long stored = 0, args = 0;
        try {
            TarReader.Entry e;
            while ((e = tar.next()) != null) {
                String[] where = locate(e.name());
                if (where == null) continue;
                String rel = where[1];
                if (where[0].equals("top")) {
                    if (rel.equals("metadata.json") && e.isRegular()) {
                        if (e.size() > MAX_METADATA_BYTES) throw new Corrupt("metadata.json of " + Bytes.AUTO.format(e.size()) + " (snap writes kilobytes)");
                        metadata = packer.unpack(readData(tar, e, packer, buf));
                        checkMetadata(new String(metadata, StandardCharsets.UTF_8), "metadata.json");
                    } else if (rel.equals(TmpfsFiles.SNAPSHOT_FILE) && e.isRegular()) {
                        if (e.size() > TmpfsFiles.MAX_JSON_BYTES) throw new Corrupt(rel + " of " + Bytes.AUTO.format(e.size()) + " (snap writes at most "
                                + Bytes.AUTO.format(TmpfsFiles.MAX_JSON_BYTES) + ")");
                        tmpfsFiles = packer.unpack(readData(tar, e, packer, buf));
                        checkMetadata(new String(tmpfsFiles, StandardCharsets.UTF_8), rel);
                    }
                    continue;
                }
                sawProc = true;
                if (rel.isEmpty()) continue;
                addParents(dirs, rel);
                Node n;
                if (e.isDirectory()) {
                    dirs.add(rel);
                    n = new Node('5', e.uid(), e.gid(), e.mode(), null, null);
                } else if (e.isSymlink()) {
                    n = new Node('2', e.uid(), e.gid(), e.mode(), null, e.linkName());
                } else if (e.isRegular()) {
                    checkSize(rel, e.size());
                    if (rel.endsWith("/environ") || rel.endsWith("/cmdline")) {
                        args += e.size();
                        if (args > MAX_ARGS_TOTAL_BYTES) {
                            throw new Corrupt("its environ and cmdline files hold more than " + Bytes.AUTO.format(MAX_ARGS_TOTAL_BYTES)
                                    + " together, more than any real box (memory would run out)");
                        }
                    }
                    Data d = readData(tar, e, packer, buf);
                    stored += d.packedBytes();
                    n = new Node('0', e.uid(), e.gid(), e.mode(), d, null);
                } else {
                    continue;
                }
                nodes.put(rel, n);
            }
        } finally {
            packer.end();
        }
        if (!sawProc) throw new Corrupt("holds no proc/ tree: not a snapshot archive");
        return new SnapshotArchive(archive, nodes, dirs, metadata, tmpfsFiles, stored);
    }

    /** A file larger than the kernel file it stands for could ever be. */
    private static void checkSize(String rel, long size) throws Corrupt {
        long max = ProcFs.maxBytes(rel);
        if (size > (max < 0 ? MAX_POSITIONAL_BYTES : max)) {
            throw new Corrupt("proc/" + rel + " holds " + Bytes.AUTO.format(size) + ", more than the kernel file can (at most "
                    + Bytes.AUTO.format(max < 0 ? MAX_POSITIONAL_BYTES : max) + ")");
        }
    }

    /** metadata.json must parse (the tools read it later): a bad one is named here. */
    static void checkMetadata(String json, String name) throws Corrupt {
        try {
            Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new Corrupt(name + ": " + e.getMessage());
        }
    }

    /** ["proc", rel] for DIR/proc/rel (or proc/rel), ["top", name] for DIR/name, null otherwise. */
    static String[] locate(String name) {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        while (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        String[] c = n.split("/", 3);
        if (c.length >= 2 && c[1].equals("proc")) return new String[]{"proc", c.length == 3 ? c[2] : ""};
        if (c[0].equals("proc")) return new String[]{"proc", n.length() > 5 ? n.substring(5) : ""};
        if (c.length == 2) return new String[]{"top", c[1]};
        if (c.length == 1) return new String[]{"top", c[0]};
        return null;
    }

    private static void addParents(Set<String> dirs, String rel) {
        for (int i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) dirs.add(rel.substring(0, i));
    }

    /** Reads the stored regions of an entry into non-zero deflated chunks. */
    private static Data readData(TarReader tar, TarReader.Entry e, Packer packer, byte[] buf) throws IOException {
        packer.start(e.size());
        long[] offsets = e.isSparse() ? e.sparseOffsets() : new long[]{0};
        long[] lengths = e.isSparse() ? e.sparseLengths() : new long[]{e.size()};
        for (int r = 0; r < offsets.length; r++) {
            long pos = offsets[r], left = lengths[r];
            while (left > 0) {
                int k = (int) Math.min(left, CHUNK - (pos % CHUNK));
                tar.readFully(buf, 0, k);
                packer.put(pos, buf, k);
                pos += k;
                left -= k;
            }
        }
        return packer.finish();
    }

    /** Builds a Data from bytes given in ascending offsets: assembles a chunk, keeps it deflated if not all zeros. */
    private static final class Packer {
        private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        private final Inflater inflater = new Inflater();
        private final byte[] chunk = new byte[CHUNK];
        private final byte[] out = new byte[CHUNK + 1024];
        private long size, current;
        private final LongArrayList ids = new LongArrayList();
        private final List<byte[]> packed = new ArrayList<>();

        void start(long size) {
            this.size = size;
            current = -1;
            ids.clear();
            packed.clear();
        }

        void put(long pos, byte[] b, int len) {
            long id = pos / CHUNK;
            if (id != current) {
                flush();
                current = id;
                Arrays.fill(chunk, (byte) 0);
            }
            System.arraycopy(b, 0, chunk, (int) (pos % CHUNK), len);
        }

        private void flush() {
            if (current < 0) return;
            int n = (int) Math.min(CHUNK, size - current * CHUNK);
            if (Arrays.mismatch(chunk, 0, n, ZEROS, 0, n) < 0) return;
            deflater.reset();
            deflater.setInput(chunk, 0, n);
            deflater.finish();
            int got = 0;
            while (!deflater.finished()) got += deflater.deflate(out, got, out.length - got);
            ids.add(current);
            packed.add(Arrays.copyOf(out, got));
        }

        Data finish() {
            flush();
            current = -1;
            return new Data(size, ids.toLongArray(), packed.toArray(new byte[0][]));
        }

        byte[] unpack(Data d) throws IOException {
            byte[] all = new byte[(int) d.size()];
            for (int i = 0; i < d.chunkIds().length; i++) {
                int off = (int) (d.chunkIds()[i] * CHUNK);
                inflate(inflater, d.packed()[i], all, off, Math.min(CHUNK, all.length - off));
            }
            return all;
        }

        void end() {
            deflater.end();
            inflater.end();
        }
    }

    private static void inflate(Inflater inf, byte[] packed, byte[] dst, int off, int len) throws IOException {
        inf.reset();
        inf.setInput(packed);
        try {
            int got = 0;
            while (got < len && !inf.finished()) {
                int n = inf.inflate(dst, off + got, len - got);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                got += n;
            }
            if (got != len) throw new IOException("snapshot chunk inflated to " + got + " bytes instead of " + len);
        } catch (DataFormatException e) {
            throw new IOException("corrupt snapshot chunk", e);
        }
    }

    /** Bytes kept in memory for the archive's file contents. */
    public long storedBytes() {
        return storedBytes;
    }

    @Override
    public String description() {
        return archive.toString();
    }

    @Override
    public boolean isLive() {
        return false;
    }

    @Override
    public List<Integer> pids() {
        List<Integer> pids = new ArrayList<>();
        for (String d : dirs) {
            if (d.indexOf('/') < 0 && !d.isEmpty() && d.length() <= 9 && d.chars().allMatch(c -> c >= '0' && c <= '9')) {
                pids.add(Integer.parseInt(d));
            }
        }
        Collections.sort(pids);
        return pids;
    }

    private Node file(String rel) throws NoSuchFileException {
        Node n = nodes.get(rel);
        for (int hops = 0; n != null && n.type() == '2' && hops < 8; hops++) {
            // a relative symlink inside the snapshot (GNU tar keeps /proc/self as "self -> PID")
            String target = n.link();
            if (target.startsWith("/")) break;
            int slash = rel.lastIndexOf('/');
            rel = (slash < 0 ? "" : rel.substring(0, slash + 1)) + target;
            n = nodes.get(rel);
        }
        if (n == null || n.data() == null) throw new NoSuchFileException(archive + "!" + rel);
        return n;
    }

    @Override
    public byte[] read(String relativePath) throws IOException {
        Data d = file(relativePath).data();
        long max = ProcFs.readLimit(relativePath);
        if (d.size() > max) throw new IOException(archive + "!" + relativePath + ": " + Bytes.AUTO.format(d.size()) + ", more than " + Bytes.AUTO.format(max) + " to read whole");
        Inflater inf = new Inflater();
        try {
            byte[] all = new byte[(int) d.size()];
            for (int i = 0; i < d.chunkIds().length; i++) {
                int off = (int) (d.chunkIds()[i] * CHUNK);
                inflate(inf, d.packed()[i], all, off, Math.min(CHUNK, all.length - off));
            }
            return all;
        } finally {
            inf.end();
        }
    }

    @Override
    public boolean exists(String relativePath) {
        return nodes.containsKey(relativePath) || dirs.contains(relativePath);
    }

    @Override
    public PositionalFile open(String relativePath) throws IOException {
        Data d = file(relativePath).data();
        return new PositionalFile() {
            private final Inflater inf = new Inflater();
            private final byte[] cache = new byte[CHUNK];
            private long cached = -1;

            @Override
            public int read(ByteBuffer dst, long pos) throws IOException {
                if (pos >= d.size()) return -1;
                int total = 0;
                while (dst.hasRemaining() && pos < d.size()) {
                    long id = pos / CHUNK;
                    int inChunk = (int) (pos % CHUNK);
                    int chunkLen = (int) Math.min(CHUNK, d.size() - id * CHUNK);
                    int k = Math.min(dst.remaining(), chunkLen - inChunk);
                    int idx = d.find(id);
                    if (idx < 0) {
                        dst.put(ZEROS, 0, k);
                    } else {
                        if (cached != id) {
                            inflate(inf, d.packed()[idx], cache, 0, chunkLen);
                            cached = id;
                        }
                        dst.put(cache, inChunk, k);
                    }
                    pos += k;
                    total += k;
                }
                return total;
            }

            /** Only the stored chunks can hold a present or swapped entry: a chunk of zeros was not kept. */
            @Override
            public void presentParts(long from, long to, Part part) throws IOException {
                long[] ids = d.chunkIds();
                int i = d.find(from / CHUNK);
                if (i < 0) i = -i - 1;
                long runStart = -1, runEnd = -1;
                for (; i < ids.length && ids[i] * CHUNK < to; i++) {
                    long a = Math.max(from, ids[i] * CHUNK), b = Math.min(to, (ids[i] + 1) * CHUNK);
                    if (a == runEnd) {
                        runEnd = b;
                        continue;
                    }
                    if (runStart >= 0) part.range(runStart, runEnd);
                    runStart = a;
                    runEnd = b;
                }
                if (runStart >= 0) part.range(runStart, runEnd);
            }

            @Override
            public void close() {
                inf.end();
            }
        };
    }

    @Override
    public String readLink(String relativePath) throws IOException {
        Node n = nodes.get(relativePath);
        if (n == null || n.link() == null) throw new NoSuchFileException(archive + "!" + relativePath);
        return n.link();
    }

    @Override
    public int ownerUid(String relativePath) {
        Node n = nodes.get(relativePath);
        return n == null ? -1 : n.uid();
    }

    @Override
    public String metadataJson() {
        return metadata == null ? null : new String(metadata, StandardCharsets.UTF_8);
    }

    @Override
    public String tmpfsFilesJson() {
        return tmpfsFiles == null ? null : new String(tmpfsFiles, StandardCharsets.UTF_8);
    }

    @Override
    public Metadata metadata() {
        if (meta == null) meta = Metadata.parse(metadataJson());
        return meta;
    }
}
