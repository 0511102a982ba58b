package lib.snapshot;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a POSIX tar stream: ustar headers, PAX extended headers when a field does not fit, and
 * GNU sparse 1.0 entries (PAX GNU.sparse.* keywords, then a data block starting with the sparse
 * map in decimal text), which GNU tar extracts as sparse files. Entries are streamed: nothing but
 * one header is held in memory.
 */
public final class TarWriter implements Closeable {
    public static final int BLOCK = 512;
    private static final int RECORD = 20 * BLOCK;
    private static final long MAX_OCTAL_SIZE = 077777777777L;
    private static final int MAX_OCTAL_ID = 07777777;

    /** Owner of an entry, as numbers and names (names may be null). */
    public record Owner(int uid, int gid, String uname, String gname) {
    }

    /** Writes exactly the bytes of region i (offset, length in the real file) to out. */
    @FunctionalInterface
    public interface RegionSource {
        void write(int region, long offset, long length, OutputStream out) throws IOException;
    }

    private final OutputStream out;
    private final byte[] zeros = new byte[RECORD];
    private long position;
    private long shortRegions;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Bytes of tar stream written so far (before compression). */
    public long position() {
        return position;
    }

    /** Regions whose source gave fewer bytes than announced (padded with zeros). */
    public long shortRegions() {
        return shortRegions;
    }

    public void directory(String name, int mode, Owner owner, long mtime) throws IOException {
        String n = name.endsWith("/") ? name : name + "/";
        entryHeader(n, mode, 0, '5', "", owner, mtime, Map.of());
    }

    public void symlink(String name, String target, Owner owner, long mtime) throws IOException {
        entryHeader(name, 0777, 0, '2', target, owner, mtime, Map.of());
    }

    public void file(String name, int mode, Owner owner, long mtime, byte[] data, int off, int len) throws IOException {
        entryHeader(name, mode, len, '0', "", owner, mtime, Map.of());
        write(data, off, len);
        pad(len);
    }

    /**
     * A GNU sparse 1.0 entry: a file of realSize bytes holding data only in the given regions
     * (ascending, not overlapping, on 512-byte blocks but the end of the last one at realSize); the
     * rest reads as zeros once extracted.
     */
    public void sparseFile(String name, int mode, Owner owner, long mtime, long realSize, long[] offsets,
                           long[] lengths, int regions, RegionSource source) throws IOException {
        for (int i = 0; i < regions; i++) {
            // GNU tar reads each region in whole blocks, other readers back to back: aligned, both agree
            boolean last = i == regions - 1;
            if (offsets[i] % BLOCK != 0 || (lengths[i] % BLOCK != 0 && !(last && offsets[i] + lengths[i] == realSize))) {
                throw new IllegalArgumentException("sparse region " + offsets[i] + "+" + lengths[i] + " of " + name
                        + " is not aligned on " + BLOCK + " bytes");
            }
        }
        boolean endsInHole = regions == 0 || offsets[regions - 1] + lengths[regions - 1] < realSize;
        StringBuilder map = new StringBuilder();
        // GNU tar ends the map with (realSize, 0) when the file ends in a hole: it truncates the extracted file there
        map.append(endsInHole ? regions + 1 : regions).append('\n');
        long dataBytes = 0;
        for (int i = 0; i < regions; i++) {
            map.append(offsets[i]).append('\n').append(lengths[i]).append('\n');
            dataBytes += lengths[i];
        }
        if (endsInHole) map.append(realSize).append('\n').append(0).append('\n');
        byte[] mapBytes = map.toString().getBytes(StandardCharsets.US_ASCII);
        long mapBlock = roundUp(mapBytes.length);
        Map<String, String> pax = new LinkedHashMap<>();
        pax.put("GNU.sparse.major", "1");
        pax.put("GNU.sparse.minor", "0");
        pax.put("GNU.sparse.name", name);
        pax.put("GNU.sparse.realsize", Long.toString(realSize));
        int slash = name.lastIndexOf('/');
        String storedName = name.substring(0, slash + 1) + "GNUSparseFile.0/" + name.substring(slash + 1);
        long size = mapBlock + dataBytes;
        entryHeader(storedName, mode, size, '0', "", owner, mtime, pax);
        write(mapBytes, 0, mapBytes.length);
        writeZeros(mapBlock - mapBytes.length);
        Counting counting = new Counting();
        for (int i = 0; i < regions; i++) {
            counting.count = 0;
            counting.limit = lengths[i];
            source.write(i, offsets[i], lengths[i], counting);
            if (counting.count < lengths[i]) {
                shortRegions++;
                writeZeros(lengths[i] - counting.count);
            }
        }
        pad(size);
    }

    /** Ends the archive: two zero blocks, then zeros up to a whole 10 KiB record like tar does. */
    public void finish() throws IOException {
        writeZeros(2 * BLOCK);
        long rest = position % RECORD;
        if (rest != 0) writeZeros(RECORD - rest);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Counts what a RegionSource writes and refuses more than announced. */
    private final class Counting extends OutputStream {
        long count, limit;

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (count + len > limit) throw new IOException("sparse region source wrote more than its region length");
            TarWriter.this.write(b, off, len);
            count += len;
        }
    }

    private void entryHeader(String name, int mode, long size, char type, String link, Owner owner, long mtime,
                             Map<String, String> extra) throws IOException {
        Map<String, String> pax = new LinkedHashMap<>(extra);
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int split = nameBytes.length <= 100 ? -1 : prefixSplit(nameBytes);
        if (nameBytes.length > 100 && split < 0) pax.put("path", name);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (linkBytes.length > 100) pax.put("linkpath", link);
        if (size > MAX_OCTAL_SIZE) pax.put("size", Long.toString(size));
        if (owner.uid() > MAX_OCTAL_ID || owner.uid() < 0) pax.put("uid", Integer.toUnsignedString(owner.uid()));
        if (owner.gid() > MAX_OCTAL_ID || owner.gid() < 0) pax.put("gid", Integer.toUnsignedString(owner.gid()));
        if (!pax.isEmpty()) paxHeader(name, pax, owner, mtime);

        byte[] h = new byte[BLOCK];
        if (split >= 0) {
            System.arraycopy(nameBytes, 0, h, 345, split);
            System.arraycopy(nameBytes, split + 1, h, 0, nameBytes.length - split - 1);
        } else {
            System.arraycopy(nameBytes, 0, h, 0, Math.min(100, nameBytes.length));
        }
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, Math.max(0, Math.min(owner.uid(), MAX_OCTAL_ID)));
        octal(h, 116, 8, Math.max(0, Math.min(owner.gid(), MAX_OCTAL_ID)));
        octal(h, 124, 12, Math.min(size, MAX_OCTAL_SIZE));
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        System.arraycopy(linkBytes, 0, h, 157, Math.min(100, linkBytes.length));
        ascii(h, 257, "ustar\0");
        ascii(h, 263, "00");
        name(h, 265, owner.uname());
        name(h, 297, owner.gname());
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        checksum(h);
        write(h, 0, BLOCK);
    }

    private void paxHeader(String name, Map<String, String> records, Owner owner, long mtime) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : records.entrySet()) sb.append(paxRecord(e.getKey(), e.getValue()));
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        int slash = name.lastIndexOf('/', name.length() - 2);
        String base = name.substring(slash + 1);
        String paxName = name.substring(0, slash + 1) + "PaxHeaders/" + base;
        byte[] pn = paxName.getBytes(StandardCharsets.UTF_8);
        if (pn.length > 100) paxName = "PaxHeaders/" + truncateUtf8(base, 80);
        entryHeaderRaw(paxName, body.length, owner, mtime);
        write(body, 0, body.length);
        pad(body.length);
    }

    private void entryHeaderRaw(String paxName, long size, Owner owner, long mtime) throws IOException {
        byte[] h = new byte[BLOCK];
        byte[] n = paxName.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, Math.max(0, Math.min(owner.uid(), MAX_OCTAL_ID)));
        octal(h, 116, 8, Math.max(0, Math.min(owner.gid(), MAX_OCTAL_ID)));
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = 'x';
        ascii(h, 257, "ustar\0");
        ascii(h, 263, "00");
        checksum(h);
        write(h, 0, BLOCK);
    }

    /** "LEN key=value\n" where LEN counts the whole record, its own digits included. */
    static String paxRecord(String key, String value) {
        int rest = 1 + key.getBytes(StandardCharsets.UTF_8).length + 1 + value.getBytes(StandardCharsets.UTF_8).length + 1;
        int len = rest + Integer.toString(rest).length();
        if (Integer.toString(len).length() != Integer.toString(rest).length()) len = rest + Integer.toString(len).length();
        return len + " " + key + "=" + value + "\n";
    }

    /** Where to cut a long name into ustar prefix (<= 155 bytes) and name (<= 100), or -1. */
    private static int prefixSplit(byte[] name) {
        for (int i = Math.min(155, name.length - 1); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return i;
        }
        return -1;
    }

    private static String truncateUtf8(String s, int maxChars) {
        return s.length() <= maxChars ? s : s.substring(s.length() - maxChars);
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        int digits = len - 1;
        for (int i = 0; i < digits; i++) h[off + i] = '0';
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off + digits - b.length, b.length);
        h[off + digits] = 0;
    }

    private static void ascii(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }

    private static void name(byte[] h, int off, String s) {
        if (s == null) return;
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < 32) System.arraycopy(b, 0, h, off, b.length);
    }

    private static void checksum(byte[] h) {
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        String s = String.format("%06o", sum);
        ascii(h, 148, s);
        h[154] = 0;
        h[155] = ' ';
    }

    static long roundUp(long n) {
        return (n + BLOCK - 1) / BLOCK * BLOCK;
    }

    private void pad(long size) throws IOException {
        writeZeros(roundUp(size) - size);
    }

    private void writeZeros(long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(n, zeros.length);
            write(zeros, 0, k);
            n -= k;
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
    }
}
