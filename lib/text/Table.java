package lib.text;

import de.vandermeer.asciitable.AsciiTable;
import de.vandermeer.asciitable.CWC_LongestLine;
import de.vandermeer.asciithemes.u8.U8_Grids;
import de.vandermeer.skb.interfaces.transformers.textformat.TextAlignment;

import java.util.ArrayList;
import java.util.List;

/**
 * A box-drawn table (light Unicode grid, one space of padding, left-aligned), as the seeds show. Cells hold
 * other users' text (comm, environment values, pathnames): control characters are shown escaped ({@link Text}).
 */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(List<String> header) {
        this.header = header.stream().map(Text::visible).toList();
    }

    public Table(String... header) {
        this(List.of(header));
    }

    public Table row(List<String> cells) {
        if (cells.size() != header.size()) throw new IllegalArgumentException("row has " + cells.size() + " cells, header " + header.size());
        rows.add(cells.stream().map(Text::visible).toList());
        return this;
    }

    public Table row(Object... cells) {
        List<String> s = new ArrayList<>();
        for (Object c : cells) s.add(String.valueOf(c));
        return row(s);
    }

    public int size() {
        return rows.size();
    }

    public String render() {
        AsciiTable at = new AsciiTable();
        at.addRule();
        at.addRow(header.toArray());
        at.addRule();
        for (List<String> r : rows) at.addRow(r.toArray());
        // a rule right after the header rule renders as garbage: with no rows the header rule closes the box
        if (!rows.isEmpty()) at.addRule();
        at.getContext().setGrid(U8_Grids.borderLight());
        at.getRenderer().setCWC(new CWC_LongestLine());
        at.setPaddingLeftRight(1);
        at.setTextAlignment(TextAlignment.LEFT);
        return at.render();
    }
}
