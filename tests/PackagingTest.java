import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** packaging/jars.java: jars any user can run, whatever the umask of whoever built them. */
class PackagingTest {

    @Test
    void jarsAndLaunchersBuiltUnderAStrictUmaskAreRunByNobodyOnASnapshot() throws Exception {
        Path archive = SharedSnapshot.readableByAll();
        Path dir = Files.createTempDirectory("packaging-test");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path dist = dir.resolve("dist");
            Tool.Result built = Commands.run(new ProcessBuilder("bash", "-c", "umask 077 && exec ./jbang packaging/jars.java \"$1\" memstats.java",
                    "-", dist.toString()).directory(Native.repoRoot().toFile()), 600);
            assertEquals(0, built.exit(), built.toString());
            Path jar = dist.resolve("memstats.jar"), launcher = dist.resolve("memstats");
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(jar)));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher)));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dist)));
            try (var s = Files.list(dist)) {
                // beside the jar and its launcher: the man page and bash completion folders (JarDocsTest), nothing temporary
                assertEquals(List.of(dist.resolve("completion"), dist.resolve("man"), launcher, jar), s.sorted().toList(),
                        "no temporary file left");
            }
            for (String d : List.of("completion", "man", "man/man1")) {
                assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dist.resolve(d))), d);
            }

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<List<String>> runs = List.of(List.of(launcher.toString(), "--help"), List.of(java, "-jar", jar.toString(), "--help"),
                    List.of(java, "-jar", jar.toString(), "--procfs-root", archive.toString(), "groups", "-u", "--format", "json"));
            for (List<String> run : runs) {
                List<String> cmd = new ArrayList<>(Commands.AS_NOBODY);
                cmd.addAll(Commands.cleanEnv(List.of("PATH=" + Path.of(java).getParent() + ":/usr/bin:/bin", "HOME=/nonexistent", "LC_ALL=C.UTF-8"), run));
                Tool.Result r = Commands.run(new ProcessBuilder(cmd).directory(dir.toFile()), 300);
                assertEquals(0, r.exit(), run + ": " + r);
                if (run.contains("--help")) {
                    assertTrue(r.out().contains("--procfs-root"), r.out());
                } else {
                    Tool.Result root = SharedSnapshot.memstatsAsRoot("groups", "-u", "--format", "json");
                    assertFalse(Tool.groups(root, "UID").isEmpty(), root.out());
                    assertEquals(Tool.groups(root, "UID"), Tool.groups(r, "UID"));
                }
            }
        } finally {
            Commands.deleteTree(dir);
        }
    }
}
