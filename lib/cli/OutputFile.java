package lib.cli;

import lib.cli.Cli.Failure;
import lib.cli.Cli.UsageError;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file a tool writes (-o FILE): it appears whole or not at all. The data goes to a temporary file
 * beside it, renamed over it once complete; an error, Ctrl-C or SIGTERM removes the temporary file.
 * An existing target that is no regular file (a device, a pipe) is refused: a rename would replace it.
 */
public final class OutputFile {
    private OutputFile() {
    }

    /** Writes the content of a temporary file. */
    @FunctionalInterface
    public interface Body<T> {
        T write(Path tmp) throws IOException, InterruptedException;
    }

    /** A usage error unless target can be replaced by a rename: absent, or a regular file. */
    public static void check(Path target) {
        if (Files.isDirectory(target)) throw new UsageError(target + " is a directory: give a file name");
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new UsageError(target + " exists and is not a regular file (a device, a pipe or a socket): give a file name, or - for stdout");
        }
    }

    /** body writes a temporary file beside target, which then replaces target; returns what body returned. */
    public static <T> T replace(Path target, Body<T> body) throws IOException, InterruptedException {
        Path tmp = createTemp(target);
        // Ctrl-C or SIGTERM during the work: the JVM runs shutdown hooks, which remove the temporary file
        Thread cleanup = new Thread(() -> deleteQuietly(tmp), "output-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean done = false;
        try {
            T result = body.write(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return result;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs now: it removes the temporary file
            }
        }
    }

    /**
     * Replaces target with data, synced to the disk before the rename: after a crash the file is the old
     * one or the new one, never an empty one (what a collector such as node_exporter reads every scrape).
     */
    public static void write(Path target, byte[] data) throws IOException {
        try {
            replace(target, tmp -> {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(data);
                    while (b.hasRemaining()) ch.write(b);
                    ch.force(true);
                }
                return null;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + target);
        }
    }

    /** A usage error or a failure before any work when target cannot be written: not replaceable, or no such directory. */
    public static void checkWritable(Path target) {
        check(target);
        Path dir = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) throw new Failure("cannot write " + target + ": no such directory " + dir);
    }

    /**
     * A temporary file beside the target, so the target appears whole or not at all; created with
     * the default mode (what umask allows), as the target would be.
     */
    private static Path createTemp(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            return Files.createFile(dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + Long.toHexString(System.nanoTime()) + ".tmp"));
        } catch (NoSuchFileException e) {
            throw new Failure("cannot write " + target + ": no such directory " + dir);
        } catch (AccessDeniedException e) {
            throw new Failure("cannot write " + target + ": permission denied in " + dir);
        } catch (IOException e) {
            throw new Failure("cannot write " + target + ": " + Cli.oneLine(e));
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing more can be done while the JVM ends
        }
    }

    /** stdout as bytes (the configured writer flushed first, so nothing interleaves). */
    public static OutputStream stdoutBytes(PrintWriter out) {
        if (out instanceof Cli.Output o) return o.bytes();
        out.flush();
        return new java.io.FileOutputStream(java.io.FileDescriptor.out);
    }

    /** Counts the bytes written through it (the size reported for stdout) and keeps the first write error. */
    public static final class Counting extends FilterOutputStream {
        private long count;
        private IOException error;

        public Counting(OutputStream out) {
            super(out);
        }

        public long count() {
            return count;
        }

        /** The first write error, null when none. */
        public IOException error() {
            return error;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (error == null) error = e;
                throw e;
            }
            count += len;
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                if (error == null) error = e;
                throw e;
            }
        }
    }
}
