package lib.cli;

import lib.text.Bytes;
import lib.text.TextTable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** How tables are shown: a picocli mixin shared by the tools that print tables. */
public final class TableOptions {
    @Option(scope = CommandLine.ScopeType.INHERIT, names = "--sort", paramLabel = "COLUMN",
            description = "Sort rows by COLUMN: sizes and counts largest first, names A to Z, unknown (-) last.%nExample: --sort mem_uss")
    String sort;

    @Option(scope = CommandLine.ScopeType.INHERIT, names = "--columns", paramLabel = "LIST", split = ",",
            description = "Show only these columns, in this order.%nExample: --columns group_name,procs,mem_uss")
    List<String> columns = new ArrayList<>();

    @Option(scope = CommandLine.ScopeType.INHERIT, names = "--no-box", description = "Plain columns aligned with spaces instead of a box (text format).%nExample: --no-box")
    boolean noBox;

    @Option(scope = CommandLine.ScopeType.INHERIT, names = "--totals", negatable = true, fallbackValue = "true",
            description = "Add a totals row (default: on for text, off for tsv). Only columns that add up across the rows are summed; "
                    + "a line under the table names those that do not.%nExample: --no-totals")
    Boolean totals;

    @CommandLine.Mixin
    UnitOptions unitOptions = new UnitOptions();

    /** The units chosen; machine formats default to whole bytes, text to auto. */
    public Bytes units(boolean machine) {
        return unitOptions.units(machine);
    }

    /** Checks --sort and --columns against a table's columns before any work is done (a usage error). */
    public void check(List<TextTable.Column> all) {
        try {
            TextTable.check("--columns", columns, all);
            if (sort != null) TextTable.check("--sort", List.of(sort), all);
        } catch (TextTable.UnknownColumn e) {
            throw new Cli.UsageError(e.getMessage());
        }
    }

    /** The table with the chosen columns, sorted. --sort may name a column --columns leaves out. */
    public TextTable apply(TextTable t) {
        return t.sortBy(sort).select(columns);
    }

    /** How to render for tsv or text at this width. */
    public TextTable.Render render(boolean tsv, int width) {
        TextTable.Style style = tsv ? TextTable.Style.TSV : noBox ? TextTable.Style.PLAIN : TextTable.Style.BOX;
        boolean t = totals != null ? totals : !tsv;
        return new TextTable.Render(style, tsv ? TextTable.UNLIMITED : width, units(tsv), t);
    }

    public boolean noBox() {
        return noBox;
    }
}
