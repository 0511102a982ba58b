package lib.proc;

import lib.text.Bytes;
import lib.text.Json;
import com.sun.jna.LastErrorException;
import com.sun.jna.Library;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A /proc tree in a directory: an extracted snapshot, or the live /proc (LiveProcFs answers for this machine). A snapshot may be hostile
 * (root extracts what tar holds: symbolic links, FIFOs, device nodes): below the directory the user
 * named, no link is ever followed (each directory is opened with O_NOFOLLOW from the one above, the
 * file itself with O_NOFOLLOW), only regular files are read, and no more than the kernel file they
 * stand for can hold. A file that breaks this makes its process unreadable, as a file /proc denies.
 */
public class DirProcFs implements ProcFs {
    private final Path root;
    private final boolean live;
    /** A snapshot: the directory the user named (trusted), the tree below it ("proc" or ""), where metadata.json is. */
    private final Path top;
    private final String under;
    private final Path metadata;
    private Metadata meta;

    /** The live /proc (or a directory trusted like it). */
    public DirProcFs(Path root, Path metadata) {
        this.root = root;
        this.live = root.toAbsolutePath().normalize().equals(Path.of("/proc"));
        this.top = null;
        this.under = null;
        this.metadata = metadata;
    }

    private DirProcFs(Path top, String under, Path metadata) {
        this.root = under.isEmpty() ? top : top.resolve(under);
        this.live = false;
        this.top = top;
        this.under = under;
        this.metadata = metadata;
    }

    /**
     * An extracted snapshot: the DIR given to snap (holding proc/ and metadata.json) or its proc/
     * folder (metadata.json beside it). Links in the path given are the user's: they are followed.
     */
    public static DirProcFs snapshot(Path given) {
        Path p = given.toAbsolutePath().normalize();
        if (!Files.exists(p.resolve("meminfo"), LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(p.resolve("proc"), LinkOption.NOFOLLOW_LINKS)) {
            return new DirProcFs(p, "proc", p.resolve("metadata.json"));
        }
        return new DirProcFs(p, "", p.getParent() == null ? null : p.getParent().resolve("metadata.json"));
    }

    public Path root() {
        return root;
    }

    @Override
    public String description() {
        return root.toString();
    }

    @Override
    public boolean isLive() {
        return live;
    }

    @Override
    public List<Integer> pids() throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                // a snapshot's PID entry that is a link (say to /proc/1) is not a process of the snapshot
                if (isNumber(name) && (top == null || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                    pids.add(Integer.parseInt(name));
                }
            }
        }
        Collections.sort(pids);
        return pids;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 9) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    /**
     * Per thread, the buffer live files are read into: /proc says size 0, so a whole read grows an array
     * and copies it (Files.readAllBytes) for every status, cmdline and environ of every process.
     */
    private static final ThreadLocal<LiveRead> LIVE_READ = ThreadLocal.withInitial(LiveRead::new);

    /** A live file read whole into a buffer that is reused while it stays small. */
    private static final class LiveRead {
        private static final int INITIAL = 16 << 10, KEPT = 1 << 20;
        private byte[] buf = new byte[INITIAL];
        private int length;

        /** Reads the file to its end (the kernel bounds what a /proc file gives, as before). */
        byte[] read(Path path) throws IOException {
            if (buf.length > KEPT) buf = new byte[INITIAL];
            length = 0;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                while (true) {
                    if (length == buf.length) {
                        if (buf.length >= Integer.MAX_VALUE - 8) throw new OutOfMemoryError("Required array size too large");
                        buf = java.util.Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buf.length));
                    }
                    int got = ch.read(ByteBuffer.wrap(buf, length, buf.length - length));
                    if (got < 0) break;
                    length += got;
                }
            }
            return buf;
        }
    }

    @Override
    public byte[] read(String relativePath) throws IOException {
        if (top == null) {
            LiveRead r = LIVE_READ.get();
            return java.util.Arrays.copyOf(r.read(root.resolve(relativePath)), r.length);
        }
        long max = ProcFs.readLimit(relativePath);
        try (Beneath b = beneath(relativePath); FileChannel ch = b.openRegular()) {
            long size = ch.size();
            if (size > max) throw new IOException(root.resolve(relativePath) + ": " + Bytes.AUTO.format(size) + ", more than the kernel file can hold (" + Bytes.AUTO.format(max) + ")");
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) > 0) ;
            return buf.position() == buf.capacity() ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
        }
    }

    /** A live file decoded straight from the buffer it was read into (no byte[] of its own). */
    @Override
    public String readString(String relativePath) throws IOException {
        if (top != null) return ProcFs.super.readString(relativePath);
        LiveRead r = LIVE_READ.get();
        return new String(r.read(root.resolve(relativePath)), 0, r.length, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean exists(String relativePath) {
        if (top == null) return Files.exists(root.resolve(relativePath), LinkOption.NOFOLLOW_LINKS);
        try (Beneath b = beneath(relativePath)) {
            b.attributes();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public PositionalFile open(String relativePath) throws IOException {
        if (top == null) return PositionalFile.of(FileChannel.open(root.resolve(relativePath), StandardOpenOption.READ));
        try (Beneath b = beneath(relativePath)) {
            return PositionalFile.of(b.openRegular());
        }
    }

    @Override
    public String readLink(String relativePath) throws IOException {
        if (top == null) return Files.readSymbolicLink(root.resolve(relativePath)).toString();
        try (Beneath b = beneath(relativePath)) {
            return b.readLink();
        }
    }

    @Override
    public int ownerUid(String relativePath) {
        try {
            if (top == null) return (Integer) Files.getAttribute(root.resolve(relativePath), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            try (Beneath b = beneath(relativePath)) {
                return (Integer) Files.getAttribute(b.path(), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    @Override
    public String metadataJson() throws IOException {
        if (live || metadata == null) return null;
        Path dir = metadata.getParent();
        if (!Files.isRegularFile(metadata, LinkOption.NOFOLLOW_LINKS)) return null;
        String json;
        try (Beneath b = new Beneath(openDir(dir.toString()), metadata.getFileName().toString(), metadata.toString());
             FileChannel ch = b.openRegular()) {
            if (ch.size() > MAX_METADATA_BYTES) throw new IOException(metadata + ": " + Bytes.AUTO.format(ch.size()) + " (snap writes kilobytes)");
            ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
            while (buf.hasRemaining() && ch.read(buf) > 0) ;
            json = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(metadata + ": " + e.getMessage());
        }
        return json;
    }

    @Override
    public Metadata metadata() throws IOException {
        if (meta == null) meta = Metadata.parse(metadataJson());
        return meta;
    }

    /** tmpfs_files.json beside metadata.json, read as safely (a regular file, no link, bounded). */
    @Override
    public String tmpfsFilesJson() throws IOException {
        if (live || metadata == null) return null;
        Path file = metadata.resolveSibling(TmpfsFiles.SNAPSHOT_FILE);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return null;
        try (Beneath b = new Beneath(openDir(file.getParent().toString()), file.getFileName().toString(), file.toString());
             FileChannel ch = b.openRegular()) {
            if (ch.size() > TmpfsFiles.MAX_JSON_BYTES) throw new IOException(file + ": " + Bytes.AUTO.format(ch.size()) + " (snap writes at most "
                    + Bytes.AUTO.format(TmpfsFiles.MAX_JSON_BYTES) + ")");
            ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
            while (buf.hasRemaining() && ch.read(buf) > 0) ;
            return new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** libc's openat, to walk a snapshot one directory at a time. */
    private interface C extends Library {
        C LIBC = Jna.libc(C.class);

        int open(String path, int flags) throws LastErrorException;

        int openat(int dirfd, String path, int flags) throws LastErrorException;

        int close(int fd);
    }

    private static final int O_PATH = 010000000, O_CLOEXEC = 02000000;
    /** O_NOFOLLOW is 0100000 on arm, arm64 and powerpc (their asm/fcntl.h), 0400000 elsewhere (asm-generic). */
    private static final int O_NOFOLLOW = System.getProperty("os.arch").matches("(aarch64|arm.*|ppc.*)") ? 0100000 : 0400000;
    private static final int ENOENT = 2, EACCES = 13, ENOTDIR = 20, ELOOP = 40;

    private static int openDir(String dir) throws IOException {
        try {
            return C.LIBC.open(dir, O_PATH | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw error(e, dir);
        }
    }

    /** The directory holding relativePath opened without following any link below the snapshot's top. */
    private Beneath beneath(String relativePath) throws IOException {
        String rel = under.isEmpty() ? relativePath : under + "/" + relativePath;
        String[] parts = rel.split("/");
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) throw new NoSuchFileException(root.resolve(relativePath).toString());
        }
        int fd = openDir(top.toString());
        try {
            for (int i = 0; i < parts.length - 1; i++) {
                int next;
                try {
                    // O_PATH: a FIFO or device is not opened; a link is opened as itself, and the next step then fails (ENOTDIR)
                    next = C.LIBC.openat(fd, parts[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
                } catch (LastErrorException e) {
                    throw error(e, root.resolve(relativePath).toString());
                }
                C.LIBC.close(fd);
                fd = next;
            }
            Beneath b = new Beneath(fd, parts[parts.length - 1], root.resolve(relativePath).toString());
            fd = -1;
            return b;
        } finally {
            if (fd >= 0) C.LIBC.close(fd);
        }
    }

    private static IOException error(LastErrorException e, String path) {
        return switch (e.getErrorCode()) {
            case ENOENT -> new NoSuchFileException(path);
            case EACCES -> new AccessDeniedException(path);
            case ENOTDIR, ELOOP -> new AccessDeniedException(path, null, "a symbolic link or odd file in a snapshot: not followed");
            default -> new IOException(path + ": " + Libc.describe(e));
        };
    }

    /** One name inside a directory opened safely (an O_PATH descriptor), reached through /proc/self/fd. */
    private final class Beneath implements AutoCloseable {
        private final int dirfd;
        private final String name, shown;

        Beneath(int dirfd, String name, String shown) {
            this.dirfd = dirfd;
            this.name = name;
            this.shown = shown;
        }

        Path path() {
            return Path.of("/proc/self/fd/" + dirfd, name);
        }

        BasicFileAttributes attributes() throws IOException {
            try {
                return Files.readAttributes(path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                throw rename(e);
            }
        }

        /** The link itself, never its target (exe, cwd, fd/N are links by nature). */
        String readLink() throws IOException {
            try {
                return Files.readSymbolicLink(path()).toString();
            } catch (FileSystemException e) {
                throw rename(e);
            }
        }

        /** The file, which must be a regular one (not a link, FIFO or device), opened with O_NOFOLLOW. */
        FileChannel openRegular() throws IOException {
            if (!attributes().isRegularFile()) {
                throw new AccessDeniedException(shown, null, "not a regular file in a snapshot: not read");
            }
            try {
                return FileChannel.open(path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                throw rename(e);
            }
        }

        private IOException rename(FileSystemException e) {
            if (e instanceof NoSuchFileException) return new NoSuchFileException(shown);
            if (e instanceof AccessDeniedException) return new AccessDeniedException(shown);
            return new AccessDeniedException(shown, null, e.getReason() == null ? "unreadable" : e.getReason());
        }

        @Override
        public void close() {
            C.LIBC.close(dirfd);
        }
    }

}
