package lib.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * Reads a tar stream entry by entry: ustar, old GNU and PAX headers, GNU long names, and the
 * sparse formats GNU tar writes (old GNU 'S' with extension blocks, PAX 0.0, 0.1 and 1.0).
 * For a sparse entry only the stored regions are read, never the holes.
 */
public final class TarReader {
    private static final int BLOCK = 512;
    /** Regions of one sparse entry: 16 bytes each in memory; a real pagemap has thousands, not a million. */
    static final int MAX_REGIONS = 1 << 20;
    /** A name or link target (PATH_MAX is 4096). */
    static final int MAX_NAME = 64 << 10;
    /** A PAX extended header: names, ids, times, at most a sparse 0.1 map. */
    static final int MAX_PAX = 8 << 20;
    /** Sizes and offsets of an entry: no file of a /proc tree is larger (ProcFs.MAX_POSITIONAL_BYTES). */
    static final long MAX_SIZE = 1L << 50;

    /**
     * One file of the archive. size is the real (logical) size; for a sparse entry the stored data
     * is the regions (offsets[i], lengths[i]) one after the other.
     */
    public record Entry(String name, char type, int mode, int uid, int gid, String uname, String gname, long mtime,
                        long size, String linkName, long[] sparseOffsets, long[] sparseLengths) {
        public boolean isDirectory() {
            return type == '5';
        }

        public boolean isSymlink() {
            return type == '2';
        }

        public boolean isRegular() {
            return type == '0' || type == 0 || type == '7';
        }

        public boolean isSparse() {
            return sparseOffsets != null;
        }
    }

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    /** Stored bytes left in the current entry, and the padding after them. */
    private long remaining, padding;
    private boolean ended;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next file entry, or null at the end of the archive. Skips what was not read of the previous one. */
    public Entry next() throws IOException {
        skipFully(remaining + padding);
        remaining = padding = 0;
        if (ended) return null;
        Map<String, String> pax = new HashMap<>();
        LongArrayList pax00 = new LongArrayList();
        String longName = null, longLink = null;
        while (true) {
            if (!readBlock()) {
                ended = true;
                return null;
            }
            if (isZero(block)) {
                ended = true;
                return null;
            }
            verifyChecksum();
            char type = (char) block[156];
            long size = number(block, 124, 12);
            if (size < 0 || size > MAX_SIZE) throw new IOException("corrupt tar header (size " + size + ")");
            try {
                switch (type) {
                    case 'x' -> parsePax(readAll(size, MAX_PAX), pax, pax00);
                    case 'g' -> skipFully(roundUp(size)); // global defaults: GNU tar writes none that matter here
                    case 'L' -> longName = cString(readAll(size, MAX_NAME));
                    case 'K' -> longLink = cString(readAll(size, MAX_NAME));
                    default -> {
                        return entry(type, size, pax, pax00, longName, longLink);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IOException("corrupt tar header (a number that is not one: " + e.getMessage() + ")");
            }
        }
    }

    /** Reads stored bytes of the current entry (for a sparse one, the regions back to back); -1 at its end. */
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) return -1;
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) throw new EOFException("tar archive truncated");
        remaining -= n;
        return n;
    }

    public void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = read(b, off, len);
            if (n < 0) throw new EOFException("tar entry shorter than its header says");
            off += n;
            len -= n;
        }
    }

    private Entry entry(char type, long storedSize, Map<String, String> pax, LongArrayList pax00, String longName,
                        String longLink) throws IOException {
        byte[] h = block;
        boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
        String name = cString(h, 0, 100);
        if (posix && h[345] != 0) name = cString(h, 345, 155) + "/" + name;
        if (longName != null) name = longName;
        if (pax.containsKey("path")) name = pax.get("path");
        String link = longLink != null ? longLink : cString(h, 157, 100);
        if (pax.containsKey("linkpath")) link = pax.get("linkpath");
        int mode = (int) number(h, 100, 8);
        int uid = pax.containsKey("uid") ? (int) Long.parseLong(pax.get("uid")) : (int) number(h, 108, 8);
        int gid = pax.containsKey("gid") ? (int) Long.parseLong(pax.get("gid")) : (int) number(h, 116, 8);
        String uname = pax.getOrDefault("uname", cString(h, 265, 32));
        String gname = pax.getOrDefault("gname", cString(h, 297, 32));
        long mtime = pax.containsKey("mtime") ? (long) Double.parseDouble(pax.get("mtime")) : number(h, 136, 12);
        if (pax.containsKey("size")) storedSize = Long.parseLong(pax.get("size"));
        if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') storedSize = 0;
        if (storedSize < 0 || storedSize > MAX_SIZE) throw new IOException("corrupt tar header for " + name + " (size " + storedSize + ")");

        long realSize = storedSize;
        long[] offsets = null, lengths = null;
        if (type == 'S') {
            // old GNU sparse: 4 (offset, numbytes) pairs in the header, more in extension blocks
            LongArrayList map = new LongArrayList();
            sparsePairs(h, 386, 4, map);
            realSize = number(h, 483, 12);
            boolean extended = h[482] != 0;
            while (extended) {
                if (!readBlock()) throw new EOFException("tar archive truncated in a sparse header");
                if (map.size() / 2 > MAX_REGIONS) throw new IOException("sparse map of " + name + " with more than " + MAX_REGIONS + " regions");
                sparsePairs(block, 0, 21, map);
                extended = block[504] != 0;
            }
            long[][] split = split(map);
            offsets = split[0];
            lengths = split[1];
            type = '0';
        }
        remaining = storedSize;
        padding = roundUp(storedSize) - storedSize;
        String major = pax.get("GNU.sparse.major"), minor = pax.get("GNU.sparse.minor");
        if ("1".equals(major)) {
            // PAX 1.0: the map is at the start of the data, in decimal text, in whole blocks
            long[][] map = readSparseMap10();
            offsets = map[0];
            lengths = map[1];
            realSize = Long.parseLong(pax.get("GNU.sparse.realsize"));
        } else if (pax.containsKey("GNU.sparse.map")) {
            // PAX 0.1: "offset,numbytes,offset,numbytes..."
            LongArrayList map = new LongArrayList();
            String m = pax.get("GNU.sparse.map");
            for (int from = 0; from < m.length() && map.size() <= 2 * MAX_REGIONS; ) {
                int comma = m.indexOf(',', from);
                if (comma < 0) comma = m.length();
                map.add(Long.parseLong(m.substring(from, comma).trim()));
                from = comma + 1;
            }
            long[][] split = split(map);
            offsets = split[0];
            lengths = split[1];
            realSize = Long.parseLong(pax.getOrDefault("GNU.sparse.size", pax.getOrDefault("GNU.sparse.realsize", "0")));
        } else if (!pax00.isEmpty() || pax.containsKey("GNU.sparse.numblocks")) {
            // PAX 0.0: repeated GNU.sparse.offset / GNU.sparse.numbytes records
            long[][] split = split(pax00);
            offsets = split[0];
            lengths = split[1];
            realSize = Long.parseLong(pax.getOrDefault("GNU.sparse.size", pax.getOrDefault("GNU.sparse.realsize", "0")));
        } else if (major != null || minor != null) {
            throw new IOException("unsupported GNU sparse format " + major + "." + minor + " for " + name);
        }
        if (pax.containsKey("GNU.sparse.name")) name = pax.get("GNU.sparse.name");
        if (name.length() > MAX_NAME || link.length() > MAX_NAME) throw new IOException("corrupt tar header (a name of " + name.length() + " characters)");
        if (realSize < 0 || realSize > MAX_SIZE) throw new IOException("corrupt tar header for " + name + " (real size " + realSize + ")");
        if (offsets != null) checkSparseMap(name, offsets, lengths, realSize, remaining);
        return new Entry(name, type == 0 ? '0' : type, mode, uid, gid, uname, gname, mtime, realSize, link, offsets, lengths);
    }

    /**
     * A sparse map must describe a file: at most MAX_REGIONS regions, in order, not overlapping,
     * inside the real size, holding no more data than the entry stores.
     */
    private static void checkSparseMap(String name, long[] offsets, long[] lengths, long realSize, long stored)
            throws IOException {
        if (offsets.length > MAX_REGIONS) throw new IOException("sparse map of " + name + " with more than " + MAX_REGIONS + " regions");
        long end = 0, data = 0;
        for (int i = 0; i < offsets.length; i++) {
            // end <= realSize <= MAX_SIZE throughout: no sum below can overflow
            if (offsets[i] < end || lengths[i] < 0 || offsets[i] > realSize || lengths[i] > realSize - offsets[i]) {
                throw new IOException("corrupt sparse map for " + name + " (region " + offsets[i] + "+" + lengths[i]
                        + " in a file of " + realSize + " bytes)");
            }
            end = offsets[i] + lengths[i];
            data += lengths[i];
        }
        if (data > stored) throw new IOException("sparse map of " + name + " holds more data than the entry");
    }

    private long[][] readSparseMap10() throws IOException {
        LongArrayList values = new LongArrayList();
        long count = -1;
        StringBuilder digits = new StringBuilder();
        byte[] b = new byte[BLOCK];
        while (count < 0 || values.size() < 1 + 2 * count) {
            if (remaining < BLOCK) throw new IOException("corrupt GNU sparse 1.0 map (longer than its entry)");
            readFully(b, 0, BLOCK);
            for (int i = 0; i < BLOCK && (count < 0 || values.size() < 1 + 2 * count); i++) {
                if (b[i] == '\n') {
                    if (digits.length() == 0) throw new IOException("corrupt GNU sparse 1.0 map (an empty number)");
                    values.add(Long.parseLong(digits.toString()));
                    digits.setLength(0);
                    if (values.size() == 1) {
                        count = values.getLong(0);
                        if (count > MAX_REGIONS) throw new IOException("GNU sparse 1.0 map of " + count + " regions (at most " + MAX_REGIONS + ")");
                    }
                } else if (b[i] >= '0' && b[i] <= '9' && digits.length() < 18) {
                    digits.append((char) b[i]);
                } else {
                    throw new IOException("corrupt GNU sparse 1.0 map");
                }
            }
        }
        LongArrayList pairs = new LongArrayList(values.subList(1, values.size()));
        return split(pairs);
    }

    private static void sparsePairs(byte[] h, int off, int n, LongArrayList out) {
        for (int i = 0; i < n; i++) {
            int p = off + i * 24;
            if (h[p] == 0 && h[p + 12] == 0) continue;
            out.add(number(h, p, 12));
            out.add(number(h, p + 12, 12));
        }
    }

    private static long[][] split(LongArrayList pairs) {
        int n = pairs.size() / 2;
        long[] o = new long[n], l = new long[n];
        for (int i = 0; i < n; i++) {
            o[i] = pairs.getLong(2 * i);
            l[i] = pairs.getLong(2 * i + 1);
        }
        return new long[][]{o, l};
    }

    /** Records "LEN key=value\n", LEN in bytes counting the whole record. */
    private static void parsePax(byte[] b, Map<String, String> pax, LongArrayList pax00) throws IOException {
        int pos = 0;
        while (pos < b.length && b[pos] != 0) {
            int sp = pos, len = 0;
            while (sp < b.length && b[sp] >= '0' && b[sp] <= '9' && sp - pos < 9) len = len * 10 + (b[sp++] - '0');
            int eq = sp;
            while (eq < b.length && b[eq] != '=') eq++;
            if (sp >= b.length || b[sp] != ' ' || len <= 0 || pos + len > b.length || eq >= pos + len - 1
                    || b[pos + len - 1] != '\n') {
                throw new IOException("corrupt PAX header");
            }
            String key = new String(b, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            String value = new String(b, eq + 1, pos + len - eq - 2, StandardCharsets.UTF_8);
            if (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes")) {
                if (pax00.size() >= 2 * MAX_REGIONS) throw new IOException("PAX sparse map with more than " + MAX_REGIONS + " regions");
                pax00.add(Long.parseLong(value));
            }
            else pax.put(key, value);
            pos += len;
        }
    }

    private byte[] readAll(long size, int max) throws IOException {
        if (size > max) throw new IOException("tar extended header of " + size + " bytes (at most " + max + ")");
        byte[] b = new byte[(int) size];
        readRaw(b, (int) size);
        skipFully(roundUp(size) - size);
        return b;
    }

    private boolean readBlock() throws IOException {
        int got = 0;
        while (got < BLOCK) {
            int n = in.read(block, got, BLOCK - got);
            if (n < 0) {
                if (got == 0) return false;
                throw new EOFException("tar archive truncated");
            }
            got += n;
        }
        return true;
    }

    private void readRaw(byte[] b, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int n = in.read(b, got, len - got);
            if (n < 0) throw new EOFException("tar archive truncated");
            got += n;
        }
    }

    private final byte[] skipBuffer = new byte[1 << 16];

    private void skipFully(long n) throws IOException {
        while (n > 0) {
            int k = in.read(skipBuffer, 0, (int) Math.min(n, skipBuffer.length));
            if (k < 0) {
                if (ended) return;
                throw new EOFException("tar archive truncated");
            }
            n -= k;
        }
    }

    private void verifyChecksum() throws IOException {
        long stored = number(block, 148, 8);
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= 148 && i < 156 ? (byte) ' ' : block[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) throw new IOException("not a tar archive (bad header checksum)");
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    /** An octal field, or base-256 when its first byte has the high bit (GNU, for values that do not fit). */
    static long number(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7f;
            if ((h[off] & 0x40) != 0) v |= ~0x7fL; // negative
            for (int i = 1; i < len; i++) v = (v << 8) | (h[off + i] & 0xff);
            return v;
        }
        long v = 0;
        int i = off, end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) i++;
        for (; i < end && h[i] >= '0' && h[i] <= '7'; i++) v = (v << 3) + (h[i] - '0');
        return v;
    }

    private static String cString(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) end++;
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        return cString(b, 0, b.length);
    }

    private static long roundUp(long n) {
        return (n + BLOCK - 1) / BLOCK * BLOCK;
    }
}
