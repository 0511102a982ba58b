import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * memload (run as root by bench/workload.sh and the tests) in /dev/shm, where any user can plant a name first:
 * never through a link, never another user's file.
 */
@NeedsRoot
class MemloadTest {
    static final String PRECIOUS = "a file of root's that memload must never touch\n";

    static Tool.Result memload(String... ops) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Native.binary("memload").toString()));
        cmd.addAll(List.of(ops));
        return Commands.run(new ProcessBuilder(cmd), 60);   // stdin /dev/null: a started memload ends at once
    }

    @Test
    void plantedLinksAndForeignFilesAreRefusedAndLeftUntouched() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "memload-test");
        Path name = Path.of("/dev/shm/memload-test-" + ProcessHandle.current().pid());
        try {
            Path target = dir.resolve("precious");
            Files.writeString(target, PRECIOUS);
            String op = "file:" + name + ":1";

            // a link made by nobody, then one made by root (followed whatever fs.protected_symlinks says)
            for (boolean byNobody : new boolean[]{true, false}) {
                if (byNobody) {
                    List<String> ln = new ArrayList<>(Commands.AS_NOBODY);
                    ln.addAll(List.of("ln", "-s", target.toString(), name.toString()));
                    assertEquals(0, Commands.run(new ProcessBuilder(ln), 30).exit());
                } else {
                    Files.createSymbolicLink(name, target);
                }
                Tool.Result r = memload(op);
                assertEquals(2, r.exit(), r.toString());
                assertEquals("memload: refusing " + name + ": a symbolic link\n", r.err());
                assertEquals(PRECIOUS, Files.readString(target), "the link's target");
                assertTrue(Files.isSymbolicLink(name));
                Files.delete(name);
            }

            // a hard link to root's file
            Files.createLink(name, target);
            Tool.Result hard = memload(op);
            assertEquals(2, hard.exit(), hard.toString());
            assertEquals("memload: refusing " + name + ": exists with another hard link\n", hard.err());
            assertEquals(PRECIOUS, Files.readString(target));
            Files.delete(name);

            // another user's file
            List<String> touch = new ArrayList<>(Commands.AS_NOBODY);
            touch.addAll(List.of("sh", "-c", "printf 'nobody wrote this' > " + name));
            assertEquals(0, Commands.run(new ProcessBuilder(touch), 30).exit());
            Tool.Result foreign = memload(op);
            assertEquals(2, foreign.exit(), foreign.toString());
            assertEquals("memload: refusing " + name + ": exists and belongs to another user\n", foreign.err());
            assertEquals("nobody wrote this", Files.readString(name));
            Files.delete(name);

            // a fresh name is created (0644, its own); a file memload made is shared by the next one (as workloads do)
            try (Workload a = Workload.start(Map.of(), op); Workload b = Workload.start(Map.of(), op)) {
                assertEquals(1L << 20, Files.size(name));
                assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(name)));
                assertTrue(Tool.smapsSum(b.pid(), "Rss") >= 1L << 20, "b mapped the shared file");
            }
            assertEquals(PRECIOUS, new String(Files.readAllBytes(target), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(name);
            Commands.deleteTree(dir);
        }
    }
}
