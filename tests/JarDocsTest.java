import lib.cli.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * packaging/jars.java: a jar whose --version names the commit it was built from, with a man page and a bash
 * completion beside it (PackagingTest runs the jars as nobody on a snapshot).
 */
class JarDocsTest {
    static Path dist;
    static String buildLog;

    @BeforeAll
    static void build() throws Exception {
        dist = Files.createTempDirectory("dist");
        Files.setPosixFilePermissions(dist, PosixFilePermissions.fromString("rwxr-xr-x"));
        buildLog = run(Native.repoRoot(), 600, "./jbang", "packaging/jars.java", dist.toString(), "memstats.java");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (dist == null) return;
        try (var s = Files.walk(dist)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void theJarsVersionIsTheCommitItWasBuiltFrom() throws Exception {
        String commit = Version.commitOf(Native.repoRoot());
        org.junit.jupiter.api.Assumptions.assumeTrue(commit != null, "not built from a git clone");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // from /tmp: not the clone's .git, the jar's own record
        String out = run(Path.of("/tmp"), 120, java, "-jar", dist.resolve("memstats.jar").toString(), "--version");
        assertEquals("memstats " + Version.VERSION + " (linux-mem for JBang, commit " + commit + ")\n", out);
    }

    @Test
    void aManPageAndABashCompletionBesideTheJar() throws Exception {
        Path man = dist.resolve("man/man1/memstats.1"), completion = dist.resolve("completion/memstats.bash");
        assertTrue(Files.isRegularFile(man) && Files.isRegularFile(completion), buildLog);
        for (Path p : new Path[]{man, completion}) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), "readable by every user: " + p);
        }
        String page = run(Path.of("/tmp"), 60, "/usr/bin/groff", "-man", "-Tutf8", "-ww", man.toString()).replaceAll(".\b", "");
        for (String o : new String[]{"split‐uid", "split‐custom", "procfs‐root", "NOTES"}) {
            assertTrue(page.replace('-', '‐').contains(o), o + " in\n" + page);
        }
        String words = run(Path.of("/tmp"), 60, "/bin/bash", "-c", "source " + completion
                + "; COMP_WORDS=(memstats groups --sp); COMP_CWORD=2; COMP_LINE='memstats groups --sp'; COMP_POINT=${#COMP_LINE};"
                + " _complete_memstats; printf '%s\\n' \"${COMPREPLY[@]}\"");
        assertTrue(words.contains("--split-uid") && words.contains("--split-custom"), words);
    }

    /** The command's stdout and stderr; a non-zero exit fails the test. */
    static String run(Path dir, int seconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", cmd) + " did not end");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
