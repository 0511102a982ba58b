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
 * unknown); text cells are made from them.
 *
 * @param <R> the row type
 */
public final class Columns<R> {

    /** One column: header null for a JSON-only column, key null for a text-only one. */
    public record Column<R>(String header, String key, Function<R, Object> value, Function<R, Object> text) {
    }

    private final List<Column<R>> columns = new ArrayList<>();

    /** The same value in text and JSON, under the same name. */
    public Columns<R> add(String name, Function<R, Object> value) {
        return add(name, name, value, value);
    }

    /** Bytes: MB in text, a number of bytes in JSON. */
    public Columns<R> bytes(String name, ToLongFunction<R> value) {
        return bytes(name, name, value);
    }

    public Columns<R> bytes(String header, String key, ToLongFunction<R> value) {
        return add(header, key, r -> value.applyAsLong(r), r -> Units.mb(value.applyAsLong(r)));
    }

    /** Bytes that may be unknown (negative): "-" in text, null in JSON. */
    public Columns<R> bytesOrUnknown(String name, ToLongFunction<R> value) {
        return add(name, name, r -> orNull(value.applyAsLong(r)), r -> value.applyAsLong(r) < 0 ? "-" : Units.mb(value.applyAsLong(r)));
    }

    /** A count that may be unknown (negative): "-" in text, null in JSON. */
    public Columns<R> countOrUnknown(String header, String key, ToLongFunction<R> value) {
        return add(header, key, r -> orNull(value.applyAsLong(r)), r -> value.applyAsLong(r) < 0 ? "-" : value.applyAsLong(r));
    }

    public Columns<R> add(String header, String key, Function<R, Object> value, Function<R, Object> text) {
        columns.add(new Column<>(header, key, value, text));
        return this;
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
            add(c.header(), c.key(), c.value() == null ? null : r -> c.value().apply(of.apply(r)),
                    c.text() == null ? null : r -> c.text().apply(of.apply(r)));
        }
        return this;
    }

    public List<Column<R>> columns() {
        return List.copyOf(columns);
    }

    /** The text table of these rows. */
    public Table table(Iterable<R> rows) {
        List<Column<R>> shown = columns.stream().filter(c -> c.header() != null).toList();
        Table t = new Table(shown.stream().map(Column::header).toList());
        for (R r : rows) {
            List<String> cells = new ArrayList<>();
            for (Column<R> c : shown) cells.add(String.valueOf(c.text().apply(r)));
            t.row(cells);
        }
        return t;
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
