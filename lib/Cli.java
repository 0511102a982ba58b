package lib;

import picocli.CommandLine;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.function.Function;
import java.util.function.Predicate;

/** The tools' picocli error handling: one line "TOOL: message" on stderr, a stack trace only with --debug. */
public final class Cli {
    private Cli() {
    }

    /** The user asked for something that cannot be done as asked: exit 2. */
    public static final class UsageError extends RuntimeException {
        public UsageError(String m) {
            super(m);
        }
    }

    /** Errors that are the user's or the system's, not bugs: one line, no trace, exit 1. */
    public static final class Failure extends RuntimeException {
        public Failure(String m) {
            super(m);
        }
    }

    /** Bad options exit 2; a thrown UsageError exits 2, anything else 1, shown as {@link #oneLine}. */
    public static <T> CommandLine configure(CommandLine cl, String tool, Predicate<T> debug) {
        return configure(cl, tool, debug, Cli::oneLine, ex -> ex instanceof UsageError);
    }

    /**
     * As {@link #configure(CommandLine, String, Predicate)} with the tool's own error line and usage errors.
     * debug is asked of the top command (where an inherited --debug lives).
     */
    public static <T> CommandLine configure(CommandLine cl, String tool, Predicate<T> debug,
            Function<Throwable, String> oneLine, Predicate<Throwable> usage) {
        // UTF-8 whatever the locale: with LANG unset (cron, sudo -i, env -i) Java would print the tables' box
        // characters and non-ASCII names as '?'
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println(tool + ": " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            T top = c.getCommandSpec().root().commandLine().getCommand();
            if (debug.test(top)) ex.printStackTrace(c.getErr());
            else c.getErr().println(tool + ": " + oneLine.apply(ex));
            return usage.test(ex) ? 2 : 1;
        });
        return cl;
    }

    /** The message, with what kind of file error it is when the message is only the path. */
    public static String oneLine(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof NoSuchFileException) return "no such file: " + m;
        if (ex instanceof AccessDeniedException) return "permission denied: " + m;
        return m != null ? m : ex.getClass().getSimpleName();
    }
}
