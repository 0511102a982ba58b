import lib.cli.AtomicFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** -o FILE: replaced whole or not at all, with no temporary file left behind. */
class AtomicFileTest {

    @TempDir
    Path dir;

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aNewFileIsPrivateAnExistingOneKeepsItsReadBits() throws IOException {
        Path f = dir.resolve("linuxmem.prom");
        AtomicFile.write(f, "one\n".getBytes());
        assertEquals("one\n", Files.readString(f));
        assertEquals("rw-------", perms(f));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxrwxrw-"));
        AtomicFile.write(f, "two\n".getBytes());
        assertEquals("two\n", Files.readString(f));
        assertEquals("rw-r--r--", perms(f), "read bits kept, write and execute for others never");
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    @Test
    void aSymlinkIsReplacedNotFollowed() throws IOException {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "keep");
        Path link = dir.resolve("out.prom");
        Files.createSymbolicLink(link, victim);
        AtomicFile.write(link, "new".getBytes());
        assertEquals("keep", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(link));
        assertEquals("new", Files.readString(link));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
        Path mnt = dir.resolve("small");
        Files.createDirectory(mnt);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()).inheritIO().start();
        assertTrue(m.waitFor(30, TimeUnit.SECONDS) && m.exitValue() == 0, "mount tmpfs");
        try {
            Path f = mnt.resolve("out.json");
            AtomicFile.write(f, "{}".getBytes());
            IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, new byte[1 << 20]));
            assertTrue(e.getMessage().contains("No space") || String.valueOf(e.getCause()).contains("No space"), e.toString());
            assertEquals("{}", Files.readString(f), "the old content stays whole");
            try (var s = Files.list(mnt)) {
                assertEquals(1, s.count(), "no temporary file left");
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMissingDirectoryIsAnError() {
        assertThrows(IOException.class, () -> AtomicFile.write(dir.resolve("no/such/file"), new byte[1]));
        assertThrows(IOException.class, () -> AtomicFile.write(dir, new byte[1]));
    }
}
