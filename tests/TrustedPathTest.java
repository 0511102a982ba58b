import lib.oracle.OracleInstance;
import lib.proc.Status;
import lib.proc.TrustedPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TrustedPath on real files (run as root, it chowns): who may have chosen each step of a program's
 * lookup, through symbolic links; and which pmon credentials name one owner to run sqlplus as.
 */
@NeedsRoot
class TrustedPathTest {
    static final int NOBODY = 65534;
    static Path base, home, tmpDir, tmpLink;

    @BeforeAll
    static void tree() throws IOException {
        // /opt, not /tmp: the whole way down must be root's and closed to others
        base = Files.createTempDirectory(Files.createDirectories(Path.of("/opt")), "lmtest-trusted-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = Files.createDirectories(base.resolve("real/home/bin")).getParent();
        Files.writeString(home.resolve("bin/sqlplus"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(home.resolve("bin/sqlplus"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(base.resolve("rel"), Path.of("real/home"));
        Files.createSymbolicLink(base.resolve("abs"), home);
        Files.createSymbolicLink(base.resolve("chain"), Path.of("rel"));
        Files.createSymbolicLink(base.resolve("loop"), Path.of("loop"));
        Files.createSymbolicLink(base.resolve("dangling"), Path.of("nothing-here"));
        tmpDir = Files.createTempDirectory(Path.of("/tmp"), "lmtest-trusted-");
        Files.setPosixFilePermissions(tmpDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(base.resolve("via-tmp"), tmpDir);
        Files.createDirectories(tmpDir.resolve("bin"));
        Files.copy(home.resolve("bin/sqlplus"), tmpDir.resolve("bin/sqlplus"));
        tmpLink = Files.createSymbolicLink(tmpDir.resolveSibling(tmpDir.getFileName() + "-link"), home);
    }

    @AfterAll
    static void remove() throws IOException {
        for (Path d : new Path[]{base, tmpDir}) {
            if (d == null) continue;
            try (var files = Files.walk(d)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        if (tmpLink != null) Files.deleteIfExists(tmpLink);
    }

    static String why(String path, int owner) {
        return assertThrows(TrustedPath.Untrusted.class, () -> TrustedPath.resolve(path, owner)).getMessage();
    }

    @Test
    void symbolicLinksAreFollowedToTheRealPathThroughTrustedDirectoriesOnly() throws Exception {
        Path real = home.resolve("bin/sqlplus");
        for (String via : new String[]{"real/home", "rel", "abs", "chain", "./rel/../home/.//", "rel/bin/../../home"}) {
            assertEquals(real, TrustedPath.resolve(base + "/" + via + "/bin/sqlplus", 1000), via);
        }
        // a link in /tmp could be swapped by anyone, whatever it points at now; so could a target under /tmp
        assertEquals("/tmp is writable by others", why(tmpLink + "/bin/sqlplus", 0));
        assertEquals("/tmp is writable by others", why(base + "/via-tmp/bin/sqlplus", 0));
        assertEquals(base + "/loop/bin/sqlplus: too many symbolic links", why(base + "/loop/bin/sqlplus", 0));
        assertEquals(base.resolve("nothing-here") + " does not exist", why(base + "/dangling/bin/sqlplus", 0));
        assertEquals(home.resolve("bin") + " is not a regular file", why(home + "/bin", 0));
        assertEquals(real + " is not a directory", why(real + "/x", 0));
        assertEquals("bin/sqlplus is not an absolute path", why("bin/sqlplus", 0));
    }

    @Test
    void everyStepBelongsToRootOrTheOwnerAndNoOneElseMayWriteIt() throws Exception {
        Path bin = home.resolve("bin"), sqlplus = bin.resolve("sqlplus");
        try {
            Files.setAttribute(bin, "unix:uid", NOBODY);
            assertEquals(sqlplus, TrustedPath.resolve(sqlplus.toString(), NOBODY), "the owner's own directory");
            assertEquals(bin + " is owned by uid " + NOBODY + ", neither root nor uid 1000", why(sqlplus.toString(), 1000));
            assertEquals(bin + " is owned by uid " + NOBODY + ", not root", why(sqlplus.toString(), 0));
            Files.setAttribute(bin, "unix:uid", 0);
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxrwxr-x"));
            int gid = (Integer) Files.getAttribute(bin, "unix:gid");
            assertEquals(bin + " is writable by its group (gid " + gid + ")", why(sqlplus.toString(), NOBODY));
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(sqlplus, PosixFilePermissions.fromString("rwxr-xrwx"));
            assertEquals(sqlplus + " is writable by others", why(sqlplus.toString(), NOBODY));
        } finally {
            Files.setAttribute(bin, "unix:uid", 0);
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(sqlplus, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void systemProgramsComeFromRootsOwnDirectories() throws Exception {
        for (String name : new String[]{"setsid", "setpriv", "env"}) {
            Path p = TrustedPath.system(name);
            assertTrue(p.toString().equals("/usr/bin/" + name) || p.toString().equals("/bin/" + name), p.toString());
            assertEquals(p.toRealPath(), p, "the real path, as exec'd");
        }
        assertThrows(TrustedPath.Untrusted.class, () -> TrustedPath.system("no-such-program-lmtest"));
    }

    @Test
    void onlyPmonsWithOneNonRootUidAndOneGidAreTrusted() {
        assertNull(OracleInstance.distrust(status("1001\t1001\t1001\t1001", "54321\t54321\t54321\t54321")));
        assertEquals("pmon's uids differ (real 1001, effective 0, saved 0, fs 0)",
                OracleInstance.distrust(status("1001\t0\t0\t0", "1001\t1001\t1001\t1001")));
        assertEquals("pmon's uids differ (real 1001, effective 1001, saved 1001, fs 0)",
                OracleInstance.distrust(status("1001\t1001\t1001\t0", "1001\t1001\t1001\t1001")));
        assertEquals("pmon's gids differ (real 1001, effective 0, saved 0, fs 0)",
                OracleInstance.distrust(status("1001\t1001\t1001\t1001", "1001\t0\t0\t0")));
        assertEquals("pmon runs as root", OracleInstance.distrust(status("0\t0\t0\t0", "0\t0\t0\t0")));
        assertEquals("pmon's credentials are unreadable", OracleInstance.distrust(Status.parse("Name:\tx\n")));
    }

    static Status status(String uids, String gids) {
        return Status.parse("Name:\tcat\nUid:\t" + uids + "\nGid:\t" + gids + "\n");
    }
}
