package lib;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A /proc tree: the live one, an extracted snapshot, or a snapshot archive. Paths are relative ("1234/maps"). */
public interface ProcFs extends Closeable {

    /** A file read at explicit offsets (pagemap, kpageflags); holes read as zeros. */
    interface PositionalFile extends Closeable {
        /** Reads up to dst.remaining() bytes at pos; returns bytes read, -1 at end of file. */
        int read(ByteBuffer dst, long pos) throws IOException;

        /** A real file's channel as a PositionalFile (closing it closes the channel). */
        static PositionalFile of(java.nio.channels.FileChannel ch) {
            return new PositionalFile() {
                @Override
                public int read(ByteBuffer dst, long pos) throws IOException {
                    return ch.read(dst, pos);
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
    }

    /** Where it came from, for messages. */
    String description();

    /** True for the running kernel's /proc (PFNs, kpageflags and SysV segments are live). */
    boolean isLive();

    /** Process ids present, ascending. */
    List<Integer> pids() throws IOException;

    /** Whole content of a small file; NoSuchFileException when absent. */
    byte[] read(String relativePath) throws IOException;

    default String readString(String relativePath) throws IOException {
        return new String(read(relativePath), StandardCharsets.UTF_8);
    }

    boolean exists(String relativePath);

    PositionalFile open(String relativePath) throws IOException;

    /** Target of a symbolic link ("ipc:[4026531839]" for ns/ipc), or null when this tree does not keep links. */
    default String readLink(String relativePath) throws IOException {
        return null;
    }

    /** Owner uid of a path (a snapshot keeps the owners of the original files), -1 when unknown. */
    default int ownerUid(String relativePath) {
        return -1;
    }

    /** The snapshot's metadata.json content, or null for a live /proc. */
    default String metadataJson() throws IOException {
        return null;
    }

    @Override
    default void close() throws IOException {
    }

    /**
     * Opens a live /proc, an extracted snapshot (the DIR given to snap, or its proc/ folder),
     * or a snapshot archive (.tar.gz / .tgz).
     */
    static ProcFs at(String root) throws IOException {
        Path p = Path.of(root);
        if (!Files.exists(p)) {
            throw new java.io.FileNotFoundException("procfs root " + root + " does not exist");
        }
        if (Files.isRegularFile(p)) {
            return SnapshotArchive.open(p);
        }
        if (!Files.exists(p.resolve("meminfo")) && Files.isDirectory(p.resolve("proc"))) {
            return new DirProcFs(p.resolve("proc"), p.resolve("metadata.json"));
        }
        return new DirProcFs(p, p.getParent() == null ? null : p.getParent().resolve("metadata.json"));
    }
}
