import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** ./jbang: arguments passed exactly and never to a shell, any user (no home, nobody), no temporary leftovers. */
@NeedsRoot
class LauncherTest {
    static final Path REPO = Native.repoRoot();
    static final String PRINTARGS = "tests/support/launcher/printargs.java";
    static final String PATH = "PATH=/usr/local/bin:/usr/bin:/bin";
    static final String JAVA_HOME = "JAVA_HOME=" + System.getProperty("java.home");

    static Path bootstrapDir;
    static Tool.Result bootstrapRun;

    @AfterAll
    static void cleanUp() throws IOException {
        Commands.deleteTree(bootstrapDir);
    }

    static Path tempDir(String prefix, String mode) throws IOException {
        Path d = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    static ProcessBuilder jbang(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("jbang").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile());
        pb.environment().putAll(env);
        return pb;
    }

    static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** What printargs prints for these arguments: their number, then each one's UTF-8 bytes in hex. */
    static String printed(List<String> args) {
        StringBuilder b = new StringBuilder().append(args.size()).append('\n');
        for (String a : args) b.append(HexFormat.of().formatHex(a.getBytes(StandardCharsets.UTF_8))).append('\n');
        return b.toString();
    }

    @Test
    void everyArgumentReachesTheToolExactlyAndNoneReachesTheShell() throws Exception {
        Path dir = tempDir("launcher-args", "rwx------");
        try {
            Path tmp = Files.createDirectory(dir.resolve("tmp"));
            String marker = dir.resolve("pwned").toString();
            List<String> args = List.of("", "plain", "two words", "", "$(touch " + marker + ")", "`touch " + marker + "`",
                    "; touch " + marker, "| touch " + marker, "&& touch " + marker, "it's", "'", "\\'", "'\\''", "\"double\"",
                    "back\\slash", "\\", "line1\nline2", "ends with a newline\n", "\n", " leading", "trailing ", "tab\there",
                    "*", "~", "$HOME", "${PATH}", "!!", "-", "--", "--help", "-Dx=y", "a=b", "café ✓", "%s%n",
                    "linux-mem-empty-argument-0123456789abcdef", "");
            // the second run: a caller asking JBang for another shell's quoting changes nothing
            for (Map<String, String> env : List.of(Map.of("LC_ALL", "C.UTF-8", "TMPDIR", tmp.toString()),
                    Map.of("LC_ALL", "C.UTF-8", "TMPDIR", tmp.toString(), "JBANG_RUNTIME_SHELL", "powershell"))) {
                List<String> all = new ArrayList<>(List.of(PRINTARGS));
                all.addAll(args);
                Tool.Result r = Commands.run(jbang(env, all.toArray(String[]::new)), 300);
                assertEquals(0, r.exit(), env + " " + r);
                assertEquals(printed(args), r.out(), env.toString());
                assertFalse(Files.exists(Path.of(marker)), "an argument ran as a shell command");
                assertEquals(List.of(), entries(tmp), "nothing left in TMPDIR");
            }
        } finally {
            Commands.deleteTree(dir);
        }
    }

    /** With no locale (cron, env -i) javac's charset would be ASCII: the UTF-8 sources must still compile. */
    @Test
    void compilesUtf8SourcesWithoutALocale() throws Exception {
        List<String> cmd = Commands.cleanEnv(List.of(PATH, JAVA_HOME, "HOME=" + System.getProperty("user.home")),
                List.of(REPO.resolve("jbang").toString(), "--fresh", PRINTARGS, "", "x"));
        Tool.Result r = Commands.run(new ProcessBuilder(cmd).directory(REPO.toFile()), 300);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(printed(List.of("", "x")), r.out());
    }

    /** nobody's home is /nonexistent: JBang and Maven get /tmp/linux-mem-65534 (0700, nobody's) and read a snapshot. */
    @Test
    void nobodyWithoutAHomeAnalysesASnapshot() throws Exception {
        Path archive = SharedSnapshot.readableByAll();
        // a copy nobody can read, wherever the clone is
        Path dir = tempDir("launcher-nobody", "rwxr-xr-x");
        try {
            Files.copy(REPO.resolve("jbang"), dir.resolve("jbang"));
            Files.setPosixFilePermissions(dir.resolve("jbang"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.copy(REPO.resolve("memstats.java"), dir.resolve("memstats.java"));
            // lib/ with its packages (lib/proc, lib/pages, ...)
            try (Stream<Path> s = Files.walk(REPO.resolve("lib"))) {
                for (Path f : s.toList()) Files.copy(f, dir.resolve(REPO.relativize(f).toString()));
            }
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path f : s.toList()) {
                    f.toFile().setReadable(true, false);
                    if (Files.isDirectory(f)) f.toFile().setExecutable(true, false);
                }
            }

            List<String> cmd = new ArrayList<>(Commands.AS_NOBODY);
            cmd.addAll(Commands.cleanEnv(List.of(PATH, JAVA_HOME, "HOME=/nonexistent", "LC_ALL=C.UTF-8"),
                    List.of("./jbang", "memstats.java", "--procfs-root", archive.toString(), "groups", "-u", "--format", "json")));
            Tool.Result r = Commands.run(new ProcessBuilder(cmd).directory(dir.toFile()), 900);
            assertEquals(0, r.exit(), r.toString());
            Tool.Result root = SharedSnapshot.memstatsAsRoot("groups", "-u", "--format", "json");
            assertEquals(0, root.exit(), root.toString());
            assertFalse(Tool.groups(root, "UID").isEmpty(), root.out());
            assertEquals(Tool.groups(root, "UID"), Tool.groups(r, "UID"));

            Path cache = Path.of("/tmp/linux-mem-65534");
            assertEquals(65534, (Integer) Files.getAttribute(cache, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache, java.nio.file.LinkOption.NOFOLLOW_LINKS)));
            assertTrue(Files.isDirectory(cache.resolve(".m2/repository/info/picocli")), "nobody's Maven repository in the private folder");
        } finally {
            Commands.deleteTree(dir);
        }
    }

    /** Another user may make the private folder first (to run code as its victim): refused, nothing written. */
    @Test
    void refusesAPrivateFolderItDoesNotOwn() throws Exception {
        Path dir = tempDir("launcher-planted", "rwxr-xr-x");
        try {
            Files.copy(REPO.resolve("jbang"), dir.resolve("jbang"));   // a copy nobody can run, wherever the clone is
            Files.setPosixFilePermissions(dir.resolve("jbang"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Path planted = dir.resolve("linux-mem-65534");
            Path nobodys = dir.resolve("nobodys");
            for (String kind : List.of("root's folder", "a link to nobody's folder", "nobody's folder others can write")) {
                switch (kind) {
                    case "root's folder" -> Files.setPosixFilePermissions(Files.createDirectory(planted), PosixFilePermissions.fromString("rwxrwxrwx"));
                    case "a link to nobody's folder" -> {
                        Files.setPosixFilePermissions(Files.createDirectory(nobodys), PosixFilePermissions.fromString("rwx------"));
                        Files.setAttribute(nobodys, "unix:uid", 65534);
                        Files.createSymbolicLink(planted, nobodys);
                    }
                    default -> {
                        Files.setPosixFilePermissions(Files.createDirectory(planted), PosixFilePermissions.fromString("rwxrwxrwx"));
                        Files.setAttribute(planted, "unix:uid", 65534);
                    }
                }
                List<String> cmd = new ArrayList<>(Commands.AS_NOBODY);
                cmd.addAll(Commands.cleanEnv(List.of(PATH, JAVA_HOME, "HOME=/nonexistent", "TMPDIR=" + dir),
                        List.of("./jbang", "--version")));
                Tool.Result r = Commands.run(new ProcessBuilder(cmd).directory(dir.toFile()), 120);
                assertEquals(1, r.exit(), kind + ": " + r);
                assertEquals(1, r.err().lines().count(), kind + ": " + r.err());
                assertTrue(r.err().startsWith("jbang: refusing " + planted + " as the cache of uid 65534"), kind + ": " + r.err());
                Path target = Files.isSymbolicLink(planted) ? nobodys : planted;
                assertEquals(List.of(), entries(target), kind + ": nothing written there");
                assertEquals(List.of("jbang", "linux-mem-65534"), entries(dir).stream().filter(e -> !e.equals("nobodys")).toList());
                Files.delete(planted);
                Files.deleteIfExists(nobodys);
            }
        } finally {
            Commands.deleteTree(dir);
        }
    }

    /** jbang-cli fetched with mvn into a fresh cache, TMPDIR watched: the run every bootstrap test starts from. */
    static synchronized Tool.Result bootstrap() throws Exception {
        if (bootstrapRun == null) {
            bootstrapDir = tempDir("launcher-bootstrap", "rwx------");
            Path tmp = Files.createDirectory(bootstrapDir.resolve("tmp"));
            bootstrapRun = Commands.run(jbang(Map.of("JBANG_BOOTSTRAP_FORCE", "1", "TMPDIR", tmp.toString(),
                    "JBANG_BOOTSTRAP_DIR", bootstrapDir.resolve("cache/jbang-cli").toString()), PRINTARGS, ""), 600);
        }
        return bootstrapRun;
    }

    /** A failed fetch, a fetch stopped by SIGTERM and one that succeeds leave no folder in TMPDIR or beside the cache. */
    @Test
    void bootstrapLeavesNoTemporaryFolder() throws Exception {
        Path dir = tempDir("launcher-fetch", "rwx------");
        try {
            Path tmp = Files.createDirectory(dir.resolve("tmp")), cacheDir = dir.resolve("cache");
            Map<String, String> env = Map.of("JBANG_BOOTSTRAP_FORCE", "1", "TMPDIR", tmp.toString(),
                    "JBANG_BOOTSTRAP_DIR", cacheDir.resolve("jbang-cli").toString());

            Map<String, String> missing = new java.util.HashMap<>(env);
            missing.put("JBANG_CLI_VERSION", "0.0.0-no-such-version");
            Tool.Result failed = Commands.run(jbang(missing, "--version"), 300);
            assertEquals(1, failed.exit(), failed.toString());
            assertTrue(failed.err().strip().endsWith("jbang: fetching jbang-cli with mvn failed"), failed.err());
            assertEquals(List.of(), entries(tmp), "TMPDIR after a failed fetch");
            assertEquals(List.of(), entries(cacheDir), "beside the cache after a failed fetch");

            // SIGTERM to the whole process group (as a terminal's Ctrl-C reaches mvn too) while mvn runs
            ProcessBuilder pb = jbang(env, "--version");
            pb.command().add(0, "setsid");
            Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.isDirectory(cacheDir) || entries(cacheDir).isEmpty()) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "no temporary folder seen beside the cache");
                Thread.sleep(10);
            }
            Thread.sleep(300);   // mvn started
            assertEquals(0, new ProcessBuilder("kill", "-TERM", "--", "-" + p.pid()).start().waitFor());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue());
            assertEquals(List.of(), entries(tmp), "TMPDIR after SIGTERM");
            assertEquals(List.of(), entries(cacheDir), "beside the cache after SIGTERM");
        } finally {
            Commands.deleteTree(dir);
        }

        Tool.Result ok = bootstrap();
        assertEquals(0, ok.exit(), ok.toString());
        assertEquals(List.of(), entries(bootstrapDir.resolve("tmp")));
        assertEquals(List.of("jbang-cli"), entries(bootstrapDir.resolve("cache")));
        assertEquals(printed(List.of("")), ok.out());
    }

    /** A JBang installed on PATH lends its jbang.jar; its launcher script (which loses empty arguments) never runs. */
    @Test
    void usesTheJarOfAJBangOnPathNotItsScript() throws Exception {
        assertEquals(0, bootstrap().exit(), bootstrapRun.toString());
        Path dir = tempDir("launcher-installed", "rwx------");
        try {
            Path bin = Files.createDirectory(dir.resolve("bin")), marker = dir.resolve("script-ran");
            Files.writeString(bin.resolve("jbang"), "#!/bin/sh\ntouch '" + marker + "'\nexit 99\n");
            Files.setPosixFilePermissions(bin.resolve("jbang"), PosixFilePermissions.fromString("rwx------"));
            // jbang.jar: here a manifest whose Class-Path is the jbang-cli jars fetched above
            StringBuilder cp = new StringBuilder();
            for (String jar : entries(bootstrapDir.resolve("cache/jbang-cli"))) {
                if (jar.endsWith(".jar")) cp.append(bin.relativize(bootstrapDir.resolve("cache/jbang-cli").resolve(jar))).append(' ');
            }
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString().strip());
            try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(bin.resolve("jbang.jar")), mf)) {
                j.flush();
            }
            Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"), "LC_ALL", "C.UTF-8",
                    "JBANG_BOOTSTRAP_DIR", "/dev/null/no-bootstrap");   // a fetch could not even start
            List<String> args = List.of("", "a b", "");
            Tool.Result r = Commands.run(jbang(env, PRINTARGS, "", "a b", ""), 300);
            assertEquals(0, r.exit(), r.toString());
            assertEquals(printed(args), r.out());
            assertFalse(Files.exists(marker), "the installed launcher script ran");
        } finally {
            Commands.deleteTree(dir);
        }
    }
}
