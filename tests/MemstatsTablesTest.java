import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * memstats' tables on the shared frame (issue 16): --sort, --columns, totals that say what adds up, --no-box,
 * --units/--bytes, TSV and CSV honouring the same choices, the width of an 80-column terminal; the whole-RAM
 * account and diff in every format; --interval rewriting -o. On real processes with known memory.
 */
@NeedsRoot
class MemstatsTablesTest {
    static final long MiB = Tool.MiB;

    private static String only(List<Integer> pids) {
        return "or(" + MemstatsGroupsTest.pidFilters(pids) + ")";
    }

    /** Three groups of known anonymous memory: A 24 MiB, B 8 MiB, C 16 MiB. */
    private static List<Workload> start(String var) throws Exception {
        List<Workload> w = new ArrayList<>();
        w.add(Workload.start(Map.of(var, "A"), "anon:24"));
        w.add(Workload.start(Map.of(var, "B"), "anon:8"));
        w.add(Workload.start(Map.of(var, "C"), "anon:16"));
        return w;
    }

    private static List<Integer> pids(List<Workload> w) {
        return w.stream().map(Workload::pid).toList();
    }

    private static void stop(List<Workload> w) {
        for (Workload x : w) x.close();
    }

    @Test
    void tsvAndCsvSortChooseColumnsAndTotalWhatAddsUp() throws Exception {
        String var = "MEMTEST_TBL_" + ProcessHandle.current().pid();
        List<Workload> w = start(var);
        try {
            String f = only(pids(w));
            Tool.Result json = Tool.memstats("-f", f, "groups", "-e", var, "--format", "json");
            assertEquals(0, json.exit(), json.toString());
            Map<String, Map<String, Object>> groups = Tool.groups(json, "environment variable " + var);

            Tool.Result tsv = Tool.memstats("-f", f, "groups", "-e", var, "--format", "tsv", "--sort", "mem_uss",
                    "--columns", "group_name,procs,mem_uss,mem_rss", "--totals");
            assertEquals(0, tsv.exit(), tsv.toString());
            List<String> lines = tsv.out().lines().toList();
            assertEquals("group_name\tprocs\tmem_uss\tmem_rss", lines.get(0));
            assertEquals(5, lines.size(), tsv.out());
            List<String> order = new ArrayList<>();
            long sum = 0;
            for (String l : lines.subList(1, 4)) {
                String[] c = l.split("\t");
                order.add(c[0]);
                assertEquals(Tool.num(groups.get(c[0]), "mem_uss"), Long.parseLong(c[2]), "bytes, as JSON: " + l);
                sum += Long.parseLong(c[2]);
            }
            assertEquals(List.of("A", "C", "B"), order, "largest mem_uss first: " + tsv.out());
            // uss adds up over a split's groups, rss does not: the totals row sums one and leaves the other blank
            assertEquals("total\t3\t" + sum + "\t", lines.get(4), tsv.out());

            Tool.Result csv = Tool.memstats("-f", f, "groups", "-e", var, "--format", "csv", "--sort", "group_name",
                    "--columns", "split,group_name,mem_share");
            assertEquals(0, csv.exit(), csv.toString());
            List<String> rows = csv.out().lines().toList();
            assertEquals("split,group_name,mem_share", rows.get(0));
            assertEquals("environment variable " + var + ",A," + Tool.num(groups.get("A"), "mem_share"), rows.get(1));
            assertEquals(4, rows.size(), csv.out());

            Tool.Result text = Tool.memstats("-f", f, "groups", "-e", var, "--no-box", "--units", "k");
            assertEquals(0, text.exit(), text.toString());
            assertFalse(text.out().contains("│"), text.out());
            String a = text.out().lines().filter(l -> l.startsWith("A ")).findFirst().orElseThrow();
            assertTrue(a.contains(" " + Tool.num(groups.get("A"), "mem_uss") / 1024 + " KiB"), a);
            assertTrue(text.out().contains("total: mem_rss, mem_anon"), "the note says what is not summed: " + text.out());
        } finally {
            stop(w);
        }
    }

    @Test
    void aBadColumnIsAUsageErrorBeforeAnyScan() {
        Tool.Result bad = Tool.memstats("groups", "-u", "--sort", "rss");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().startsWith("memstats: --sort: no column 'rss'; columns: group_name, procs, mem_rss"), bad.err());
        assertFalse(bad.err().contains("Scanning"), bad.err());
        Tool.Result both = Tool.memstats("groups", "-u", "--bytes", "--units", "g");
        assertEquals(2, both.exit(), both.toString());
        Tool.Result ram = Tool.memstats("groups", "-u", "--ram", "--format", "csv");
        assertEquals(2, ram.exit(), ram.toString());
        assertTrue(ram.err().contains("memstats ram --format csv"), ram.err());
        Tool.Result watch = Tool.memstats("single", "--interval", "1", "--format", "json");
        assertEquals(2, watch.exit(), watch.toString());
        assertTrue(watch.err().contains("give -o FILE"), watch.err());
    }

    /** On a pseudo-terminal of 80 columns every line of groups -u fits; piped it keeps its full width. */
    @Test
    void groupsFitAnEightyColumnTerminal() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = java + " -cp " + System.getProperty("java.class.path") + " memstats groups -u";
        String onTty = UsabilityTest.run("/usr/bin/script", "-qec", "stty cols 80 rows 40; exec " + cmd + " 2>/dev/null", "/dev/null");
        List<String> table = onTty.replace("\r", "").lines().filter(l -> l.startsWith("│") || l.startsWith("┌")).toList();
        assertTrue(table.stream().anyMatch(l -> l.contains("group_name")), onTty);
        for (String l : onTty.replace("\r", "").lines().toList()) assertTrue(l.codePointCount(0, l.length()) <= 80, l.length() + ": " + l);
        String piped = UsabilityTest.run("/bin/sh", "-c", cmd + " 2>/dev/null | cat");
        assertTrue(piped.lines().anyMatch(l -> l.contains("group_name") && l.contains("shm_swap") && l.codePointCount(0, l.length()) > 80), piped);
    }

    @Test
    void diffInCsvAndPrometheus() throws Exception {
        String var = "MEMTEST_TBLD_" + ProcessHandle.current().pid();
        List<Workload> w = start(var);
        try {
            String f = only(pids(w));
            Tool.Result csv = Tool.memstats("-f", f, "diff", "/proc", "/proc", "-e", var, "--format", "csv");
            assertEquals(0, csv.exit(), csv.toString());
            List<String> rows = csv.out().lines().toList();
            assertTrue(rows.get(0).startsWith("split,group_name,status,procs_before,procs_after,procs_change,mem_rss_before,"), rows.get(0));
            assertEquals(4, rows.size(), csv.out());
            for (String r : rows.subList(1, 4)) assertTrue(r.contains(",both,1,1,0,"), r);
            if (Promtool.available()) {
                Tool.Result prom = Tool.memstats("-f", f, "diff", "/proc", "/proc", "-e", var, "--format", "prom");
                assertEquals(0, prom.exit(), prom.toString());
                Promtool.check(prom.out());
                assertTrue(prom.out().contains("linuxmem_diff_group_mem_uss_change_bytes{split=\"environment variable " + var
                        + "\",group=\"A\",status=\"both\"}"), prom.out());
            }
        } finally {
            stop(w);
        }
    }

    @Test
    void ramInCsvAndPrometheusAddsUpToTheRam() throws Exception {
        Tool.Result json = Tool.memstats("-f", "false()", "ram", "--format", "json");
        assertEquals(0, json.exit(), json.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> ram = (Map<String, Object>) json.json().get("ram");
        long bytes = Tool.num(ram, "bytes");
        Tool.Result csv = Tool.memstats("-f", "false()", "ram", "--format", "csv");
        assertEquals(0, csv.exit(), csv.toString());
        List<String> rows = csv.out().lines().toList();
        assertTrue(rows.get(0).startsWith("class,frames,size,mapped,not_mapped,meminfo_fields,meminfo_size,difference"), rows.get(0));
        long size = 0;
        for (String r : rows.subList(1, rows.size())) size += Long.parseLong(r.split(",")[2]);
        assertTrue(Math.abs(size - bytes) <= bytes / 100, "the classes add up to the RAM (two reads apart): " + size + " vs " + bytes);
        if (Promtool.available()) {
            Tool.Result prom = Tool.memstats("-f", "false()", "ram", "--format", "prom");
            assertEquals(0, prom.exit(), prom.toString());
            Promtool.check(prom.out());
            long sum = 0, total = -1;
            for (String l : prom.out().lines().toList()) {
                if (l.startsWith("linuxmem_ram_class_bytes{")) sum += (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
                if (l.startsWith("linuxmem_ram_bytes ")) total = (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            }
            assertEquals(total, sum, "classes x mapped add up exactly to linuxmem_ram_bytes: " + prom.out());
        }
    }

    /** --interval with -o: each round replaces the file whole with that round's report. */
    @Test
    void watchRewritesTheOutputFileEachRound() throws Exception {
        Path dir = Files.createTempDirectory("memstats-watch");
        Path out = dir.resolve("m.json");
        try (Workload w = Workload.start(Map.of(), "anon:4")) {
            Tool.Result r = Tool.memstats("-f", only(List.of(w.pid())), "single", "--format", "json", "--interval", "0.2",
                    "--count", "3", "-o", out.toString());
            assertEquals(0, r.exit(), r.toString());
            assertEquals("", r.out());
            String doc = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(doc.startsWith("{") && doc.strip().endsWith("}") && doc.contains("\"splits\""), doc);
            try (var files = Files.list(dir)) {
                assertEquals(List.of(out), files.toList(), "no temporary file left");
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }
}
