package lib.cli;

import lib.groups.GroupDiff;
import lib.groups.GroupScan;
import lib.groups.RamAccount;
import lib.oracle.InstanceFigures;
import lib.pages.SysvShmPages.SegmentPages;
import lib.proc.Meminfo;
import lib.proc.ProcessInfo;
import lib.proc.Tmpfs;
import lib.proc.TmpfsFiles;
import lib.text.Columns;
import lib.text.Csv;
import lib.text.Json;
import lib.text.Text;
import lib.text.TextTable;
import lib.text.Units;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * memstats' tables, each described once (a Columns row description) and written in every format: text
 * tables that fit the terminal, one JSON document, CSV and TSV (one flat table: a row per split and group),
 * and Prometheus metrics (GroupMetrics reads the same descriptions).
 */
public final class GroupTables {
    private GroupTables() {
    }

    /** memstats' formats. */
    public enum Format { text, json, tsv, csv, prom }

    /** What a scan found (files and fileRows null when a snapshot did not record the tmpfs files): the machine-wide sections, the instances, the groups, and the whole-RAM account (null unless asked). */
    public record Report(List<Tmpfs.Mount> tmpfs, TmpfsFiles files, List<TmpfsFileTable.Row> fileRows, List<SegmentPages> shm, Map<Long, List<String>> sidsByShmid, Meminfo meminfo,
                         long pageSize, List<InstanceFigures> instances, Map<Integer, String> users, GroupScan.Result result,
                         RamAccount.Result ram) {
        List<String> sids(SegmentPages p) {
            return sidsByShmid.getOrDefault(p.shm().shmid(), List.of());
        }
    }

    /** How text and TSV tables are shown (--sort, --columns, --no-box, --totals, --units) and the width to fit. */
    public record Look(TableOptions options, int width) {
        TextTable.Render render(boolean tsv) {
            return options.render(tsv, width);
        }
    }

    // Each table's columns once: text, JSON, CSV, TSV and the metrics are made from the same description.

    /** A group of a split; uss, share and procs add up over a split's groups (disjoint), rss does not. */
    public static final Columns<GroupScan.GroupStats> GROUP = new Columns<GroupScan.GroupStats>()
            .add("group_name", GroupScan.GroupStats::name)
            .add("procs", GroupScan.GroupStats::procs).sums()
            .bytes("mem_rss", GroupScan.GroupStats::memRss)
            .bytes("mem_anon", GroupScan.GroupStats::memAnon)
            .bytes("mem_uss", GroupScan.GroupStats::memUss).sums()
            .bytes("mem_share", GroupScan.GroupStats::memShare).sums()
            .bytes("swap_anon", GroupScan.GroupStats::swapAnon)
            .bytes("swap_rss", GroupScan.GroupStats::swapRss)
            .bytes("swap_uss", GroupScan.GroupStats::swapUss).sums()
            .bytes("shm_mem", GroupScan.GroupStats::shmMem)
            .bytes("shm_swap", GroupScan.GroupStats::shmSwap)
            .jsonOnly("shm_unknown", GroupScan.GroupStats::unknownShm);

    /** A group with its split's name: the rows of the flat CSV and TSV table. */
    public record SplitGroup(String split, GroupScan.GroupStats group) {
    }

    public static final Columns<SplitGroup> FLAT = new Columns<SplitGroup>()
            .add("split", SplitGroup::split)
            .include(GROUP, SplitGroup::group);

    /** The scan itself (one row): processes read, left out, vanished, and whether the memory limit cut it short. */
    public static final Columns<GroupScan.ScanCounts> SCAN = new Columns<GroupScan.ScanCounts>()
            .jsonOnly("processes", GroupScan.ScanCounts::processes)
            .jsonOnly("scanned", GroupScan.ScanCounts::scanned)
            .jsonOnly("kernel", GroupScan.ScanCounts::kernel)
            .jsonOnly("filtered_out", GroupScan.ScanCounts::filteredOut)
            .jsonOnly("vanished", GroupScan.ScanCounts::vanished)
            .jsonOnly("unreadable", GroupScan.ScanCounts::unreadable)
            .jsonOnly("elapsed_ms", GroupScan.ScanCounts::elapsedMs)
            .jsonOnly("partial", GroupScan.ScanCounts::partial);

    /** Huge pages from meminfo (one row; text shows it as one line). */
    static final Columns<Meminfo> HUGEPAGES = new Columns<Meminfo>()
            .jsonOnly("total", Meminfo::hugePagesTotal)
            .jsonOnly("free", Meminfo::hugePagesFree)
            .jsonOnly("reserved", Meminfo::hugePagesRsvd)
            .jsonOnly("in_use", Meminfo::hugePagesInUse)
            .jsonOnly("page_size", Meminfo::hugepageSizeBytes);

    static final Columns<Tmpfs.Mount> TMPFS = new Columns<Tmpfs.Mount>()
            .add("mount_point", Tmpfs.Mount::mountPoint)
            .add("noswap", "noswap", Tmpfs.Mount::noswap, m -> m.noswap() ? "yes" : "no")
            .add("huge", Tmpfs.Mount::huge)
            .bytesOrUnknown("fs_size", Tmpfs.Mount::fsSizeBytes)
            .bytesOrUnknown("fs_used", Tmpfs.Mount::fsUsedBytes);

    /** SysV segments: used % and the sids need the page size and the instances found. */
    static Columns<SegmentPages> shmColumns(Report s) {
        return new Columns<SegmentPages>()
                .add("key", p -> p.shm().key()).whole()
                .add("shmid", p -> p.shm().shmid())
                .bytes("size", p -> p.shm().sizeBytes())
                .bytes("rss", SegmentPages::rssBytes)
                .countOrUnknown("pages_4k", "pages_4k", SegmentPages::pages4k)
                .countOrUnknown("pages_2M", "pages_2m", SegmentPages::pages2M)
                .bytes("swap", p -> p.shm().swapBytes())
                .add("used %", "used_pct", p -> Math.round(p.usedPct(s.pageSize()) * 100) / 100.0, p -> Math.round(p.usedPct(s.pageSize())))
                .add("sid", "sids", s::sids, p -> String.join(",", s.sids(p)))
                .jsonOnly("page_size", p -> p.pageSizeBytes() < 0 ? null : p.pageSizeBytes())
                .jsonOnly("kernel_rss", p -> p.shm().rssBytes())
                .jsonOnly("nattch", p -> p.shm().nattch());
    }

    /** Oracle instances (text; JSON keeps InstanceFigures.json, which has more). */
    static final Columns<InstanceFigures> INSTANCES = new Columns<InstanceFigures>()
            .add("sid", f -> f.instance().sid())
            .bytesOrUnknown("sga", InstanceFigures::sgaBytes)
            .bytesOrUnknown("pga", InstanceFigures::pgaBytes)
            .add("processes", InstanceFigures::processes)
            .add("large_pages", InstanceFigures::largePages)
            .add("source", InstanceFigures::source);

    /** --list-processes: what would be scanned. */
    public static Columns<ProcessInfo> listColumns(Map<Integer, String> users) {
        return new Columns<ProcessInfo>()
                .add("uid", ProcessInfo::uid)
                .add("user", "user", p -> users.get(p.uid()), p -> users.getOrDefault(p.uid(), "-"))
                .add("pid", ProcessInfo::pid)
                .add("comm", ProcessInfo::comm);
    }

    /** --sort and --columns name the group table's columns (or the flat table's, which adds split). */
    public static List<TextTable.Column> groupColumnNames(Format f) {
        return machine(f) ? FLAT.keyed().textColumns() : GROUP.textColumns();
    }

    static boolean machine(Format f) {
        return f == Format.csv || f == Format.tsv;
    }

    // ---- the report, per format

    public static String groups(Report r, Format f, Look look, boolean single) {
        return switch (f) {
            case json -> Json.write(json(r)) + "\n";
            case csv -> csv(look.options().apply(FLAT.keyed().table(flat(r.result()))));
            case tsv -> look.options().apply(FLAT.keyed().table(flat(r.result()))).render(look.render(true));
            case prom -> GroupMetrics.render(r, GROUP);
            case text -> text(r, look, single);
        };
    }

    static List<SplitGroup> flat(GroupScan.Result r) {
        List<SplitGroup> rows = new ArrayList<>();
        for (GroupScan.Split s : r.splits()) for (GroupScan.GroupStats g : s.groups()) rows.add(new SplitGroup(s.name(), g));
        return rows;
    }

    private static String text(Report r, Look look, boolean single) {
        StringBuilder out = new StringBuilder();
        TextTable.Render plain = look.render(false).withTotals(false);
        if (r.tmpfs() == null || r.tmpfs().isEmpty()) {
            out.append(r.tmpfs() == null ? "tmpfs: not recorded in this snapshot\n" : "tmpfs: none\n");
        } else {
            out.append("tmpfs\n").append(TMPFS.table(r.tmpfs()).render(plain));
        }
        out.append('\n');
        if (r.fileRows() == null || r.fileRows().isEmpty()) {
            out.append(r.fileRows() == null ? "tmpfs files: not recorded in this snapshot\n" : "tmpfs files: none\n");
        } else {
            out.append("tmpfs files (the largest of each tmpfs)\n").append(TmpfsFileTable.COLUMNS.table(r.fileRows()).render(plain));
            for (String note : TmpfsFileTable.notes(r.files())) line(out, look, note);
        }
        out.append('\n');
        if (r.instances().isEmpty()) {
            out.append("No Oracle instance found\n");
        } else {
            out.append("Oracle instances\n").append(INSTANCES.table(r.instances()).render(plain));
        }
        out.append('\n');
        if (r.shm().isEmpty()) {
            out.append("SysV shared memory segments: none\n");
        } else {
            out.append("SysV shared memory segments\n").append(shmColumns(r).table(r.shm()).render(plain));
        }
        Meminfo mi = r.meminfo();
        line(out, look, String.format(java.util.Locale.ROOT, "HugePages (%d kB): total %d, free %d, reserved %d, in use %d (%s)",
                mi.hugepageSizeBytes() / 1024, mi.hugePagesTotal(), mi.hugePagesFree(), mi.hugePagesRsvd(), mi.hugePagesInUse(),
                Units.mb(mi.hugePagesInUse() * mi.hugepageSizeBytes())));
        out.append('\n');
        line(out, look, scanLine(r.result().counts()));
        out.append('\n');
        for (GroupScan.Split s : r.result().splits()) {
            line(out, look, Text.visible(s.name()));
            out.append(look.options().apply(GROUP.table(s.groups())).render(look.render(false)));
            for (GroupScan.GroupStats g : s.groups()) {
                if (g.unknownShm() > 0) {
                    line(out, look, "<unknown>: " + Text.visible(g.name()) + " attaches " + g.unknownShm()
                            + " segment(s) /proc/sysvipc/shm does not list (removed, or another IPC namespace): not in shm_mem");
                }
            }
            out.append('\n');
        }
        if (r.ram() != null) out.append(ramText(r.ram(), r.result().counts(), look));
        return out.toString();
    }

    /** A line of prose, wrapped to the terminal's width (whole when the output is not a terminal). */
    private static void line(StringBuilder out, Look look, String text) {
        List<String> lines = look.width() == TextTable.UNLIMITED ? List.of(text) : TextTable.wrap(text, look.width());
        for (String l : lines) out.append(l).append('\n');
    }

    static String scanLine(GroupScan.ScanCounts c) {
        return String.format(java.util.Locale.ROOT, "Scanned %d processes in %s (%d processes: %d kernel, %d filtered out, %d vanished%s)%s",
                c.scanned(), Units.duration(c.elapsedMs() * 1_000_000L), c.processes(), c.kernel(), c.filteredOut(),
                c.vanished(), c.unreadable() > 0 ? ", " + c.unreadable() + " unreadable" : "",
                c.partial() ? " PARTIAL: memory limit reached" : "");
    }

    /** "N processes scanned", marked when the memory limit cut the scan short. */
    public static String scanned(GroupScan.ScanCounts c) {
        return c.scanned() + " processes scanned" + (c.partial() ? " (PARTIAL: memory limit reached)" : "");
    }

    static Map<String, Object> json(Report r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tmpfs", r.tmpfs() == null ? List.of() : TMPFS.json(r.tmpfs()));
        doc.put("tmpfs_files", r.fileRows() == null ? null : TmpfsFileTable.COLUMNS.json(r.fileRows()));
        doc.put("shm", shmColumns(r).json(r.shm()));
        doc.put("hugepages", HUGEPAGES.json(r.meminfo()));
        doc.put("scan", SCAN.json(r.result().counts()));
        List<Object> splits = new ArrayList<>();
        for (GroupScan.Split s : r.result().splits()) {
            Map<String, Object> split = new LinkedHashMap<>();
            split.put("name", s.name());
            split.put("groups", GROUP.json(s.groups()));
            splits.add(split);
        }
        doc.put("splits", splits);
        if (r.ram() != null) doc.put("ram", r.ram().toJson());
        List<Object> inst = new ArrayList<>();
        for (InstanceFigures f : r.instances()) inst.add(f.json(r.users().get(f.instance().uid())));
        doc.put("instances", inst);
        return doc;
    }

    /** A table as RFC 4180 CSV: its column names, then its cells (sizes in bytes, unknown empty). */
    static String csv(TextTable t) {
        Csv csv = new Csv(t.columns().stream().map(TextTable.Column::name).toList());
        for (Object[] row : t.rowValues()) csv.row(java.util.Arrays.asList(row));
        return csv.render();
    }

    // ---- the whole-RAM account

    public static String ram(RamAccount.Result ram, GroupScan.ScanCounts scan, Format f, Look look) {
        Columns<RamAccount.Line> c = RamAccount.columns(ram.pageSize());
        return switch (f) {
            case json -> {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("scan", SCAN.json(scan));
                doc.put("ram", ram.toJson());
                yield Json.write(doc) + "\n";
            }
            case csv -> csv(look.options().apply(c.keyed().table(ram.lines())));
            case tsv -> look.options().apply(c.keyed().table(ram.lines())).render(look.render(true));
            case prom -> GroupMetrics.ram(scan, ram);
            case text -> ramText(ram, scan, look);
        };
    }

    private static String ramText(RamAccount.Result ram, GroupScan.ScanCounts scan, Look look) {
        TextTable t = look.options().apply(RamAccount.columns(ram.pageSize()).table(ram.lines())).totalsLabel("total (RAM)").totalsWhy(null);
        StringBuilder out = new StringBuilder();
        line(out, look, RamAccount.heading(ram, scanned(scan)));
        return out.append(t.render(look.render(false))).toString();
    }

    /** The columns --sort and --columns may name in the whole-RAM table of this format. */
    public static List<TextTable.Column> ramColumnNames(Format f) {
        Columns<RamAccount.Line> c = RamAccount.columns(4096);
        return machine(f) ? c.keyed().textColumns() : c.textColumns();
    }

    /** The columns --sort and --columns may name in a diff's tables of this format. */
    public static List<TextTable.Column> diffColumnNames(Format f) {
        return machine(f) ? GroupDiff.flatColumns().textColumns() : GroupDiff.textColumns().textColumns();
    }

    // ---- diff and watch

    /** One source of a diff: what it is and its scan. */
    public record Source(String description, GroupScan.Result result) {
        String line() {
            return Text.visible(description) + ": " + scanned(result.counts());
        }
    }

    public static String diff(Source a, Source b, List<GroupDiff.Split> splits, Format f, Look look) {
        return switch (f) {
            case json -> {
                Map<String, Object> doc = new LinkedHashMap<>();
                for (Source s : List.of(a, b)) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("source", s.description());
                    m.put("scan", SCAN.json(s.result().counts()));
                    doc.put(s == a ? "before" : "after", m);
                }
                doc.put("splits", GroupDiff.toJson(splits));
                yield Json.write(doc) + "\n";
            }
            case csv -> csv(look.options().apply(GroupDiff.flatColumns().table(GroupDiff.rows(splits))));
            case tsv -> look.options().apply(GroupDiff.flatColumns().table(GroupDiff.rows(splits))).render(look.render(true));
            case prom -> GroupMetrics.diff(splits);
            case text -> "A: " + a.line() + "\nB: " + b.line() + "\n\n" + changes(splits, look);
        };
    }

    /** Each split's change table (diff and the rounds of --interval). */
    public static String changes(List<GroupDiff.Split> splits, Look look) {
        StringBuilder out = new StringBuilder();
        for (GroupDiff.Split s : splits) {
            TextTable t = look.options().apply(GroupDiff.textColumns().table(s.rows()));
            line(out, look, Text.visible(s.name()));
            out.append(t.render(look.render(false))).append('\n');
        }
        return out.toString();
    }

    /** --list-processes in any format but prom. */
    public static String list(List<ProcessInfo> processes, Map<Integer, String> users, Format f, Look look) {
        Columns<ProcessInfo> c = listColumns(users);
        return switch (f) {
            case json -> {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("processes", c.json(processes));
                yield Json.write(doc) + "\n";
            }
            case csv -> csv(c.keyed().table(processes));
            case tsv -> c.keyed().table(processes).render(look.render(true).withTotals(false));
            case text, prom -> c.table(processes).render(look.render(false).withTotals(false));
        };
    }
}
