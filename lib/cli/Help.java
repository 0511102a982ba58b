package lib.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Help on every command: -h/--help and -V/--version on each command and subcommand, a "help" subcommand that
 * also knows topics ("memstats help filters"), usage text wrapped to the terminal (never by running stty or
 * tput, as picocli's auto width would), and the one-line message for an empty list argument.
 */
public final class Help {
    private Help() {
    }

    /** picocli's narrowest usage width; wider than this we follow the terminal up to a readable line. */
    static final int MIN_WIDTH = 55, MAX_WIDTH = 120;

    /** A help topic: a name ("filters"), a one-line summary for the list, and its text. */
    public record Topic(String name, String summary, String text) {
    }

    /**
     * Adds help and version options to every subcommand, the "help" subcommand with these topics, and sets the
     * usage width (terminal width, or 80 when stdout is not a terminal). Call after all subcommands are added.
     */
    public static CommandLine install(CommandLine root, int terminalWidth, List<Topic> topics) {
        root.setUsageHelpAutoWidth(false);
        CommandSpec top = root.getCommandSpec();
        if (!top.mixinStandardHelpOptions()) top.mixinStandardHelpOptions(true);
        Version version = new Version(top.name());
        top.versionProvider(version);
        for (CommandLine sub : allSubcommands(root)) {
            CommandSpec s = sub.getCommandSpec();
            if (s.helpCommand()) continue;
            if (!s.mixinStandardHelpOptions()) s.mixinStandardHelpOptions(true);
            s.versionProvider(version);
        }
        if (!root.getSubcommands().containsKey("help") && (!root.getSubcommands().isEmpty() || !topics.isEmpty())) {
            CommandLine help = new CommandLine(new HelpCommand(topics));
            root.addSubcommand("help", help);
            List<String> footer = new ArrayList<>(List.of(top.usageMessage().footer()));
            if (!root.getSubcommands().isEmpty() && root.getSubcommands().size() > 1) {
                footer.add("'" + top.name() + " COMMAND --help' lists a command's options.");
            }
            for (Topic t : topics) footer.add("'" + top.name() + " help " + t.name() + "': " + t.summary());
            top.usageMessage().footer(footer.toArray(String[]::new));
        }
        int w = terminalWidth == Terminal.UNLIMITED ? 80 : Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, terminalWidth));
        root.setUsageHelpWidth(w);
        return root;
    }

    static List<CommandLine> allSubcommands(CommandLine cl) {
        List<CommandLine> all = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (all.contains(sub)) continue;   // aliases map to the same command
            all.add(sub);
            all.addAll(allSubcommands(sub));
        }
        return all;
    }

    /** "help [COMMAND|TOPIC]": a command's usage, a topic's text, or the tool's usage and the topics. */
    @Command(name = "help", helpCommand = true,
            description = "Shows the usage of the tool or of COMMAND, or the text of a TOPIC.")
    public static final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "COMMAND|TOPIC", description = "A command or a help topic, e.g. filters.")
        String name;

        private final Map<String, Topic> topics = new LinkedHashMap<>();
        private CommandLine self;
        private PrintWriter out, err;

        HelpCommand(List<Topic> topics) {
            for (Topic t : topics) this.topics.put(t.name(), t);
        }

        @Override
        public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
            this.self = helpCommandLine;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            CommandLine parent = self.getParent();
            if (name == null) {
                parent.usage(out);
                return 0;
            }
            CommandLine sub = parent.getSubcommands().get(name);
            if (sub != null && sub != self) {
                sub.usage(out);
                return 0;
            }
            Topic t = topics.get(name);
            if (t != null) {
                out.print(t.text().endsWith("\n") ? t.text() : t.text() + "\n");
                out.flush();
                return 0;
            }
            List<String> known = new ArrayList<>(parent.getSubcommands().keySet());
            known.remove("help");
            known.addAll(topics.keySet());
            // a parameter error: the tool's handler prints it as one line and exits 2 (picocli ignores a help command's result)
            throw new CommandLine.ParameterException(self, "no command or help topic '" + lib.text.Text.visible(name)
                    + "' (known: " + String.join(", ", known) + ")");
        }
    }

    /**
     * The message for an option whose argument is empty: "-c/--split-custom: empty filter list (did a command
     * substitution give nothing?)", for both ways an empty substitution reaches us: quoted it is an empty argument,
     * unquoted the option takes the next option as its argument (picocli: "Expected parameter for option ... but
     * found ..."). Null for other errors.
     */
    public static String emptyArgument(CommandLine.ParameterException ex) {
        ArgSpec arg = ex.getArgSpec();
        String m = ex.getMessage() == null ? "" : ex.getMessage();
        // picocli names the option in its message only: "Expected parameter for option '--split-custom' but found '--format'"
        Matcher expected = EXPECTED.matcher(m);
        boolean missing = ex instanceof CommandLine.MissingParameterException || expected.lookingAt();
        if (arg == null && expected.lookingAt()) arg = ex.getCommandLine().getCommandSpec().findOption(expected.group(1));
        if (arg == null && ex instanceof CommandLine.MissingParameterException mp && mp.getMissing().size() == 1) {
            arg = mp.getMissing().get(0);
        }
        if (!(arg instanceof OptionSpec o) || o.arity().max() == 0) return null;
        boolean empty = ex.getValue() != null && ex.getValue().isBlank();
        if (!empty && !missing) return null;
        return empty(o.names(), what(o));
    }

    /** "-c/--split-custom: empty filter list (did a command substitution give nothing?)" */
    public static String empty(String[] names, String what) {
        return String.join("/", names) + ": empty " + what + " (did a command substitution give nothing?)";
    }

    private static final Pattern EXPECTED = Pattern.compile("Expected parameter for option '([^']+)'");

    /** What an option takes, from its label: "filter list" for F1,F2,..., "pid list" for PID with split ",". */
    private static String what(OptionSpec o) {
        String label = o.paramLabel().replaceAll("[<>]", "");
        if (label.startsWith("F1") || label.equals("FILTERS")) return "filter list";
        boolean list = o.splitRegex() != null && !o.splitRegex().isEmpty();
        String base = switch (label) {
            case "EXPR" -> "filter";
            case "VAR" -> "variable name";
            case "N" -> "number";
            default -> label.toLowerCase(java.util.Locale.ROOT);
        };
        return list ? base + " list" : base;
    }
}
