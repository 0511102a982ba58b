import lib.text.Csv;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** RFC 4180 output, read back by an RFC 4180 reader written here from the RFC's grammar. */
class CsvTest {

    /** file = record *(CRLF record); field = escaped / non-escaped (RFC 4180 section 2). */
    static List<List<String>> read(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> rec = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) == '"') {
                i++;
                while (true) {
                    char c = text.charAt(i++);
                    if (c == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
            } else {
                while (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '\r') {
                    char c = text.charAt(i++);
                    assertTrue(c != '"' && c != '\n', "unquoted field holds " + (int) c);
                    f.append(c);
                }
            }
            rec.add(f.toString());
            f.setLength(0);
            if (text.charAt(i) == ',') {
                i++;
            } else {
                assertEquals("\r\n", text.substring(i, i + 2), "records end with CRLF");
                i += 2;
                records.add(rec);
                rec = new ArrayList<>();
            }
        }
        return records;
    }

    @Test
    void quotesCommasAndNewlinesInNamesRoundTrip() {
        List<String> names = List.of("plain", "with,comma", "with \"quotes\"", "two\nlines", "cr\r\nlf", "", "-bash", " spaced ");
        Csv csv = new Csv(List.of("split", "group_name", "mem_rss"));
        for (int i = 0; i < names.size(); i++) csv.row("UID", names.get(i), 4096L * i);
        String text = csv.render();
        List<List<String>> back = read(text);
        assertEquals(List.of("split", "group_name", "mem_rss"), back.get(0));
        assertEquals(names.size() + 1, back.size(), text);
        for (int i = 0; i < names.size(); i++) {
            assertEquals(List.of("UID", names.get(i), Long.toString(4096L * i)), back.get(i + 1));
        }
        assertTrue(text.contains("\r\nUID,plain,0\r\n"), "fields needing no quotes are left bare");
        assertTrue(text.contains("\"with \"\"quotes\"\"\""), text);
    }

    @Test
    void aRowOfTheWrongWidthIsAnError() {
        Csv csv = new Csv(List.of("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> csv.row("only one"));
    }
}
