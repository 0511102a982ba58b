import lib.text.PromText;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Prometheus text writer: promtool accepts it, label values survive escaping. */
class PromTextTest {
    private static final String NASTY = "a\"b\\c\nd,e} f=\"g\" ü";

    private static PromText sample() {
        PromText p = new PromText();
        PromText.Family rss = p.gauge("linuxmem_group_mem_rss_bytes", "Frames the group maps \\ once\neach.", "split", "group");
        rss.add(4096L, "UID", "root");
        rss.add(1L << 40, "UID", NASTY);
        rss.add(0L, "comm", "");
        p.gauge("linuxmem_scan_duration_seconds", "Time the scan took.").add(1.25);
        p.gauge("linuxmem_scan_partial", "1 when the memory limit cut the scan short.").add(0L);
        p.gauge("linuxmem_unused_bytes", "A family without samples is left out.", "x");
        return p;
    }

    @Test
    void promtoolAcceptsTheOutput() throws Exception {
        Assumptions.assumeTrue(Promtool.available(), "promtool not installed (Debian package prometheus)");
        Promtool.check(sample().render());
    }

    @Test
    void nodeExporterServesTheFileWithTheSameValues(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        lib.cli.OutputFile.write(dir.resolve("linuxmem.prom"), sample().render().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (NodeExporter ne = NodeExporter.start(dir)) {
            List<Promtool.Sample> got = ne.samples("linuxmem_");
            List<Promtool.Sample> want = Promtool.parse(sample().render());
            assertEquals(want.size(), got.size(), got.toString());
            for (Promtool.Sample w : want) {
                assertTrue(got.stream().anyMatch(g -> g.name().equals(w.name()) && g.labels().equals(w.labels())
                        && g.value() == w.value()), "node_exporter serves " + w);
            }
        }
    }

    @Test
    void labelValuesAreEscapedAndReadBack() {
        String text = sample().render();
        List<Promtool.Sample> s = Promtool.parse(text);
        assertEquals(5, s.size(), text);
        assertEquals(Map.of("split", "UID", "group", NASTY), s.get(1).labels());
        assertEquals(1L << 40, (long) s.get(1).value());
        assertEquals(1.25, s.get(3).value());
        assertFalse(text.contains("linuxmem_unused_bytes"), "empty family left out");
        assertTrue(text.contains("# HELP linuxmem_group_mem_rss_bytes Frames the group maps \\\\ once\\neach.\n"), text);
        assertTrue(text.contains("group=\"a\\\"b\\\\c\\nd,e} f=\\\"g\\\" ü\""), text);
    }

    @Test
    void aRepeatedSeriesOrFamilyOrBadNameIsRefused() {
        PromText p = new PromText();
        PromText.Family f = p.gauge("linuxmem_x_bytes", "x", "split", "group");
        f.add(1L, "a", "b");
        assertThrows(IllegalArgumentException.class, () -> f.add(2L, "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> f.add(2L, "a"));
        assertThrows(IllegalArgumentException.class, () -> p.gauge("linuxmem_x_bytes", "again"));
        assertThrows(IllegalArgumentException.class, () -> p.gauge("linuxmem-x", "dash"));
        assertThrows(IllegalArgumentException.class, () -> p.gauge("linuxmem_y", "y", "__reserved"));
    }

    @Test
    void valuesAreWrittenSoPrometheusReadsThemBack() {
        PromText p = new PromText();
        PromText.Family f = p.gauge("v", "v", "k");
        f.add(Long.MAX_VALUE, "max");
        f.add(0.001, "small");
        f.add(3.0, "whole");
        f.add(Double.NaN, "nan");
        String t = p.render();
        assertTrue(t.contains("v{k=\"max\"} 9223372036854775807\n"), t);
        assertTrue(t.contains("v{k=\"whole\"} 3\n"), t);
        assertTrue(t.contains("v{k=\"nan\"} NaN\n"), t);
        assertEquals(0.001, Promtool.parse(t).get(1).value());
    }
}
