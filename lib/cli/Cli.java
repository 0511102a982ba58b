package lib.cli;

import lib.text.Progress;
import lib.text.Text;
import lib.text.TextTable;
import picocli.CommandLine;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The tools' command line plumbing: one line "TOOL: message" on stderr for errors (a stack trace only with
 * --debug), stdout checked when the command ends (a failed write is exit 1 and one line, never a silent
 * success), other users' text escaped in every error line.
 */
public final class Cli {
    private Cli() {
    }

    /** The user asked for something that cannot be done as asked: exit 2. */
    public static final class UsageError extends IllegalArgumentException {
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

    /**
     * The one exit-code mapping of every tool: 0 done; 2 a usage error (bad options, or a thrown
     * UsageError); 1 anything else, also a lost write to stdout; a signal ends the JVM with 128 + its
     * number (130 for Ctrl-C, 143 for SIGTERM) after the tools' shutdown hooks ran. Errors are one line
     * "TOOL: message" on stderr, a stack trace only with --debug (Options.Debug).
     */
    public static CommandLine configure(CommandLine cl, String tool) {
        // UTF-8 whatever the locale: with LANG unset (cron, sudo -i, env -i) Java would print the tables' box
        // characters and non-ASCII names as '?'
        cl.setOut(stdout(true));
        cl.setErr(new Stderr());
        cl.setParameterExceptionHandler((ex, args) -> {
            String empty = Help.emptyArgument(ex);
            ex.getCommandLine().getErr().println(tool + ": " + Text.visible(empty != null ? empty : ex.getMessage()));
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            cl.getOut().flush(); // what was written before the error; the exit is non-zero anyway
            if (debug(parseResult)) ex.printStackTrace(c.getErr());
            else c.getErr().println(tool + ": " + Text.visible(oneLine(ex)));
            return ex instanceof UsageError ? 2 : 1;
        });
        cl.setExecutionStrategy(parseResult -> checked(cl, tool, new CommandLine.RunLast().execute(parseResult)));
        boolean filters = hasOption(cl, "--filter") || hasOption(cl, "--split-custom");
        return Help.install(cl, Terminal.width(Terminal.STDOUT, System.getenv()), filters ? Topics.ALL : List.of(Topics.UNITS));
    }

    private static boolean hasOption(CommandLine cl, String name) {
        if (cl.getCommandSpec().findOption(name) != null) return true;
        for (CommandLine sub : cl.getSubcommands().values()) if (hasOption(sub, name)) return true;
        return false;
    }

    /** The process's stderr, UTF-8, flushed at each line; a class of its own so the tools know it is the real one. */
    static final class Stderr extends PrintWriter {
        Stderr() {
            super(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        }
    }

    /**
     * The width tables are fitted to: the terminal's (COLUMNS first) when the command writes to the real stdout
     * and it is a terminal; unlimited otherwise (a pipe, a file, a test's buffer).
     */
    public static int outWidth(CommandLine cl) {
        return cl.getOut() instanceof Output ? Terminal.width(Terminal.STDOUT, System.getenv()) : TextTable.UNLIMITED;
    }

    /** The width of the real stderr when it is a terminal (progress lines go there), 0 when it is not. */
    public static int errWidth(CommandLine cl) {
        if (!(cl.getErr() instanceof Stderr)) return 0;
        int w = Terminal.width(Terminal.STDERR, System.getenv());
        return w == TextTable.UNLIMITED ? 0 : w;
    }

    /** A progress line for total items on the command's stderr, shown only when that is a terminal. */
    public static Progress progress(CommandLine cl, String verb, int total, String noun) {
        int w = errWidth(cl);
        return Progress.start(cl.getErr(), w > 0, w, verb, total, noun);
    }

    /** --debug given, on the command or a subcommand. */
    private static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    /** The command's exit code, or 1 with one line when its stdout could not be written (full disk, closed pipe). */
    static int checked(CommandLine cl, String tool, int exit) {
        String failure = failure(cl.getOut());
        if (failure == null) return exit;
        cl.getErr().println(tool + ": cannot write output: " + failure);
        cl.getErr().flush();
        return 1;
    }

    /** Flushes out; null when everything written so far arrived, else why not. */
    public static String failure(PrintWriter out) {
        if (out instanceof Output o) return o.failure();
        out.flush();
        return out.checkError() ? "write error" : null;
    }

    /**
     * The process's stdout as a UTF-8 writer that remembers why a write failed. autoFlush: each println is
     * written at once; without it a 64 KiB buffer, written when full and when the command ends.
     */
    public static Output stdout(boolean autoFlush) {
        return new Output(new Sink(new FileOutputStream(FileDescriptor.out)), autoFlush);
    }

    /** A writer over a stream whose first write error is kept: PrintWriter itself only says that one happened. */
    public static final class Output extends PrintWriter {
        private final Sink sink;

        Output(Sink sink, boolean autoFlush) {
            super(autoFlush ? new OutputStreamWriter(sink, StandardCharsets.UTF_8)
                    : new BufferedWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8), 1 << 16), autoFlush);
            this.sink = sink;
        }

        /** The same stream for bytes (an image): flush this writer first; a failed write throws. */
        public OutputStream bytes() {
            flush();
            return sink;
        }

        /** Flushes; null when everything written so far arrived, else the reason ("No space left on device"). */
        public String failure() {
            flush();
            if (!checkError() && sink.error == null) return null;
            IOException e = sink.error;
            return e == null ? "write error" : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
    }

    /** Passes writes on and keeps the first IOException (rethrown as well). */
    static final class Sink extends FilterOutputStream {
        volatile IOException error;

        Sink(OutputStream out) {
            super(out);
        }

        private IOException kept(IOException e) {
            if (error == null) error = e;
            return e;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw kept(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw kept(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw kept(e);
            }
        }
    }

    /** Processes' figures read in parallel: each thread holds about 1 MiB of buffers, so more than 4 per core only costs memory. */
    public static int maxThreads() {
        return 4 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * The --threads to use: byDefault when not given, a usage error below 1, at most {@link #maxThreads}
     * (a note says so when more were asked for).
     */
    public static int threads(Integer requested, int byDefault, Consumer<String> note) {
        if (requested == null) return Math.min(byDefault, maxThreads());
        if (requested < 1) throw new UsageError("--threads must be at least 1");
        int max = maxThreads();
        if (requested <= max) return requested;
        note.accept("--threads " + requested + " is more than " + max + " (4 per core): using " + max);
        return max;
    }

    /** Pids given on the command line: a usage error for 0 or a negative one (no process has it). */
    public static void requirePids(List<Integer> pids, String option) {
        for (int pid : pids) {
            if (pid <= 0) throw new UsageError(option + " " + pid + ": a pid is a positive number");
        }
    }

    /** The message, with what kind of file error it is when the message is only the path ("FILE: reason" for others). */
    public static String oneLine(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof NoSuchFileException) return "no such file: " + m;
        if (ex instanceof AccessDeniedException) return "permission denied: " + m;
        if (ex instanceof FileSystemException f && f.getReason() != null) return f.getFile() + ": " + f.getReason();
        return m != null ? m : ex.getClass().getSimpleName();
    }
}
