package lib.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Comma-separated values as RFC 4180 writes them: a header, CRLF after every record, a field
 * quoted when it holds a comma, a double quote, CR or LF, and quotes inside doubled.
 */
public final class Csv {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Csv(List<String> header) {
        this.header = List.copyOf(header);
    }

    public Csv row(List<?> cells) {
        if (cells.size() != header.size()) throw new IllegalArgumentException("row has " + cells.size() + " fields, header " + header.size());
        List<String> r = new ArrayList<>(cells.size());
        for (Object c : cells) r.add(c == null ? "" : String.valueOf(c));
        rows.add(r);
        return this;
    }

    public Csv row(Object... cells) {
        return row(java.util.Arrays.asList(cells));
    }

    /** One field, quoted when RFC 4180 needs it. */
    public static String field(String s) {
        boolean quote = false;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        record(sb, header);
        for (List<String> r : rows) record(sb, r);
        return sb.toString();
    }

    private static void record(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(field(fields.get(i)));
        }
        sb.append("\r\n");
    }
}
