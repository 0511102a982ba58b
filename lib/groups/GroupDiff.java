package lib.groups;

import lib.text.Columns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * memstats diff: the groups of two scans made with the same splitters (two snapshots, or a snapshot
 * and the live system), matched by split and group name: each column before, after and the change,
 * groups that appeared or vanished, sorted by the change in mem_uss (largest growth first).
 */
public final class GroupDiff {
    /** The columns compared, in the order of memstats' tables (procs a count, the rest bytes). */
    public static final List<String> COLUMNS = List.of("procs", "mem_rss", "mem_anon", "mem_uss", "mem_share", "swap_anon", "swap_rss",
            "swap_uss", "shm_mem", "shm_swap");
    private static final int USS = COLUMNS.indexOf("mem_uss");

    private GroupDiff() {
    }

    public enum Status {
        BOTH("both"), APPEARED("appeared"), VANISHED("vanished");

        public final String label;

        Status(String label) {
            this.label = label;
        }
    }

    /** One group; before or after is null where the group was not in that scan (its values count as 0). */
    public record Row(String name, Status status, long[] before, long[] after) {
        public long before(int column) {
            return before == null ? 0 : before[column];
        }

        public long after(int column) {
            return after == null ? 0 : after[column];
        }

        public long change(int column) {
            return after(column) - before(column);
        }
    }

    public record Split(String name, List<Row> rows) {
    }

    static long[] values(GroupScan.GroupStats g) {
        return new long[]{g.procs(), g.memRss(), g.memAnon(), g.memUss(), g.memShare(), g.swapAnon(), g.swapRss(), g.swapUss(),
                g.shmMem(), g.shmSwap()};
    }

    /** Matches the splits of two scans made with the same splitters, in order, and their groups by name. */
    public static List<Split> of(GroupScan.Result before, GroupScan.Result after) {
        List<Split> out = new ArrayList<>();
        for (int s = 0; s < Math.min(before.splits().size(), after.splits().size()); s++) {
            Map<String, long[]> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            for (GroupScan.GroupStats g : before.splits().get(s).groups()) a.put(g.name(), values(g));
            for (GroupScan.GroupStats g : after.splits().get(s).groups()) b.put(g.name(), values(g));
            List<Row> rows = new ArrayList<>();
            for (var e : a.entrySet()) {
                long[] later = b.get(e.getKey());
                rows.add(new Row(e.getKey(), later == null ? Status.VANISHED : Status.BOTH, e.getValue(), later));
            }
            for (var e : b.entrySet()) {
                if (!a.containsKey(e.getKey())) rows.add(new Row(e.getKey(), Status.APPEARED, null, e.getValue()));
            }
            rows.sort(Comparator.comparingLong((Row r) -> r.change(USS)).reversed().thenComparing(Row::name));
            out.add(new Split(after.splits().get(s).name(), List.copyOf(rows)));
        }
        return out;
    }

    /** The "diff" JSON section: per split, per group before / after (null when absent) and change, by column. */
    public static List<Object> toJson(List<Split> splits) {
        List<Object> out = new ArrayList<>();
        for (Split s : splits) {
            List<Object> groups = new ArrayList<>();
            for (Row r : s.rows()) {
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("group_name", r.name());
                g.put("status", r.status().label);
                g.put("before", r.before() == null ? null : columns(r.before()));
                g.put("after", r.after() == null ? null : columns(r.after()));
                long[] change = new long[COLUMNS.size()];
                for (int c = 0; c < change.length; c++) change[c] = r.change(c);
                g.put("change", columns(change));
                groups.add(g);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("groups", groups);
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> columns(long[] v) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < COLUMNS.size(); c++) m.put(COLUMNS.get(c), v[c]);
        return m;
    }

    /** A row with the name of its split: the rows of a flat table (CSV, TSV) or of one split's text table. */
    public record SplitRow(String split, Row row) {
    }

    /** The rows of every split, in order. */
    public static List<SplitRow> rows(List<Split> splits) {
        List<SplitRow> out = new ArrayList<>();
        for (Split s : splits) for (Row r : s.rows()) out.add(new SplitRow(s.name(), r));
        return out;
    }

    /**
     * The text table of a split: procs as "before -> after", mem_rss and mem_uss before, after and change,
     * the other columns' change (JSON and the flat table have every column's three figures).
     */
    public static Columns<Row> textColumns() {
        int procs = COLUMNS.indexOf("procs");
        Columns<Row> c = new Columns<Row>()
                .add("group_name", Row::name)
                .add("status", r -> r.status().label)
                .textOnly("procs", r -> r.before(procs) + " -> " + r.after(procs));
        for (int i = 1; i < COLUMNS.size(); i++) {
            int col = i;
            String name = COLUMNS.get(i);
            // uss and share add up over a split's groups (disjoint, or divided), before, after and changed alike
            boolean sums = name.equals("mem_uss") || name.equals("mem_share") || name.equals("swap_uss");
            if (name.equals("mem_rss") || name.equals("mem_uss")) {
                c.bytesOrUnknown(name + "_before", r -> r.before() == null ? -1 : r.before(col));
                if (sums) c.sums();
                c.bytesOrUnknown(name + "_after", r -> r.after() == null ? -1 : r.after(col));
                if (sums) c.sums();
            }
            c.change(name + "_change", r -> r.change(col));
            if (sums) c.sums();
        }
        return c;
    }

    /** Every column before, after and change, under the name of its split: for CSV and TSV. */
    public static Columns<SplitRow> flatColumns() {
        Columns<SplitRow> c = new Columns<SplitRow>()
                .add("split", SplitRow::split)
                .add("group_name", r -> r.row().name())
                .add("status", r -> r.row().status().label);
        for (int i = 0; i < COLUMNS.size(); i++) {
            int col = i;
            String name = COLUMNS.get(i);
            boolean count = name.equals("procs");
            java.util.function.ToLongFunction<SplitRow> before = r -> r.row().before() == null ? -1 : r.row().before(col);
            java.util.function.ToLongFunction<SplitRow> after = r -> r.row().after() == null ? -1 : r.row().after(col);
            if (count) {
                c.countOrUnknown(name + "_before", name + "_before", before).countOrUnknown(name + "_after", name + "_after", after)
                        .add(name + "_change", r -> r.row().change(col));
            } else {
                c.bytesOrUnknown(name + "_before", before).bytesOrUnknown(name + "_after", after).change(name + "_change", r -> r.row().change(col));
            }
        }
        return c;
    }
}
