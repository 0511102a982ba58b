package lib.groups;

import lib.pages.KPageFlags;
import lib.pages.PageClass;
import lib.pages.PageSet;
import lib.pages.RamFrames;
import lib.proc.Iomem;
import lib.proc.Meminfo;
import lib.proc.ProcFs;
import lib.text.Columns;
import lib.text.Units;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole-RAM account: every frame of the System RAM ranges classified once from /proc/kpageflags
 * (PageClass, hugetlb split by whether anyone maps it), each class split by whether a scanned process
 * maps the frame, beside the /proc/meminfo counters that should explain it. kpageflags is streamed in
 * chunks by a few threads over disjoint stretches: memory is one chunk per thread, never per frame.
 */
public final class RamAccount {
    private static final int CHUNK = RamFrames.CHUNK;

    /**
     * A row: PageClass, with hugetlb split in two. A free pool page and a hugetlb page of an unattached
     * SysV segment carry the same flags (HUGE, and UPTODATE|DIRTY stay set after a page returns to the
     * pool): only "mapped by some process" (MMAP, or ANON for a private mapping) tells them apart.
     */
    public enum Row {
        FREE("free", PageClass.FREE),
        ANON("anonymous", PageClass.ANON),
        THP("transparent huge", PageClass.THP),
        FILE("page cache / file", PageClass.FILE),
        SHMEM("shmem / SysV / tmpfs", PageClass.SHMEM),
        HUGETLB_MAPPED("hugetlb, mapped", PageClass.HUGETLB),
        HUGETLB_UNMAPPED("hugetlb, not mapped", PageClass.HUGETLB),
        SLAB("slab", PageClass.SLAB),
        PGTABLE("page tables", PageClass.PGTABLE),
        KERNEL("kernel / no flags", PageClass.KERNEL),
        RESERVED("reserved", PageClass.RESERVED);

        public final String label;
        public final PageClass pageClass;
        private static final Row[] BY_CLASS = new Row[PageClass.values().length];
        private static final long MAPPED_HUGE = (1L << KPageFlags.MMAP) | (1L << KPageFlags.ANON);

        static {
            for (Row r : values()) if (BY_CLASS[r.pageClass.ordinal()] == null) BY_CLASS[r.pageClass.ordinal()] = r;
        }

        Row(String label, PageClass pageClass) {
            this.label = label;
            this.pageClass = pageClass;
        }

        public static Row of(long flags) {
            PageClass c = PageClass.of(flags);
            if (c == PageClass.HUGETLB) return (flags & MAPPED_HUGE) != 0 ? HUGETLB_MAPPED : HUGETLB_UNMAPPED;
            return BY_CLASS[c.ordinal()];
        }

        /** JSON and CSV key. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What /proc/meminfo says about a row: the fields as an expression ("Cached+Buffers-Shmem") and
     * its value in bytes; bytes -1 when this kernel lacks a field or no counter exists for the row.
     */
    public record Kernel(String fields, long bytes) {
        public boolean known() {
            return bytes >= 0;
        }
    }

    /** One row's frames, and of them those a scanned process maps; kernel: meminfo's figure for it. */
    public record Line(Row row, long frames, long mapped, Kernel kernel) {
        public long unmapped() {
            return frames - mapped;
        }
    }

    /** ramFrames: frames of the System RAM ranges, which the rows add up to. */
    public record Result(long pageSize, int ranges, long ramFrames, List<Line> lines, long elapsedNanos) {
        public Line line(Row r) {
            return lines.get(r.ordinal());
        }

        /** The "ram" JSON section; sizes in bytes. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("page_size", pageSize);
            m.put("ranges", ranges);
            m.put("frames", ramFrames);
            m.put("bytes", ramFrames * pageSize);
            m.put("elapsed_ms", elapsedNanos / 1_000_000);
            List<Object> rows = new ArrayList<>();
            for (Line l : lines) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("class", l.row().key());
                r.put("label", l.row().label);
                r.put("frames", l.frames());
                r.put("bytes", l.frames() * pageSize);
                r.put("mapped", l.mapped() * pageSize);
                r.put("not_mapped", l.unmapped() * pageSize);
                r.put("meminfo_fields", l.kernel().fields().isEmpty() ? null : l.kernel().fields());
                r.put("meminfo", l.kernel().known() ? l.kernel().bytes() : null);
                r.put("difference", l.kernel().known() ? l.frames() * pageSize - l.kernel().bytes() : null);
                rows.add(r);
            }
            m.put("rows", rows);
            return m;
        }
    }

    private RamAccount() {
    }

    /** The System RAM frames; a failure when iomem is missing or hides addresses. */
    public static RamFrames ramRanges(ProcFs proc, long pageSize) throws IOException {
        if (!proc.exists("iomem")) throw new IOException(proc.description() + " has no iomem: cannot tell where RAM is");
        List<Iomem.Range> ram = Iomem.systemRam(Iomem.parse(proc.readString("iomem")));
        if (ram.isEmpty() || ram.stream().allMatch(r -> r.end() == 0)) {
            throw new IOException(proc.description() + "/iomem lists no System RAM addresses (they read as zero unless read by root)");
        }
        return RamFrames.of(ram, pageSize);
    }

    /**
     * Classifies every RAM frame; mapped: the frames scanned processes map (their union). meminfo is the
     * one read beside the scan (a snapshot's own). threads at least 1.
     */
    public static Result scan(ProcFs proc, long pageSize, PageSet mapped, Meminfo meminfo, int threads) throws IOException {
        long t0 = System.nanoTime();
        if (!proc.exists("kpageflags")) throw new IOException(proc.description() + " has no kpageflags");
        RamFrames ram = ramRanges(proc, pageSize);
        long total = ram.frames();
        int parts = (int) Math.max(1, Math.min(threads, (total + CHUNK - 1) / CHUNK));
        // parts of whole chunks, so no two threads read the same page of kpageflags
        long perPart = ((total + parts - 1) / parts + CHUNK - 1) / CHUNK * CHUNK;
        int rows = Row.values().length;
        long[][] frames = new long[parts][rows], used = new long[parts][rows];
        Workers.run("ram", parts, parts, () -> part -> {
            long start = Math.min(total, part * perPart), end = Math.min(total, (part + 1) * perPart);
            if (start >= end) return;
            try (KPageFlags kpf = KPageFlags.open(proc)) {
                count(kpf, ram, mapped, start, end, frames[part], used[part]);
            }
        });
        long[] f = new long[rows], u = new long[rows];
        for (int p = 0; p < parts; p++) {
            for (int r = 0; r < rows; r++) {
                f[r] += frames[p][r];
                u[r] += used[p][r];
            }
        }
        List<Kernel> kernel = kernels(meminfo, total * pageSize);
        List<Line> lines = new ArrayList<>();
        for (Row r : Row.values()) lines.add(new Line(r, f[r.ordinal()], u[r.ordinal()], kernel.get(r.ordinal())));
        return new Result(pageSize, ram.ranges(), total, List.copyOf(lines), System.nanoTime() - t0);
    }

    /** Counts positions [start, end) of the RAM frames laid end to end, chunk by chunk. */
    private static void count(KPageFlags kpf, RamFrames ram, PageSet mapped, long start, long end,
                              long[] frames, long[] used) throws IOException {
        PageSet.Cursor cursor = mapped.cursor();
        ram.read(kpf, start, end, (pfn, flags, n) -> {
            for (int i = 0; i < n; i++) frames[Row.of(flags[i]).ordinal()]++;
            // frames a process maps
            cursor.forEachIn(pfn, n, i -> used[Row.of(flags[i]).ordinal()]++);
        });
    }

    /**
     * meminfo's figures for every row, by Row ordinal. The kernel row has no counter of its own: it gets
     * what MemTotal leaves after the other rows' figures, so the meminfo column adds up to the RAM too
     * and a shortfall in one row (e.g. free frames the kernel counts but has not initialised) shows up there.
     */
    public static List<Kernel> kernels(Meminfo m, long ramBytes) {
        List<Kernel> out = new ArrayList<>();
        long others = 0;
        boolean known = m.memTotalBytes() >= 0;
        for (Row r : Row.values()) {
            Kernel k = kernel(r, m, ramBytes);
            out.add(k);
            if (r != Row.KERNEL && r != Row.RESERVED) {
                others += k.bytes();
                known &= k.known();
            }
        }
        out.set(Row.KERNEL.ordinal(), new Kernel("MemTotal-(rows above)", known ? m.memTotalBytes() - others : -1));
        return List.copyOf(out);
    }

    /** meminfo's figure for a row, in bytes (kB fields are bytes in Meminfo). */
    static Kernel kernel(Row r, Meminfo m, long ramBytes) {
        return switch (r) {
            case FREE -> field(m, "MemFree");
            // AnonPages counts THP too (whole folios); the THP row holds those frames
            case ANON -> difference("AnonPages-AnonHugePages", m.get("AnonPages"), m.get("AnonHugePages"));
            case THP -> sum("AnonHugePages+ShmemHugePages", m.get("AnonHugePages"), m.get("ShmemHugePages"));
            // Cached holds shmem (tmpfs, SysV, shared anonymous); Buffers is block-device cache
            case FILE -> {
                long cached = m.get("Cached"), buffers = m.get("Buffers"), shmem = m.get("Shmem");
                yield cached < 0 || buffers < 0 || shmem < 0 ? new Kernel("Cached+Buffers-Shmem", -1)
                        : new Kernel("Cached+Buffers-Shmem", cached + buffers - shmem);
            }
            case SHMEM -> difference("Shmem-ShmemHugePages", m.get("Shmem"), m.get("ShmemHugePages"));
            case HUGETLB_MAPPED -> {
                long total = m.hugePagesTotal(), free = m.hugePagesFree(), size = m.hugepageSizeBytes();
                yield total < 0 || free < 0 || size < 0 ? new Kernel("(HugePages_Total-HugePages_Free)*Hugepagesize", -1)
                        : new Kernel("(HugePages_Total-HugePages_Free)*Hugepagesize", (total - free) * size);
            }
            case HUGETLB_UNMAPPED -> {
                long free = m.hugePagesFree(), size = m.hugepageSizeBytes();
                yield free < 0 || size < 0 ? new Kernel("HugePages_Free*Hugepagesize", -1)
                        : new Kernel("HugePages_Free*Hugepagesize", free * size);
            }
            case SLAB -> field(m, "Slab");
            case PGTABLE -> m.get("SecPageTables") > 0
                    ? sum("PageTables+SecPageTables", m.get("PageTables"), m.get("SecPageTables")) : field(m, "PageTables");
            // no counter of its own: kernels() fills in what MemTotal leaves
            case KERNEL -> new Kernel("", -1);
            // MemTotal is RAM less what boot reserved (kernel image, memmap, firmware)
            case RESERVED -> m.memTotalBytes() < 0 ? new Kernel("RAM-MemTotal", -1) : new Kernel("RAM-MemTotal", ramBytes - m.memTotalBytes());
        };
    }

    private static Kernel field(Meminfo m, String name) {
        return new Kernel(name, m.get(name));
    }

    private static Kernel sum(String fields, long a, long b) {
        return new Kernel(fields, a < 0 || b < 0 ? -1 : a + b);
    }

    private static Kernel difference(String fields, long a, long minus) {
        return new Kernel(fields, a < 0 || minus < 0 ? -1 : a - minus);
    }

    /** The line above the table: how much RAM, in how many ranges, read in how long, and what "mapped" means. */
    public static String heading(Result r, String scanned) {
        return String.format(java.util.Locale.ROOT, "Whole RAM: %d frames of %d KiB (%s) in %d System RAM range%s, read in %s; mapped: by the %s",
                r.ramFrames(), r.pageSize() / 1024, Units.mb(r.ramFrames() * r.pageSize()), r.ranges(), r.ranges() == 1 ? "" : "s",
                Units.duration(r.elapsedNanos()), scanned);
    }

    /** The table's columns (text, CSV and TSV; JSON is Result.toJson): the rows add up to the RAM, so do the sizes. */
    public static Columns<Line> columns(long pageSize) {
        return new Columns<Line>()
                .add("class", "class", l -> l.row().key(), l -> l.row().label).whole()
                .add("frames", Line::frames).sums()
                .bytes("size", l -> l.frames() * pageSize).sums()
                .bytes("mapped", l -> l.mapped() * pageSize).sums()
                .bytes("not_mapped", l -> l.unmapped() * pageSize).sums()
                .add("meminfo", "meminfo_fields", l -> l.kernel().fields().isEmpty() ? null : l.kernel().fields(),
                        l -> l.kernel().fields().isEmpty() ? null : l.kernel().fields())
                .bytesOrUnknown("meminfo_size", l -> l.kernel().bytes())
                .changeOrUnknown("difference", l -> l.kernel().known() ? l.frames() * pageSize - l.kernel().bytes() : null);
    }
}
