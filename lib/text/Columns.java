package lib.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A table's columns described once: for each its text header and cell, its JSON key and value. The
 * text table and the JSON rows (and any other format: a column's key and raw value are all it needs)
 * are made from the same list, so they cannot drift apart. Values are raw (bytes, counts, null for
 * unknown); the text table formats them (units, alignment, width) when it is rendered.
 *
 * @param <R> the row type
 */
public final class Columns<R> {

    /**
     * One column: header null for a JSON-only column, key null for a text-only one. kind null: a count when
     * every text cell is a number, text otherwise. sums: the column adds up over the rows (a totals row sums it).
     * whole: text never wrapped or cut (a key, an address).
     */
    public record Column<R>(String header, String key, Function<R, Object> value, Function<R, Object> text,
                            TextTable.Kind kind, boolean sums, boolean whole) {
        Column<R> summing() {
            return new Column<>(header, key, value, text, kind, true, whole);
        }

        Column<R> kept() {
            return new Column<>(header, key, value, text, kind, sums, true);
        }
    }

    private final List<Column<R>> columns = new ArrayList<>();

    /** The same value in text and JSON, under the same name. */
    public Columns<R> add(String name, Function<R, Object> value) {
        return add(name, name, value, value);
    }

    /** Bytes: a size in text (in the units asked for), a number of bytes in JSON. */
    public Columns<R> bytes(String name, ToLongFunction<R> value) {
        return bytes(name, name, value);
    }

    public Columns<R> bytes(String header, String key, ToLongFunction<R> value) {
        return column(new Column<>(header, key, r -> value.applyAsLong(r), r -> value.applyAsLong(r), TextTable.Kind.BYTES, false, true));
    }

    /** A signed change of bytes (after - before): "+1.00 MiB" in text, a number in JSON. */
    public Columns<R> change(String name, ToLongFunction<R> value) {
        return column(new Column<>(name, name, r -> value.applyAsLong(r), r -> value.applyAsLong(r), TextTable.Kind.CHANGE, false, true));
    }

    /** A signed change of bytes that may be unknown (null): "-" in text, null in JSON. */
    public Columns<R> changeOrUnknown(String name, Function<R, Long> value) {
        return column(new Column<>(name, name, value::apply, value::apply, TextTable.Kind.CHANGE, false, true));
    }

    /** Bytes that may be unknown (negative): "-" in text, null in JSON. */
    public Columns<R> bytesOrUnknown(String name, ToLongFunction<R> value) {
        return column(new Column<>(name, name, r -> orNull(value.applyAsLong(r)), r -> value.applyAsLong(r), TextTable.Kind.BYTES, false, true));
    }

    /** A count that may be unknown (negative): "-" in text, null in JSON. */
    public Columns<R> countOrUnknown(String header, String key, ToLongFunction<R> value) {
        return column(new Column<>(header, key, r -> orNull(value.applyAsLong(r)), r -> value.applyAsLong(r), TextTable.Kind.COUNT, false, true));
    }

    public Columns<R> add(String header, String key, Function<R, Object> value, Function<R, Object> text) {
        return column(new Column<>(header, key, value, text, null, false, false));
    }

    public Columns<R> jsonOnly(String key, Function<R, Object> value) {
        return add(null, key, value, null);
    }

    public Columns<R> textOnly(String header, Function<R, Object> text) {
        return add(header, null, null, text);
    }

    /** The columns of part, each reading the part of a row that of gives. */
    public <T> Columns<R> include(Columns<T> part, Function<R, T> of) {
        for (Column<T> c : part.columns) {
            column(new Column<>(c.header(), c.key(), c.value() == null ? null : r -> c.value().apply(of.apply(r)),
                    c.text() == null ? null : r -> c.text().apply(of.apply(r)), c.kind(), c.sums(), c.whole()));
        }
        return this;
    }

    private Columns<R> column(Column<R> c) {
        columns.add(c);
        return this;
    }

    /** The column added last adds up over the rows: a totals row sums it (procs and uss over a split's groups). */
    public Columns<R> sums() {
        columns.set(columns.size() - 1, columns.get(columns.size() - 1).summing());
        return this;
    }

    /** The column added last is never wrapped or cut to fit a width (a key, an address, a user name). */
    public Columns<R> whole() {
        columns.set(columns.size() - 1, columns.get(columns.size() - 1).kept());
        return this;
    }

    /**
     * The same columns for a machine format (CSV, TSV): each column with a key, under its key, with its JSON value
     * (JSON-only columns included, text-only ones left out).
     */
    public Columns<R> keyed() {
        Columns<R> k = new Columns<>();
        for (Column<R> c : columns) {
            if (c.key() != null) k.column(new Column<>(c.key(), c.key(), c.value(), c.value(), c.kind(), c.sums(), c.whole()));
        }
        return k;
    }

    public List<Column<R>> columns() {
        return List.copyOf(columns);
    }

    /** The text table's columns without rows (names for --columns and --sort; a column of unknown kind as text). */
    public List<TextTable.Column> textColumns() {
        return columns.stream().filter(c -> c.header() != null)
                .map(c -> new TextTable.Column(c.header(), c.kind() == null ? TextTable.Kind.TEXT : c.kind(), c.sums(),
                        c.whole() || c.kind() != null && c.kind() != TextTable.Kind.TEXT))
                .toList();
    }

    /** The text table of these rows: sizes and counts as numbers, formatted when it is rendered. */
    public TextTable table(Iterable<R> rows) {
        List<Column<R>> shown = columns.stream().filter(c -> c.header() != null).toList();
        List<Object[]> cells = new ArrayList<>();
        for (R r : rows) {
            Object[] row = new Object[shown.size()];
            for (int i = 0; i < shown.size(); i++) row[i] = shown.get(i).text().apply(r);
            cells.add(row);
        }
        List<TextTable.Column> header = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            Column<R> c = shown.get(i);
            TextTable.Kind kind = c.kind() != null ? c.kind() : numbers(cells, i) ? TextTable.Kind.COUNT : TextTable.Kind.TEXT;
            header.add(new TextTable.Column(c.header(), kind, c.sums(), c.whole() || kind != TextTable.Kind.TEXT));
        }
        TextTable t = new TextTable(header);
        for (Object[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                if (header.get(i).kind() == TextTable.Kind.TEXT) row[i] = row[i] == null ? "-" : String.valueOf(row[i]);
                else if (row[i] instanceof Number n) row[i] = n.longValue();
            }
            t.row(row);
        }
        return t;
    }

    /** Whether column i holds whole numbers in every row (and there is a row). */
    private static boolean numbers(List<Object[]> cells, int i) {
        if (cells.isEmpty()) return false;
        for (Object[] r : cells) if (!(r[i] instanceof Long || r[i] instanceof Integer)) return false;
        return true;
    }

    /** One JSON object per row, keys in column order. */
    public List<Object> json(Iterable<R> rows) {
        List<Object> out = new ArrayList<>();
        for (R r : rows) out.add(json(r));
        return out;
    }

    public Map<String, Object> json(R row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Column<R> c : columns) if (c.key() != null) m.put(c.key(), c.value().apply(row));
        return m;
    }

    private static Long orNull(long n) {
        return n < 0 ? null : n;
    }
}
