package lib.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A tool's man page (roff, section 1, from picocli's model of the command: every command, option and parameter
 * with its description) and its bash completion (picocli's AutoComplete; zsh loads it through bashcompinit).
 * Run by packaging/jars.java: java -cp TOOL.jar lib.cli.Docs TOOLCLASS OUTDIR writes OUTDIR/man/man1/TOOL.1 and
 * OUTDIR/completion/TOOL.bash.
 */
public final class Docs {
    private Docs() {
    }

    public static String bashCompletion(CommandLine cl) {
        return AutoComplete.bash(cl.getCommandName(), cl);
    }

    /** The man page of a command and all its subcommands. */
    public static String manPage(CommandLine cl, String date) {
        CommandSpec spec = cl.getCommandSpec();
        String name = spec.name();
        StringBuilder sb = new StringBuilder();
        sb.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"").append(date).append("\" \"linux-mem ")
                .append(Version.VERSION).append("\" \"linux-mem for JBang\"\n");
        sb.append(".SH NAME\n").append(roff(name)).append(" \\- ").append(roff(firstSentence(spec))).append('\n');
        sb.append(".SH SYNOPSIS\n");
        synopsis(sb, cl);
        sb.append(".SH DESCRIPTION\n");
        paragraphs(sb, spec.usageMessage().description());
        options(sb, spec, ".SH OPTIONS\n");
        List<CommandLine> subs = Help.allSubcommands(cl);
        subs.removeIf(s -> s.getCommandSpec().helpCommand());
        if (!subs.isEmpty()) {
            sb.append(".SH COMMANDS\n");
            for (CommandLine sub : subs) {
                CommandSpec s = sub.getCommandSpec();
                sb.append(".SS ").append(roff(s.qualifiedName(" "))).append('\n');
                paragraphs(sb, s.usageMessage().description());
                parameters(sb, s);
                options(sb, s, "");
            }
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            sb.append(".SH NOTES\n");
            paragraphs(sb, footer);
        }
        return sb.toString();
    }

    private static void synopsis(StringBuilder sb, CommandLine cl) {
        sb.append(".nf\n");
        for (String line : cl.getHelp().synopsis(0).split("\n")) {
            if (!line.isBlank()) sb.append(roff(line.stripTrailing())).append('\n');
        }
        for (CommandLine sub : Help.allSubcommands(cl)) {
            if (sub.getCommandSpec().helpCommand()) continue;
            for (String line : sub.getHelp().synopsis(0).split("\n")) {
                if (!line.isBlank()) sb.append(roff(line.stripTrailing())).append('\n');
            }
        }
        sb.append(".fi\n");
    }

    private static String firstSentence(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        String text = d.length == 0 ? spec.name() : String.join(" ", d);
        int dot = text.indexOf(". ");
        return dot > 0 ? text.substring(0, dot) : text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    private static void paragraphs(StringBuilder sb, String[] lines) {
        for (String l : lines) {
            if (l.isBlank()) continue;
            sb.append(".PP\n").append(roff(l.replace("%n", " "))).append('\n');
        }
    }

    private static void parameters(StringBuilder sb, CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) continue;
            sb.append(".TP\n\\fI").append(roff(p.paramLabel())).append("\\fR\n").append(roff(describe(p))).append('\n');
        }
    }

    private static void options(StringBuilder sb, CommandSpec spec, String heading) {
        boolean first = true;
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            if (first) sb.append(heading);
            first = false;
            sb.append(".TP\n");
            List<String> names = new ArrayList<>();
            for (String n : o.names()) names.add("\\fB" + roff(n) + "\\fR");
            sb.append(String.join(", ", names));
            if (o.arity().max() > 0) sb.append(" \\fI").append(roff(o.paramLabel())).append("\\fR");
            sb.append('\n').append(roff(describe(o))).append('\n');
        }
    }

    private static String describe(CommandLine.Model.ArgSpec a) {
        String d = String.join(" ", a.description());
        CommandSpec cmd = a.command();
        if (cmd != null) d = d.replace("${ROOT-COMMAND-NAME}", cmd.root().name()).replace("${COMMAND-NAME}", cmd.name());
        String dv = a.defaultValueString();
        d = d.replace("${DEFAULT-VALUE}", dv == null ? "" : dv);
        if (a.completionCandidates() != null) {
            List<String> c = new ArrayList<>();
            a.completionCandidates().forEach(c::add);
            d = d.replace("${COMPLETION-CANDIDATES}", String.join(", ", c));
        }
        return d.replace("%n", " ");
    }

    /** Text safe in a roff line: backslashes escaped, hyphens as minus signs (copy-pasteable options), no request at the start. */
    static String roff(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        if (t.startsWith(".") || t.startsWith("'")) t = "\\&" + t;
        return t;
    }

    /** TOOLCLASS OUTDIR: writes the man page and the completion of the tool whose class has a static commandLine(). */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("docs: usage: Docs TOOLCLASS OUTDIR");
            System.exit(2);
        }
        CommandLine cl = (CommandLine) Class.forName(args[0]).getMethod("commandLine").invoke(null);
        Path out = Path.of(args[1]);
        String date = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        write(out.resolve("man/man1/" + cl.getCommandName() + ".1"), manPage(cl, date));
        write(out.resolve("completion/" + cl.getCommandName() + ".bash"), bashCompletion(cl));
        // readable by every user whatever the umask of whoever built them, as the jars are
        for (String d : new String[]{"man", "man/man1", "completion"}) {
            Files.setPosixFilePermissions(out.resolve(d), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Written whole or not at all, readable by every user (docs hold nothing private). */
    static void write(Path target, String text) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
