package lib.groups;

import lib.proc.Status;
import lib.text.Table;
import lib.text.Text;
import lib.text.Bytes;
import lib.text.Units;
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
    public static final List<String> COLUMNS = List.of("procs", "mem_rss", "mem_anon", "mem_uss", "swap_anon", "swap_rss",
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
        return new long[]{g.procs(), g.memRss(), g.memAnon(), g.memUss(), g.swapAnon(), g.swapRss(), g.swapUss(),
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

    /**
     * One table per split: procs and mem_rss, mem_uss before, after and change; the other columns' change
     * (JSON has every column's three figures).
     */
    public static String render(Split s) {
        List<String> header = new ArrayList<>(List.of("group_name", "status", "procs", "mem_rss_before", "mem_rss_after",
                "mem_rss_change", "mem_uss_before", "mem_uss_after", "mem_uss_change"));
        List<Integer> changeOnly = new ArrayList<>();
        for (int c = 0; c < COLUMNS.size(); c++) {
            String col = COLUMNS.get(c);
            if (!col.equals("procs") && !col.equals("mem_rss") && !col.equals("mem_uss")) {
                header.add(col + "_change");
                changeOnly.add(c);
            }
        }
        Table t = new Table(header);
        int procs = COLUMNS.indexOf("procs"), rss = COLUMNS.indexOf("mem_rss");
        for (Row r : s.rows()) {
            List<String> cells = new ArrayList<>(List.of(Text.visible(r.name()), r.status().label,
                    r.before(procs) + " -> " + r.after(procs),
                    side(r.before(), rss), side(r.after(), rss), Bytes.AUTO.signed(r.change(rss)),
                    side(r.before(), USS), side(r.after(), USS), Bytes.AUTO.signed(r.change(USS))));
            for (int c : changeOnly) cells.add(Bytes.AUTO.signed(r.change(c)));
            t.row(cells);
        }
        return Text.visible(s.name()) + "\n" + t.render();
    }

    private static String side(long[] v, int column) {
        return v == null ? "-" : Units.mb(v[column]);
    }
}
