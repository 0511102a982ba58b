import lib.cli.Docs;
import lib.cli.Help;
import lib.cli.Topics;
import lib.cli.Version;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The help frame on a command tree shaped like the tools': help everywhere, topics, empty list arguments, docs. */
class HelpFrameTest {
    @Command(name = "demo", versionProvider = Version.class, description = "A demo tool.",
            subcommands = {Demo.Groups.class})
    static final class Demo implements Callable<Integer> {
        @Option(names = "--debug", description = "Stack traces. Example: --debug")
        boolean debug;

        public Integer call() {
            return 0;
        }

        @Command(name = "groups", description = "One table per splitter, in this order: uid, env, pids, each custom list.")
        static final class Groups implements Callable<Integer> {
            @Option(names = {"-c", "--split-custom"}, paramLabel = "F1,F2,...", description = "Each filter is a group. Example: -c 'comm(a),comm(b)'")
            List<String> custom = new ArrayList<>();

            @Option(names = {"-p", "--split-pids"}, paramLabel = "PID", split = ",", description = "These pids form one group. Example: -p 1,2")
            List<Integer> pids = new ArrayList<>();

            @Option(names = "--format", description = "text or json. Example: --format json")
            String format = "text";

            public Integer call() {
                return 0;
            }
        }
    }

    static CommandLine demo(int width) {
        CommandLine cl = new CommandLine(new Demo());
        cl.setParameterExceptionHandler((ex, args) -> {
            String empty = Help.emptyArgument(ex);
            ex.getCommandLine().getErr().println("demo: " + (empty != null ? empty : ex.getMessage()));
            return 2;
        });
        return Help.install(cl, width, Topics.ALL);
    }

    static Tool.Result run(CommandLine cl, String... args) {
        return Tool.run(cl, args);
    }

    @Test
    void everyCommandHasHelpAndTheHelpCommandKnowsTopics() {
        for (String[] args : new String[][]{{"groups", "--help"}, {"groups", "-h"}, {"help", "groups"}}) {
            Tool.Result r = run(demo(80), args);
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r);
            assertTrue(r.out().contains("--split-custom=F1,F2,..."), r.out());
            assertTrue(r.out().contains("Example: -p 1,2"), r.out());
        }
        Tool.Result top = run(demo(80), "--help");
        assertTrue(top.out().contains("'demo help filters': the filter language of -f and -c"), top.out());
        assertTrue(top.out().contains("'demo COMMAND --help'") || top.out().contains("groups"), top.out());
        Tool.Result filters = run(demo(80), "help", "filters");
        assertEquals(0, filters.exit());
        assertTrue(filters.out().contains("descendants(PID)"), filters.out());
        Tool.Result none = run(demo(80), "help", "nothing");
        assertEquals(2, none.exit());
        assertEquals("demo: no command or help topic 'nothing' (known: groups, filters, units)\n", none.err());
        assertEquals("", none.out());
    }

    @Test
    void versionNamesTheToolAndTheCommand() {
        Tool.Result r = run(demo(80), "--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("demo " + Version.VERSION + " (linux-mem for JBang, commit "), r.out());
        Tool.Result sub = run(demo(80), "groups", "--version");
        assertEquals(r.out(), sub.out());
    }

    @Test
    void usageFitsTheWidthWithoutBreakingWords() {
        for (int width : new int[]{60, 80, 100}) {
            Tool.Result r = run(demo(width), "groups", "--help");
            for (String line : r.out().split("\n")) assertTrue(line.length() <= width, width + ": " + line);
        }
    }

    @Test
    void anEmptyListSaysSo() {
        Tool.Result quoted = run(demo(80), "groups", "-c", "");
        Tool.Result unquoted = run(demo(80), "groups", "-c", "--format", "json");
        Tool.Result last = run(demo(80), "groups", "-c");
        Tool.Result pids = run(demo(80), "groups", "-p", "");
        String msg = "demo: -c/--split-custom: empty filter list (did a command substitution give nothing?)\n";
        assertEquals(2, unquoted.exit());
        assertEquals(msg, unquoted.err());
        assertEquals(msg, last.err());
        assertEquals("demo: -p/--split-pids: empty pid list (did a command substitution give nothing?)\n", pids.err());
        // a list option given "" is picocli's to take (an empty list of strings): the tool's converter rejects it
        assertTrue(quoted.exit() == 0 || quoted.err().contains("empty filter list"), quoted.toString());
    }

    /** Every examples in the filters topic parses with the filter parser. */
    @Test
    void theFilterTopicsExamplesParse() {
        Matcher m = Pattern.compile("e\\.g\\. (\\S+)").matcher(Topics.FILTERS.text());
        int n = 0;
        while (m.find()) {
            lib.groups.Filter.parse(m.group(1));
            n++;
        }
        assertTrue(n >= 9, "examples: " + n);
        lib.groups.Filter.parse("comm(\"my,prog\")");
        lib.groups.Filter.parseList("comm(postgres),comm(java)");
        // every filter the parser knows is documented
        String known = "";
        try {
            lib.groups.Filter.parse("nosuch()");
        } catch (IllegalArgumentException e) {
            known = e.getMessage().replaceAll(".*known: ([^)]*)\\).*", "$1");
        }
        for (String f : known.split(" ")) assertTrue(Topics.FILTERS.text().contains(f + "("), f);
    }

    @Test
    void manPageAndCompletionListEveryOption() throws Exception {
        CommandLine cl = demo(80);
        String man = Docs.manPage(cl, "2026-12-02");
        for (String o : new String[]{"\\-\\-split\\-custom", "\\-\\-split\\-pids", "\\-\\-debug", "\\-\\-version"}) {
            assertTrue(man.contains(o), o + " in\n" + man);
        }
        Path dir = Files.createTempDirectory("man");
        Path page = dir.resolve("demo.1");
        Files.writeString(page, man);
        Process g = new ProcessBuilder("/usr/bin/groff", "-man", "-Tutf8", "-ww", page.toString()).start();
        // overstrikes (X backspace X) make bold: keep the letters
        String text = new String(g.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll(".\b", "");
        String warnings = new String(g.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, g.waitFor());
        assertEquals("", warnings);
        assertTrue(text.contains("--split-custom") || text.contains("‐‐split‐custom") || text.contains("−−split−custom"), text);

        Path bash = dir.resolve("demo.bash");
        Files.writeString(bash, Docs.bashCompletion(cl));
        Process b = new ProcessBuilder("/bin/bash", "-c", "source " + bash + "; COMP_WORDS=(demo groups --split-); COMP_CWORD=2; "
                + "COMP_LINE='demo groups --split-'; COMP_POINT=${#COMP_LINE}; _complete_demo; printf '%s\\n' \"${COMPREPLY[@]}\"").start();
        String completions = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String bashErr = new String(b.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, b.waitFor(), bashErr);
        assertTrue(completions.contains("--split-custom") && completions.contains("--split-pids"), completions + bashErr);
    }
}
