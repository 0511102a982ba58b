package lib.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Replaces a file all at once: the bytes go to a new file in the same directory, are synced, then
 * renamed over the target, so a reader (node_exporter, a cron job) sees the old file or the new
 * one, never a part. A new file is 0600 (group names can be other users' environment values); an
 * existing regular file keeps its read permissions and group (never write or execute for others).
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    private static final Set<PosixFilePermission> KEPT = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    public static void write(Path target, byte[] data) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) throw new IOException(target + " is a directory");
        if (dir == null || !Files.isDirectory(dir)) throw new NoSuchFileException(target + ": no such directory");
        // O_EXCL with a random name: nothing planted in a shared directory is followed or reused
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            keepAttributes(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage());
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    private static void keepAttributes(Path target, Path tmp) throws IOException {
        PosixFileAttributes old;
        try {
            old = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!old.isRegularFile()) return;
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : old.permissions()) if (KEPT.contains(p)) perms.add(p);
        perms.add(PosixFilePermission.OWNER_WRITE);
        perms.add(PosixFilePermission.OWNER_READ);
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        // the group only from a file of our own: another user's file says nothing about who may read ours
        if (old.owner().equals(view.getOwner())) {
            GroupPrincipal g = old.group();
            view.setGroup(g);
        }
        view.setPermissions(perms);
    }

    /** The rename itself reaches the disk (best effort: some file systems refuse to sync a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // the data is synced; only the rename's durability is left to the file system
        }
    }
}
