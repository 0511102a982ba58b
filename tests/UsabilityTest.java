import lib.cli.Version;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usable without the README: help on every command, version, empty lists, tables that fit a terminal, sort, totals, units. */
class UsabilityTest {
    static final Map<String, Supplier<CommandLine>> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("memstats", memstats::commandLine);
        TOOLS.put("procinfo", procinfo::commandLine);
        TOOLS.put("processes2png", processes2png::commandLine);
        TOOLS.put("shmat", shmat::commandLine);
        TOOLS.put("snap", snap::commandLine);
        TOOLS.put("find_instances", find_instances::commandLine);
        TOOLS.put("connections", connections::commandLine);
    }

    /** Every command path of a tool: [] for the tool, [sub], [sub, subsub]... (not the help command). */
    static List<List<String>> paths(CommandLine cl, List<String> prefix) {
        List<List<String>> all = new ArrayList<>(List.of(prefix));
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().helpCommand()) continue;
            List<String> p = new ArrayList<>(prefix);
            p.add(e.getKey());
            all.addAll(paths(e.getValue(), p));
        }
        return all;
    }

    static CommandLine at(CommandLine cl, List<String> path) {
        for (String p : path) cl = cl.getSubcommands().get(p);
        return cl;
    }

    static List<String> with(List<String> path, String... more) {
        List<String> a = new ArrayList<>(path);
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void everyCommandsHelpListsEachOptionWithAnExample() {
        int commands = 0;
        for (Map.Entry<String, Supplier<CommandLine>> tool : TOOLS.entrySet()) {
            for (List<String> path : paths(tool.getValue().get(), List.of())) {
                commands++;
                List<List<String>> asks = new ArrayList<>(List.of(with(path, "--help"), with(path, "-h")));
                if (!path.isEmpty()) asks.add(with(List.of("help"), path.toArray(String[]::new)));
                for (List<String> args : asks) {
                    Tool.Result r = Tool.run(tool.getValue().get(), args.toArray(String[]::new));
                    String what = tool.getKey() + " " + String.join(" ", args);
                    assertEquals(0, r.exit(), what + ": " + r);
                    assertEquals("", r.err(), what);
                    CommandSpec spec = at(tool.getValue().get(), path).getCommandSpec();
                    for (OptionSpec o : spec.options()) {
                        if (o.hidden()) continue;
                        for (String name : o.names()) {
                            // a negatable option is listed once as --[no-]NAME
                            String shown = o.negatable() && name.startsWith("--") ? "--[no-]" + name.substring(2) : name;
                            if (o.negatable() && name.startsWith("--no-")) continue;
                            assertTrue(r.out().contains(shown), what + " lists " + shown + ":\n" + r.out());
                        }
                        if (!o.usageHelp() && !o.versionHelp()) {
                            assertTrue(String.join(" ", o.description()).contains("Example: "), what + ": " + o.longestName() + " has no example");
                        }
                    }
                    for (ArgSpec p : spec.positionalParameters()) {
                        assertTrue(String.join(" ", p.description()).contains("Example: "), what + ": " + p.paramLabel() + " has no example");
                    }
                    // not a terminal: 80 columns, lines wrapped between words
                    for (String line : r.out().split("\n")) assertTrue(line.length() <= 80, what + ": " + line);
                }
            }
        }
        assertTrue(commands >= 10, "commands: " + commands);
    }

    /** A description given as several strings is printed as several lines: each must end a sentence. */
    @Test
    void descriptionsBreakOnlyBetweenSentences() {
        for (Map.Entry<String, Supplier<CommandLine>> tool : TOOLS.entrySet()) {
            CommandLine root = tool.getValue().get();
            for (List<String> path : paths(root, List.of())) {
                List<String[]> texts = new ArrayList<>();
                texts.add(at(root, path).getCommandSpec().usageMessage().description());
                for (ArgSpec a : at(root, path).getCommandSpec().args()) texts.add(a.description());
                for (String[] d : texts) {
                    for (int i = 0; i < d.length - 1; i++) {
                        assertTrue(d[i].isEmpty() || d[i].matches("(?s).*[.:)]\\s*"), tool.getKey() + " " + path + ": '" + d[i] + "'");
                    }
                }
            }
        }
    }

    @Test
    void versionSaysTheCommitItWasBuiltFrom() {
        Path repo = Path.of("").toAbsolutePath();
        String commit = Version.commitOf(repo);
        for (Map.Entry<String, Supplier<CommandLine>> tool : TOOLS.entrySet()) {
            Tool.Result r = Tool.run(tool.getValue().get(), "--version");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith(tool.getKey() + " " + Version.VERSION + " (linux-mem for JBang, commit "), r.out());
            if (commit != null) assertTrue(r.out().contains("commit " + commit), r.out());
        }
    }

    @Test
    void helpTopicsAndUnknownOnes() {
        Tool.Result r = Tool.memstats("help", "filters");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("descendants(PID)") && r.out().contains("env_kv(KEY,VALUE)"), r.out());
        Tool.Result top = Tool.memstats("--help");
        for (String s : new String[]{"-u by user", "-e VAR", "-p PIDS", "-c FILTERS", "'memstats help filters'", "diff"}) {
            assertTrue(top.out().contains(s), s + " in\n" + top.out());
        }
        Tool.Result none = Tool.memstats("help", "nothing");
        assertEquals(2, none.exit());
        assertTrue(none.err().startsWith("memstats: no command or help topic 'nothing' (known: ") && none.err().contains("filters, units)"), none.err());
        Tool.Result snapRun = Tool.run(snap.commandLine(), "run", "--help");
        assertEquals(0, snapRun.exit(), "snap run --help without DIR: " + snapRun);
    }

    @Test
    void anEmptyListSaysItIsEmpty() {
        String msg = "memstats: -c/--split-custom: empty filter list (did a command substitution give nothing?)\n";
        for (String[] args : new String[][]{{"groups", "-c", ""}, {"groups", "-c", "--format", "json"}, {"groups", "-c", " "}}) {
            Tool.Result r = Tool.memstats(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r);
            assertEquals(msg, r.err(), String.join("|", args));
        }
        Tool.Result p = Tool.memstats("groups", "-p", "");
        assertEquals("memstats: -p/--split-pids: empty pid list (did a command substitution give nothing?)\n", p.err());
        Tool.Result f = Tool.memstats("-f", "", "single");
        assertEquals("memstats: -f/--filter: empty filter (did a command substitution give nothing?)\n", f.err());
        Tool.Result png = Tool.run(processes2png.commandLine(), "--color", "groups", "-c", "");
        assertEquals(2, png.exit(), png.toString());
        assertTrue(png.err().contains("-c/--split-custom: empty filter list"), png.err());
    }

    @Test
    void sortColumnsTotalsAndUnitsInTsv() throws Exception {
        try (Workload w = Workload.start(Map.of(), "anon:8", "anon:2")) {
            String pid = Integer.toString(w.pid());
            Tool.Result json = Tool.run(procinfo.commandLine(), "--format", "json", pid);
            assertEquals(0, json.exit(), json.toString());
            Tool.Result tsv = Tool.run(procinfo.commandLine(), "--format", "tsv", "--sort", "rss", "--columns", "start,rss,anon", "--totals", pid);
            assertEquals(0, tsv.exit(), tsv.toString());
            List<String> lines = tsv.out().lines().toList();
            assertEquals("start\trss\tanon", lines.get(0));
            long last = Long.MAX_VALUE, sum = 0;
            for (String line : lines.subList(1, lines.size() - 1)) {
                long rss = Long.parseLong(line.split("\t")[1]);
                assertTrue(rss <= last, "sorted by rss: " + tsv.out());
                last = rss;
                sum += rss;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> total = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) json.json().get("processes")).get(0)).get("total");
            assertEquals(Tool.num(total, "rss_bytes"), sum);
            assertTrue(lines.get(lines.size() - 1).startsWith("total\t" + sum + "\t"), tsv.out());
            Tool.Result text = Tool.run(procinfo.commandLine(), "-s", "--units", "m", "--no-box", pid);
            assertTrue(text.out().contains(" MiB") && !text.out().contains(" MB") && !text.out().contains("│"), text.out());
            Tool.Result bad = Tool.run(procinfo.commandLine(), "-s", "--sort", "vsz_kiB", pid);
            assertEquals(2, bad.exit());
            assertTrue(bad.err().startsWith("procinfo: --sort: no column 'vsz_kiB'; columns: start, perms, vsz, rss, swap, anon"), bad.err());
            Tool.Result both = Tool.run(procinfo.commandLine(), "-s", "--bytes", "--units", "g", pid);
            assertEquals(2, both.exit(), both.toString());
        }
    }

    /** On a pseudo-terminal of 80 columns every line fits; piped, the same table keeps its full width. */
    @Test
    void tablesFitAnEightyColumnTerminalAndKeepFullWidthWhenPiped() throws Exception {
        try (Workload w = Workload.start(Map.of(), "anon:8")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cmd = java + " -cp " + System.getProperty("java.class.path") + " procinfo --summary " + w.pid();
            String onTty = run("/usr/bin/script", "-qec", "stty cols 80 rows 40; exec " + cmd, "/dev/null");
            List<String> tableLines = onTty.replace("\r", "").lines().filter(l -> l.startsWith("│") || l.startsWith("┌")).toList();
            assertFalse(tableLines.isEmpty(), onTty);
            for (String l : tableLines) assertTrue(l.codePointCount(0, l.length()) <= 80, l.length() + ": " + l);
            String piped = run("/bin/sh", "-c", cmd + " 2>/dev/null | cat");
            assertTrue(piped.lines().anyMatch(l -> l.startsWith("│ start") && l.contains("pathname")
                    && l.codePointCount(0, l.length()) > 80), piped);
            // COLUMNS wins over the terminal's size
            String columns = run("/usr/bin/script", "-qec", "stty cols 200 rows 40; COLUMNS=60 exec " + cmd, "/dev/null");
            for (String l : columns.replace("\r", "").lines().filter(l -> l.startsWith("│")).toList()) {
                assertTrue(l.codePointCount(0, l.length()) <= 60, l);
            }
        }
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
