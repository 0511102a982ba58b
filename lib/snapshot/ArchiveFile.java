package lib.snapshot;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A snapshot archive on disk (NAME.tar.gz), there whole or not at all: written as .NAME.tar.gz.part-PID,
 * 0600 from the open and locked while written, renamed into place when complete, removed on an error or
 * an interruption; parts left by a snap that died are recognised by their free lock.
 */
public final class ArchiveFile {
    private ArchiveFile() {
    }

    /** What goes into the tar stream. */
    @FunctionalInterface
    public interface Body<T> {
        T write(TarWriter tar) throws IOException;
    }

    /** What body returned, and the compressed size of what it wrote. */
    public record Counted<T>(T result, long bytes) {
    }

    /** The name of the archive's top folder: NAME of NAME.tar.gz. */
    public static String topName(Path archive) {
        String n = archive.getFileName().toString();
        return n.substring(0, n.length() - ".tar.gz".length());
    }

    /**
     * Writes archive (which must not exist) through body, gzip at level; it appears only complete. A
     * shutdown hook removes the part when the JVM is stopped meanwhile (SIGINT, SIGTERM).
     */
    public static <T> T write(Path archive, int level, Body<T> body) throws IOException {
        Path partial = archive.resolveSibling("." + archive.getFileName() + ".part-" + ProcessHandle.current().pid());
        Cleanup cleanup = new Cleanup(partial, archive);
        Thread hook = new Thread(cleanup::abort, "snap-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            T result;
            // 0600 from the open itself (never a moment readable by others), whatever the umask: it holds secrets
            try (FileChannel file = FileChannel.open(partial, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                file.lock(); // held until renamed: the mark of a part being written (removeStaleParts)
                try (OutputStream gz = gzip(new BufferedOutputStream(new KeepOpen(file), 1 << 16), level);
                     TarWriter tar = new TarWriter(gz)) {
                    result = body.write(tar);
                }
                cleanup.commit();
            }
            return result;
        } catch (IOException | RuntimeException e) {
            cleanup.abort();
            throw e;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook runs
            }
        }
    }

    /** Runs body into a gzip stream at level that is counted and discarded: the size the archive would have. */
    public static <T> Counted<T> count(int level, Body<T> body) throws IOException {
        CountingSink sink = new CountingSink();
        T result;
        try (OutputStream gz = gzip(sink, level); TarWriter tar = new TarWriter(gz)) {
            result = body.write(tar);
        }
        return new Counted<>(result, sink.count);
    }

    private static final Pattern PART = Pattern.compile("\\..+\\.tar\\.gz\\.part-([0-9]{1,10})");

    /**
     * Removes the partial archives in dir (.NAME.tar.gz.part-PID) that no snap is writing any more (a
     * SIGKILLed or crashed run), saying so on said: a writing snap holds a lock on its part, which the
     * kernel drops when that process dies, whatever its pid became. Only root's regular files are touched.
     */
    public static void removeStaleParts(Path dir, Consumer<String> said) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tar.gz.part-*")) {
            for (Path p : ds) {
                Matcher m = PART.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                if (!Integer.valueOf(0).equals(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))) continue;
                long pid = Long.parseLong(m.group(1));
                boolean alive = ProcessHandle.of(pid).isPresent();
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                     FileLock free = ch.tryLock()) {
                    if (free == null) continue;
                    Files.delete(p);
                    said.accept("removed " + p + ", left by snap " + pid + " that ended before finishing ("
                            + (alive ? "that pid is now another program" : "no such process now") + ")");
                } catch (OverlappingFileLockException | NoSuchFileException busy) {
                    // written by this very JVM, or removed meanwhile
                }
            }
        }
    }

    private static OutputStream gzip(OutputStream out, int level) throws IOException {
        return new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(level);
            }
        };
    }

    /** The partial archive's fate: renamed into place once complete, removed on error or interruption. */
    private static final class Cleanup {
        private final Path partial, archive;
        private boolean done;

        Cleanup(Path partial, Path archive) {
            this.partial = partial;
            this.archive = archive;
        }

        synchronized void commit() throws IOException {
            if (done) throw new IOException("interrupted");
            if (Files.exists(archive)) {
                abort();
                throw new FileAlreadyExistsException(archive.toString(), null, "appeared while snap was writing it: left untouched");
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        }

        synchronized void abort() {
            if (done) return;
            done = true;
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // nothing more to do while exiting
            }
        }
    }

    /** Writes to the channel; closing it leaves the channel (and its lock) open. */
    private static final class KeepOpen extends OutputStream {
        private final FileChannel ch;

        KeepOpen(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) ch.write(buf);
        }
    }

    /** Discards what is written, counting it. */
    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
