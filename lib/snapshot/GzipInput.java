package lib.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * A gzip stream (RFC 1952) whose every byte is accounted for: each member's CRC-32 and length
 * (ISIZE) are checked when it ends, members may follow one another (cat a.gz b.gz), and past the
 * last one only zero padding may remain. java.util.zip.GZIPInputStream ignores what follows a
 * member when it is not a valid header, and checks nothing of a member its reader stops before.
 * Truncation is an EOFException, corruption a ZipException.
 */
public final class GzipInput extends InputStream {
    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16, RESERVED = 0xe0;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, lim;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final CRC32 headerCrc = new CRC32();
    private long memberBytes, members;
    private boolean inMember, ended;

    public GzipInput(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (true) {
            if (ended) return -1;
            if (!inMember && !startMember()) {
                ended = true;
                return -1;
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt deflate data (" + e.getMessage() + ")");
            }
            pos = lim - inflater.getRemaining();
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt deflate data (asks for a preset dictionary)");
            } else if (inflater.needsInput()) {
                if (!fill()) throw new EOFException("gzip data cut short");
                inflater.setInput(buf, pos, lim - pos);
            }
        }
    }

    /** Reads a member header; false at a clean end (nothing more, or zero padding only). */
    private boolean startMember() throws IOException {
        if (!fill()) {
            if (members == 0) throw new EOFException("empty file");
            return false;
        }
        if (members > 0 && buf[pos] == 0) {
            skipZeroPadding();
            return false;
        }
        headerCrc.reset();
        if (header() != 0x1f || header() != 0x8b) {
            throw new ZipException(members == 0 ? "not in gzip format" : "unexpected data after the end of the gzip data");
        }
        if (header() != 8) throw new ZipException("unknown gzip compression method");
        int flags = header();
        if ((flags & RESERVED) != 0) throw new ZipException("corrupt gzip header (reserved flags set)");
        for (int i = 0; i < 6; i++) header(); // mtime, xfl, os
        if ((flags & FEXTRA) != 0) {
            int xlen = header() | header() << 8;
            for (int i = 0; i < xlen; i++) header();
        }
        if ((flags & FNAME) != 0) while (header() != 0) ;
        if ((flags & FCOMMENT) != 0) while (header() != 0) ;
        if ((flags & FHCRC) != 0) {
            int expected = (int) headerCrc.getValue() & 0xffff;
            if ((next() | next() << 8) != expected) throw new ZipException("corrupt gzip header (header CRC mismatch)");
        }
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inMember = true;
        members++;
        inflater.setInput(buf, pos, lim - pos);
        return true;
    }

    private void endMember() throws IOException {
        long storedCrc = next() | next() << 8 | next() << 16 | (long) next() << 24;
        long storedSize = next() | next() << 8 | next() << 16 | (long) next() << 24;
        if (storedCrc != crc.getValue()) throw new ZipException("CRC-32 mismatch: the data is corrupt");
        if (storedSize != (memberBytes & 0xffffffffL)) throw new ZipException("length mismatch: the data is corrupt");
        inMember = false;
    }

    private void skipZeroPadding() throws IOException {
        while (fill()) {
            for (; pos < lim; pos++) {
                if (buf[pos] != 0) throw new ZipException("unexpected data after the end of the gzip data");
            }
        }
    }

    private int header() throws IOException {
        int b = next();
        headerCrc.update(b);
        return b;
    }

    private int next() throws IOException {
        if (!fill()) throw new EOFException("gzip data cut short");
        return buf[pos++] & 0xff;
    }

    /** At least one unread byte in buf; false at the end of the input. */
    private boolean fill() throws IOException {
        if (pos < lim) return true;
        pos = lim = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) return false;
        lim = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }
}
