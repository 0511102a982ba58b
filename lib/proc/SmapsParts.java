package lib.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A live pagemap where the kernel has no PAGEMAP_SCAN (before 6.7: RHEL 8/9, UEK): when the process's
 * address space is much larger than what it holds (status: VmSize against VmRSS + VmSwap, as a JVM's
 * reservations), its smaps is read once and a mapping with no Rss, Swap or hugetlb pages is skipped,
 * unless it is readable private memory (a read fault there maps the zero page, which smaps does not
 * count but pagemap shows). smaps walks only populated page tables, so this costs about what the
 * resident pages cost; a mapping that holds anything is still read whole.
 */
final class SmapsParts implements ProcFs.PositionalFile {
    /** Below this the whole address space is read: smaps would cost as much as it saves. */
    static final long SPARSE_RATIO = 4, SPARSE_MIN_BYTES = 1L << 30;

    private final FileChannel channel;
    private final Path dir;
    private final long pageSize;
    /** Kept mappings as [start, end) pairs, ascending; null until asked, empty array = all of it is read. */
    private long[] kept;
    private boolean all;

    SmapsParts(Path pagemap, long pageSize) throws IOException {
        this.channel = FileChannel.open(pagemap, StandardOpenOption.READ);
        this.dir = pagemap.getParent();
        this.pageSize = pageSize;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        return channel.read(dst, pos);
    }

    @Override
    public void presentParts(long from, long to, ProcFs.Part part) throws IOException {
        if (kept == null) load();
        if (all) {
            part.range(from, to);
            return;
        }
        long start = from / 8 * pageSize, end = to / 8 * pageSize;
        for (int i = 0; i < kept.length; i += 2) {
            long s = Math.max(start, kept[i]), e = Math.min(end, kept[i + 1]);
            if (s < e) part.range(s / pageSize * 8, e / pageSize * 8);
        }
    }

    private void load() throws IOException {
        kept = new long[0];
        all = true;
        String status = text("status"), smaps;
        if (status == null) return;
        Status st = Status.parse(status);
        long size = st.kbField("VmSize") * 1024, held = (st.kbField("VmRSS") + st.kbField("VmSwap")) * 1024;
        if (size <= SPARSE_RATIO * held + SPARSE_MIN_BYTES || (smaps = text("smaps")) == null) return;
        kept = keptMappings(smaps);
        all = false;
    }

    /**
     * The process's file as text, null when larger than the kernel writes (then the whole range is read): bounded
     * as every /proc read, and decoded leniently, since a comm or a pathname may hold any byte but NUL and '/'.
     */
    private String text(String name) throws IOException {
        long limit = ProcFs.readLimit("self/" + name);
        try (java.io.InputStream in = Files.newInputStream(dir.resolve(name))) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            return b.length > limit ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** [start, end) of the mappings of an smaps text that may hold present or swapped pages. */
    static long[] keptMappings(String smaps) {
        it.unimi.dsi.fastutil.longs.LongArrayList out = new it.unimi.dsi.fastutil.longs.LongArrayList();
        Maps.Mapping current = null;
        boolean used = false;
        for (String line : smaps.split("\n")) {
            int colon = line.indexOf(':'), space = line.indexOf(' ');
            if (space > 0 && (colon < 0 || colon > space)) {
                if (current != null && (used || mayHoldZeroPage(current))) {
                    out.add(current.start());
                    out.add(current.end());
                }
                current = Maps.parseLine(line);
                used = false;
            } else if (colon > 0) {
                String key = line.substring(0, colon);
                if ((key.equals("Rss") || key.equals("Swap") || key.equals("Shared_Hugetlb") || key.equals("Private_Hugetlb"))
                        && !line.substring(colon + 1).trim().startsWith("0 ")) used = true;
            }
        }
        if (current != null && (used || mayHoldZeroPage(current))) {
            out.add(current.start());
            out.add(current.end());
        }
        return out.toLongArray();
    }

    /** Readable private memory: a read fault there maps the shared zero page (mm/memory.c do_anonymous_page). */
    private static boolean mayHoldZeroPage(Maps.Mapping m) {
        return m.readable() && !m.shared();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
