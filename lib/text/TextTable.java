package lib.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;

/**
 * A table of typed cells rendered for a reader: a box (light Unicode grid), plain aligned columns (--no-box) or
 * TSV. Text fits a terminal width (numbers keep theirs; narrow text columns get their width first, wide ones
 * share the rest, and what does not fit is wrapped in a box or cut with "…" in plain columns); rows can be sorted
 * by a column, columns chosen by name, and a totals row sums the columns that add up.
 * Cells: String for text, Long/Integer for counts and sizes (negative or null: unknown, shown "-").
 * Control characters in text are escaped (other users' comm, environment values and paths reach root's terminal).
 */
public final class TextTable {

    /** A width that does not limit: output that is not a terminal keeps full width. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** CHANGE: a difference of two sizes in bytes, signed (+ grew, - shrank); null is unknown, not a negative number. */
    public enum Kind { TEXT, COUNT, BYTES, CHANGE }

    /**
     * A column: its name (the header, and what --sort and --columns take), what its cells hold, and whether a sum
     * over the rows means something (sums: procs or uss of the groups of one split, which are disjoint; not rss,
     * where a page several groups map counts once per group).
     */
    public record Column(String name, Kind kind, boolean sums, boolean whole) {
        public Column(String name, Kind kind, boolean sums) {
            this(name, kind, sums, kind != Kind.TEXT);
        }

        /** Text that may be wrapped or cut to fit: names, paths. */
        public static Column text(String name) {
            return new Column(name, Kind.TEXT, false, false);
        }

        /** Text that is never wrapped or cut: an address, a key, permissions. */
        public static Column label(String name) {
            return new Column(name, Kind.TEXT, false, true);
        }

        public static Column count(String name, boolean sums) {
            return new Column(name, Kind.COUNT, sums);
        }

        public static Column bytes(String name, boolean sums) {
            return new Column(name, Kind.BYTES, sums);
        }

        boolean numeric() {
            return kind != Kind.TEXT;
        }
    }

    public enum Style { BOX, PLAIN, TSV }

    /**
     * How to render: the style, the width to fit (UNLIMITED for none), the units of BYTES cells, and
     * whether to add a totals row.
     */
    public record Render(Style style, int width, Bytes units, boolean totals) {
        public static Render box(int width) {
            return new Render(Style.BOX, width, Bytes.AUTO, false);
        }

        public Render withTotals(boolean t) {
            return new Render(style, width, units, t);
        }

        public Render withUnits(Bytes u) {
            return new Render(style, width, u, totals);
        }
    }

    /** --columns or --sort named a column this table does not have: a usage error (exit 2). */
    public static final class UnknownColumn extends IllegalArgumentException {
        public UnknownColumn(String option, String name, List<Column> valid) {
            super(option + ": no column '" + Text.visible(name) + "'; columns: "
                    + String.join(", ", valid.stream().map(Column::name).toList()));
        }
    }

    private final List<Column> columns;
    private final List<Object[]> rows = new ArrayList<>();
    private String totalsLabel = "total";
    private String totalsWhy = "a page several groups map counts in each";

    public TextTable(List<Column> columns) {
        if (columns.isEmpty()) throw new IllegalArgumentException("a table needs a column");
        this.columns = List.copyOf(columns);
    }

    public TextTable(Column... columns) {
        this(List.of(columns));
    }

    public List<Column> columns() {
        return columns;
    }

    public int size() {
        return rows.size();
    }

    /** One row, a value per column: String for TEXT, a Number for COUNT and BYTES (null or negative: unknown). */
    public TextTable row(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table " + columns.size() + " columns");
        }
        Object[] r = new Object[cells.length];
        for (int i = 0; i < cells.length; i++) {
            Object c = cells[i];
            if (columns.get(i).numeric() && "".equals(c)) {
                r[i] = "";   // not applicable (a totals row's column that does not add up): blank, not unknown
            } else if (columns.get(i).numeric()) {
                if (c != null && !(c instanceof Long || c instanceof Integer)) {
                    throw new IllegalArgumentException("column " + columns.get(i).name() + " takes a number, not " + c.getClass().getSimpleName());
                }
                long v = c == null ? -1 : ((Number) c).longValue();
                r[i] = c == null || v < 0 && columns.get(i).kind() != Kind.CHANGE ? null : v;
            } else {
                r[i] = c == null ? null : c.toString();
            }
        }
        rows.add(r);
        return this;
    }

    /** The rows' values, copies (to build another table from this one's rows). */
    public List<Object[]> rowValues() {
        return rows.stream().map(Object[]::clone).toList();
    }

    /** The totals row's values: the label in the first text column, sums where a column adds up, "" (blank) elsewhere. */
    public Object[] totalsValues() {
        return totalsRow();
    }

    /** The label of the totals row in the first text column. */
    public TextTable totalsLabel(String label) {
        this.totalsLabel = label;
        return this;
    }

    /** The named columns only, in the order given (--columns a,b,c). */
    public TextTable select(List<String> names) {
        if (names == null || names.isEmpty()) return this;
        int[] idx = new int[names.size()];
        List<Column> chosen = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            idx[i] = indexOf("--columns", names.get(i).trim());
            chosen.add(columns.get(idx[i]));
        }
        TextTable t = new TextTable(chosen);
        t.totalsLabel = totalsLabel;
        t.totalsWhy = totalsWhy;
        for (Object[] r : rows) {
            Object[] s = new Object[idx.length];
            for (int i = 0; i < idx.length; i++) s[i] = r[idx[i]];
            t.rows.add(s);
        }
        return t;
    }

    /** Checks names against columns without a table at hand (option validation before a scan). */
    public static void check(String option, List<String> names, List<Column> columns) {
        for (String n : names) new TextTable(columns).indexOf(option, n.trim());
    }

    /** Rows sorted by a column: numbers largest first, text A to Z; unknowns last, ties keep their order. */
    public TextTable sortBy(String name) {
        if (name == null) return this;
        int i = indexOf("--sort", name.trim());
        boolean numeric = columns.get(i).numeric();
        Comparator<Object[]> known = numeric
                ? Comparator.comparing((Object[] r) -> (Long) r[i], Comparator.reverseOrder())
                : Comparator.comparing((Object[] r) -> (String) r[i]);
        java.util.function.Predicate<Object[]> unknown = r -> numeric ? !(r[i] instanceof Long) : r[i] == null;
        rows.sort(Comparator.comparing(unknown::test).thenComparing((a, b) -> unknown.test(a) ? 0 : known.compare(a, b)));
        return this;
    }

    private int indexOf(String option, String name) {
        for (int i = 0; i < columns.size(); i++) if (columns.get(i).name().equals(name)) return i;
        throw new UnknownColumn(option, name, columns);
    }

    /**
     * The footnote under a totals row when some shown numeric columns are not summed, e.g.
     * "total: mem_rss, mem_anon not summed (a page several groups map counts in each)"; null when all add up.
     */
    public String totalsNote(String why) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) all.add(i);
        return totalsNote(why, all);
    }

    private String totalsNote(String why, List<Integer> shown) {
        List<String> not = new ArrayList<>();
        for (int i : shown) if (columns.get(i).numeric() && !columns.get(i).sums()) not.add(columns.get(i).name());
        if (not.isEmpty()) return null;
        return totalsLabel + ": " + String.join(", ", not) + " not summed (" + why + ")";
    }

    /**
     * The table as text, each line ending with '\n', then its notes. Fitting a width, in this order: text columns
     * narrow (narrowest first keep their width, wide ones share the rest, wrapped in a box, cut with "…" in plain
     * columns); then numeric columns that hold 0 in every row are left out (a note names them); then the columns
     * that still do not fit continue in a second block, which repeats the first column.
     */
    public String render(Render how) {
        List<String[]> body = new ArrayList<>();
        for (Object[] r : rows) body.add(cells(r, how.units()));
        String[] totals = how.totals() && !rows.isEmpty() ? cells(totalsRow(), how.units()) : null;
        String[] header = columns.stream().map(c -> Text.visible(c.name())).toArray(String[]::new);
        List<String> notes = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        if (how.style() == Style.TSV) {
            tsvLine(sb, header);
            for (String[] r : body) tsvLine(sb, r);
            if (totals != null) tsvLine(sb, totals);
            return sb.toString();
        }
        Sizer z = new Sizer(header, body, totals, how.style(), how.width());
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) shown.add(i);
        if (!z.fits(shown)) {
            List<String> zero = new ArrayList<>();
            for (int i = 1; i < columns.size(); i++) {
                if (allZero(i)) {
                    zero.add(columns.get(i).name());
                    shown.remove(Integer.valueOf(i));
                }
            }
            if (!zero.isEmpty()) notes.add("not shown, 0 in every row: " + String.join(", ", zero));
        }
        List<List<Integer>> blocks = z.blocks(shown);
        for (int b = 0; b < blocks.size(); b++) {
            if (b > 0) sb.append('\n');
            List<Integer> cols = blocks.get(b);
            int[] w = z.widths(cols);
            if (how.style() == Style.BOX) box(sb, cols, header, body, totals, w);
            else plain(sb, cols, header, body, totals, w);
        }
        if (totals != null && totalsWhy != null) {
            String note = totalsNote(totalsWhy, shown);
            if (note != null) notes.add(note);
        }
        for (String n : notes) {
            for (String line : how.width() == UNLIMITED ? List.of(n) : wrap(n, how.width())) sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** Why the columns that do not add up do not (the totals note), e.g. "a page several groups map counts in each". */
    public TextTable totalsWhy(String why) {
        this.totalsWhy = why;
        return this;
    }

    private boolean allZero(int i) {
        if (!columns.get(i).numeric() || rows.isEmpty()) return false;
        for (Object[] r : rows) if (!(r[i] instanceof Long v) || v != 0) return false;
        return true;
    }

    /** Column widths for a width to fit. */
    private final class Sizer {
        final String[] header;
        final int[] natural;
        final Style style;
        final int total;

        Sizer(String[] header, List<String[]> body, String[] totals, Style style, int total) {
            this.header = header;
            this.style = style;
            this.total = total;
            natural = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                natural[i] = width(header[i]);
                for (String[] r : body) natural[i] = Math.max(natural[i], width(r[i]));
                if (totals != null) natural[i] = Math.max(natural[i], width(totals[i]));
            }
        }

        int overhead(int n) {
            return style == Style.BOX ? 1 + 3 * n : 2 * (n - 1);
        }

        /** Whether these columns fit with text columns at their narrowest. */
        boolean fits(List<Integer> cols) {
            if (total == UNLIMITED) return true;
            long sum = overhead(cols.size());
            for (int i : cols) sum += columns.get(i).whole() ? natural[i] : floor(i);
            return sum <= total;
        }

        int floor(int i) {
            return Math.min(natural[i], Math.max(6, width(header[i])));
        }

        /** The columns in blocks that each fit; every block after the first starts with the first column. */
        List<List<Integer>> blocks(List<Integer> cols) {
            List<List<Integer>> blocks = new ArrayList<>();
            List<Integer> current = new ArrayList<>();
            for (int i : cols) {
                current.add(i);
                // a block keeps at least its key column and one more, even when that alone is too wide
                if (!fits(current) && current.size() > (blocks.isEmpty() ? 1 : 2)) {
                    current.remove(current.size() - 1);
                    blocks.add(current);
                    current = new ArrayList<>(List.of(cols.get(0), i));
                }
            }
            blocks.add(current);
            return blocks;
        }

        /** Widths of these columns: numbers at their natural width, text narrowest first, each at most its share. */
        int[] widths(List<Integer> cols) {
            int[] w = new int[cols.size()];
            long sum = overhead(cols.size());
            for (int k = 0; k < cols.size(); k++) {
                w[k] = natural[cols.get(k)];
                sum += w[k];
            }
            if (total == UNLIMITED || sum <= total) return w;
            long left = (long) total - overhead(cols.size());
            List<Integer> text = new ArrayList<>();
            for (int k = 0; k < cols.size(); k++) {
                if (columns.get(cols.get(k)).whole()) left -= w[k];
                else text.add(k);
            }
            text.sort(Comparator.comparingInt(k -> natural[cols.get(k)]));
            for (int t = 0; t < text.size(); t++) {
                int k = text.get(t), i = cols.get(k);
                long share = Math.max(0, left) / (text.size() - t);
                w[k] = (int) Math.max(floor(i), Math.min(natural[i], share));
                left -= w[k];
            }
            return w;
        }
    }

    private Object[] totalsRow() {
        Object[] t = new Object[columns.size()];
        boolean labelled = false;
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            if (!c.numeric()) {
                if (!labelled) t[i] = totalsLabel;
                else t[i] = "";
                labelled = true;
            } else if (c.sums()) {
                long sum = 0;
                boolean unknown = false;
                for (Object[] r : rows) {
                    if (r[i] instanceof Long v) sum = Math.addExact(sum, v);
                    else unknown = true;
                }
                t[i] = unknown ? null : sum;
            } else {
                t[i] = "";
            }
        }
        return t;
    }

    private String[] cells(Object[] r, Bytes units) {
        String[] s = new String[r.length];
        for (int i = 0; i < r.length; i++) {
            Object v = r[i];
            if (v instanceof String str) s[i] = Text.visible(str);
            else if (v == null && !columns.get(i).numeric()) s[i] = "";
            else if (v == null) s[i] = "-";
            else if (columns.get(i).kind() == Kind.CHANGE) s[i] = units.signed((Long) v);
            else s[i] = columns.get(i).kind() == Kind.BYTES ? units.format((Long) v) : v.toString();
        }
        return s;
    }

    private static void tsvLine(StringBuilder sb, String[] cells) {
        StringJoiner j = new StringJoiner("\t", "", "\n");
        for (String c : cells) j.add(c);
        sb.append(j);
    }

    public static int width(String s) {
        return s.codePointCount(0, s.length());
    }

    private void box(StringBuilder sb, List<Integer> cols, String[] header, List<String[]> body, String[] totals, int[] w) {
        rule(sb, w, '┌', '┬', '┐');
        boxRow(sb, cols, header, w);
        // a table without rows is closed right under its header
        if (!body.isEmpty()) rule(sb, w, '├', '┼', '┤');
        for (String[] r : body) boxRow(sb, cols, r, w);
        if (totals != null) {
            rule(sb, w, '├', '┼', '┤');
            boxRow(sb, cols, totals, w);
        }
        rule(sb, w, '└', '┴', '┘');
    }

    private static void rule(StringBuilder sb, int[] w, char left, char mid, char right) {
        sb.append(left);
        for (int i = 0; i < w.length; i++) {
            sb.append("─".repeat(w[i] + 2)).append(i == w.length - 1 ? right : mid);
        }
        sb.append('\n');
    }

    private void boxRow(StringBuilder sb, List<Integer> cols, String[] cells, int[] w) {
        List<List<String>> lines = new ArrayList<>();
        int height = 1;
        for (int k = 0; k < cols.size(); k++) {
            String c = cells[cols.get(k)];
            List<String> l = columns.get(cols.get(k)).whole() ? List.of(c) : wrap(c, w[k]);
            lines.add(l);
            height = Math.max(height, l.size());
        }
        for (int line = 0; line < height; line++) {
            sb.append('│');
            for (int k = 0; k < cols.size(); k++) {
                String s = line < lines.get(k).size() ? lines.get(k).get(line) : "";
                sb.append(' ').append(pad(s, w[k], columns.get(cols.get(k)).numeric())).append(" │");
            }
            sb.append('\n');
        }
    }

    private void plain(StringBuilder sb, List<Integer> cols, String[] header, List<String[]> body, String[] totals, int[] w) {
        plainRow(sb, cols, header, w);
        for (String[] r : body) plainRow(sb, cols, r, w);
        if (totals != null) plainRow(sb, cols, totals, w);
    }

    private void plainRow(StringBuilder sb, List<Integer> cols, String[] cells, int[] w) {
        StringBuilder line = new StringBuilder();
        for (int k = 0; k < cols.size(); k++) {
            boolean num = columns.get(cols.get(k)).numeric();
            String s = columns.get(cols.get(k)).whole() ? cells[cols.get(k)] : cut(cells[cols.get(k)], w[k]);
            line.append(pad(s, w[k], num));
            if (k < cols.size() - 1) line.append("  ");
        }
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') end--;
        sb.append(line, 0, end).append('\n');
    }

    private static String pad(String s, int w, boolean right) {
        int fill = Math.max(0, w - width(s));
        return right ? " ".repeat(fill) + s : s + " ".repeat(fill);
    }

    /** The text cut to w characters, its last one "…" when something was cut. */
    public static String cut(String s, int w) {
        if (width(s) <= w) return s;
        if (w <= 1) return "…";
        return s.substring(0, s.offsetByCodePoints(0, w - 1)) + "…";
    }

    /** Lines of at most w characters, broken after a space, '/', ',' or ')' where one is near, else anywhere. */
    public static List<String> wrap(String s, int w) {
        List<String> out = new ArrayList<>();
        String rest = s;
        while (width(rest) > w) {
            int hard = rest.offsetByCodePoints(0, Math.max(1, w));
            int brk = -1;
            for (int i = hard; i > hard / 2; i--) {
                char c = rest.charAt(i - 1);
                if (c == ' ' || c == '/' || c == ',' || c == ')') {
                    brk = i;
                    break;
                }
            }
            int at = brk > 0 ? brk : hard;
            out.add(rest.substring(0, at).stripTrailing());
            rest = rest.substring(at);
            if (rest.startsWith(" ")) rest = rest.stripLeading();
        }
        out.add(rest);
        return out;
    }
}
