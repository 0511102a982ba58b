import lib.text.Bytes;
import lib.text.TextTable;
import lib.text.TextTable.Column;
import lib.text.TextTable.Render;
import lib.text.TextTable.Style;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tables that fit the terminal, sort, choose columns, total what adds up, and never pass control characters. */
class TextTableTest {
    static final long MiB = 1024 * 1024;

    static TextTable groups() {
        return new TextTable(Column.text("group_name"), Column.count("procs", true), Column.bytes("mem_rss", false),
                Column.bytes("mem_uss", true))
                .row("postgres", 12, 300 * MiB, 40 * MiB)
                .row("root", 80, 900 * MiB, 700 * MiB)
                .row("Other", 3, null, 2 * MiB);
    }

    @Test
    void boxAtNaturalWidthRightAlignsNumbers() {
        String t = new TextTable(Column.text("name"), Column.bytes("size", true)).row("a", 1024L).row("bb", 0L)
                .render(Render.box(TextTable.UNLIMITED));
        assertEquals("""
                ┌──────┬──────────┐
                │ name │     size │
                ├──────┼──────────┤
                │ a    │ 1.00 KiB │
                │ bb   │      0 B │
                └──────┴──────────┘
                """, t);
    }

    @Test
    void aTableWithoutRowsIsClosedUnderItsHeader() {
        assertEquals("""
                ┌───┐
                │ a │
                └───┘
                """, new TextTable(Column.text("a")).render(Render.box(80)));
    }

    @Test
    void controlCharactersInCellsAreEscaped() {
        String t = new TextTable(Column.text("comm")).row("a\u001b[31mb\tc\u009bd\u202ee").render(Render.box(TextTable.UNLIMITED));
        assertFalse(t.chars().anyMatch(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f || c == 0x202e), t);
        assertTrue(t.contains("a\\x1b[31mb\\x09c\\x9bd\\u202ee"), t);
    }

    @Test
    void longTextWrapsInABoxToFitTheWidthAndNumbersStayWhole() {
        String name = "or(comm(postgres),comm(postmaster),env_kv(PGDATA,/var/lib/postgresql/16/main))";
        TextTable t = new TextTable(Column.text("user"), Column.text("group_name"), Column.bytes("mem_rss", false))
                .row("postgres", name, 123456789L);
        String out = t.render(Render.box(50));
        for (String line : out.split("\n")) assertTrue(TextTable.width(line) <= 50, line.length() + ": " + line);
        // the narrow column keeps its width, the wide one wraps; nothing is lost
        assertTrue(out.contains("│ postgres │"), out);
        assertTrue(out.contains("117.7 MiB") || out.contains("118 MiB"), out);
        StringBuilder joined = new StringBuilder();
        for (String line : out.split("\n")) {
            String[] cells = line.split("│");
            if (cells.length > 2 && !cells[2].isBlank() && !cells[2].contains("group_name")) joined.append(cells[2].strip());
        }
        assertEquals(name, joined.toString());
    }

    @Test
    void plainColumnsCutLongTextWithAMarkerAndHaveNoTrailingSpaces() {
        TextTable t = new TextTable(Column.text("mount_point"), Column.bytes("size", true))
                .row("/a/very/long/mount/point/that/does/not/fit/in/the/width", 4096L).row("/", 0L);
        String out = t.render(new Render(Style.PLAIN, 30, Bytes.AUTO, false));
        for (String line : out.split("\n")) {
            assertTrue(TextTable.width(line) <= 30, line);
            assertFalse(line.endsWith(" "), "[" + line + "]");
        }
        assertTrue(out.contains("…"), out);
        assertEquals("mount_point", out.split("\n")[0].split(" +")[0]);
    }

    @Test
    void unlimitedWidthKeepsEverything() {
        String name = "x".repeat(300);
        String out = new TextTable(Column.text("n")).row(name).render(new Render(Style.PLAIN, TextTable.UNLIMITED, Bytes.AUTO, false));
        assertTrue(out.contains(name));
    }

    @Test
    void tsvIsTabSeparatedWithExactBytes() {
        String out = groups().render(new Render(Style.TSV, 20, Bytes.EXACT, false));
        assertEquals("group_name\tprocs\tmem_rss\tmem_uss\n"
                + "postgres\t12\t" + 300 * MiB + "\t" + 40 * MiB + "\n"
                + "root\t80\t" + 900 * MiB + "\t" + 700 * MiB + "\n"
                + "Other\t3\t-\t" + 2 * MiB + "\n", out);
    }

    @Test
    void sortsNumbersLargestFirstUnknownLastAndTextAToZ() {
        TextTable t = groups().sortBy("mem_rss");
        assertEquals(List.of("root", "postgres", "Other"), names(t));
        assertEquals(List.of("Other", "postgres", "root"), names(groups().sortBy("group_name")));
        assertEquals(List.of("root", "postgres", "Other"), names(groups().sortBy("procs")));
        // ties keep their order
        TextTable ties = new TextTable(Column.text("n"), Column.count("c", true)).row("b", 1).row("a", 1).row("c", 2);
        assertEquals(List.of("c", "b", "a"), names(ties.sortBy("c")));
    }

    static List<String> names(TextTable t) {
        return t.render(new Render(Style.TSV, 0, Bytes.EXACT, false)).lines().skip(1).map(l -> l.split("\t")[0]).toList();
    }

    @Test
    void chosenColumnsInTheirOrderAndUnknownNamesListTheValidOnes() {
        String out = groups().select(List.of("mem_uss", "group_name")).render(new Render(Style.TSV, 0, Bytes.EXACT, false));
        assertTrue(out.startsWith("mem_uss\tgroup_name\n" + 40 * MiB + "\tpostgres\n"), out);
        TextTable.UnknownColumn e = assertThrows(TextTable.UnknownColumn.class, () -> groups().select(List.of("group_name", "rss")));
        assertEquals("--columns: no column 'rss'; columns: group_name, procs, mem_rss, mem_uss", e.getMessage());
        e = assertThrows(TextTable.UnknownColumn.class, () -> groups().sortBy("uss"));
        assertTrue(e.getMessage().startsWith("--sort: no column 'uss'"), e.getMessage());
        assertThrows(TextTable.UnknownColumn.class, () -> TextTable.check("--columns", List.of("x\u001b"), groups().columns()));
    }

    @Test
    void totalsSumOnlyColumnsThatAddUpAndSaySoBelow() {
        TextTable t = groups();
        String out = t.render(new Render(Style.TSV, 0, Bytes.EXACT, true));
        assertTrue(out.endsWith("total\t95\t\t" + 742 * MiB + "\n"), out);
        assertEquals("total: mem_rss not summed (a page several groups map counts in each)",
                t.totalsNote("a page several groups map counts in each"));
        assertNull(t.select(List.of("group_name", "mem_uss")).totalsNote("x"));
        // an unknown in a column that adds up makes its total unknown
        TextTable u = new TextTable(Column.text("g"), Column.bytes("uss", true)).row("a", 1L).row("b", null);
        assertTrue(u.render(new Render(Style.TSV, 0, Bytes.EXACT, true)).endsWith("total\t-\n"));
        String box = groups().render(new Render(Style.BOX, TextTable.UNLIMITED, Bytes.AUTO, true));
        assertTrue(box.contains("│ total      │    95 │         │  742 MiB │"), box);
    }

    static TextTable memstatsLike(long swap) {
        TextTable t = new TextTable(Column.text("group_name"), Column.count("procs", true), Column.bytes("mem_rss", false),
                Column.bytes("mem_anon", false), Column.bytes("mem_uss", true), Column.bytes("swap_anon", false),
                Column.bytes("swap_rss", false), Column.bytes("swap_uss", true), Column.bytes("shm_mem", false),
                Column.bytes("shm_swap", false));
        t.row("root", 80, 900 * MiB, 800 * MiB, 700 * MiB, swap, swap, swap, 2 * MiB, 0L);
        t.row("postgres", 12, 300 * MiB, 40 * MiB, 40 * MiB, 0L, 0L, 0L, 149 * MiB, 0L);
        return t;
    }

    @Test
    void columnsOfZerosGoFirstWhenATableIsTooWideAndANoteNamesThem() {
        String out = memstatsLike(0).render(new Render(Style.BOX, 80, Bytes.AUTO, true));
        for (String line : out.split("\n")) assertTrue(TextTable.width(line) <= 80, line);
        assertTrue(out.contains("not shown, 0 in every row: swap_anon, swap_rss, swap_uss, shm_swap\n"), out);
        assertTrue(out.replace("\n", " ").contains("total: mem_rss, mem_anon, shm_mem not summed (a page several groups map counts in each)"), out);
        assertFalse(out.contains("swap_anon │"), out);
        // wide enough: every column, no note about zeros
        String wide = memstatsLike(0).render(new Render(Style.BOX, 200, Bytes.AUTO, false));
        assertTrue(wide.contains("│ swap_anon │") && !wide.contains("not shown"), wide);
    }

    @Test
    void whatStillDoesNotFitContinuesInABlockThatRepeatsTheFirstColumn() {
        String out = memstatsLike(5 * MiB).render(new Render(Style.BOX, 80, Bytes.AUTO, false));
        for (String line : out.split("\n")) assertTrue(TextTable.width(line) <= 80, line);
        String[] blocks = out.split("\n\n");
        assertTrue(blocks.length >= 2, out);
        for (String b : blocks) assertTrue(b.startsWith("┌") && b.split("\n")[1].startsWith("│ group_name"), out);
        for (String c : new String[]{"procs", "mem_rss", "mem_anon", "mem_uss", "swap_anon", "swap_rss", "swap_uss", "shm_mem"}) {
            assertEquals(1, out.split(" " + c + " ", -1).length - 1, c + " once in\n" + out);
        }
        String plain = memstatsLike(5 * MiB).render(new Render(Style.PLAIN, 80, Bytes.AUTO, false));
        for (String line : plain.split("\n")) assertTrue(TextTable.width(line) <= 80, line);
    }

    @Test
    void labelsStayWholeAndTextTakesWhatIsLeft() {
        TextTable t = new TextTable(Column.label("start"), Column.text("pathname"), Column.bytes("rss", true))
                .row("ffffffffff600000", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 4096L);
        String out = t.render(Render.box(40));
        for (String line : out.split("\n")) assertTrue(TextTable.width(line) <= 40, line);
        assertTrue(out.contains("│ ffffffffff600000 │"), out);
        String plain = t.render(new Render(Style.PLAIN, 40, Bytes.AUTO, false));
        assertTrue(plain.contains("ffffffffff600000  /usr/lib/") && plain.contains("…  4.00 KiB"), plain);
        // too narrow for all three even at their narrowest: the rest continues below, the label repeated
        String blocks = t.render(new Render(Style.PLAIN, 30, Bytes.AUTO, false));
        assertEquals(2, blocks.split("ffffffffff600000", -1).length - 1, blocks);
    }

    @Test
    void wrapBreaksAfterSeparatorsWhereItCan() {
        assertEquals(List.of("/var/lib/", "postgresql"), TextTable.wrap("/var/lib/postgresql", 10));
        assertEquals(List.of("abcdefghij", "klm"), TextTable.wrap("abcdefghijklm", 10));
        assertEquals("abcd…", TextTable.cut("abcdefgh", 5));
        assertEquals("abc", TextTable.cut("abc", 5));
    }
}
