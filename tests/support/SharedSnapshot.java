import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One snapshot of this machine (snap run), made on first use and shared by the test classes that hand
 * a snapshot to another user: archives are private to root by design, this one is made readable on purpose.
 */
final class SharedSnapshot {
    private static Path archive;

    private SharedSnapshot() {
    }

    static synchronized Path readableByAll() throws IOException {
        if (archive != null) return archive;
        Path dir = Files.createTempDirectory("shared-snapshot");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Commands.deleteTree(dir);
            } catch (IOException ignored) {
                // the JVM is going away; /tmp is cleaned at boot
            }
        }));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Tool.Result r = Tool.run(snap.commandLine(), "run", dir.resolve("s").toString());
        if (r.exit() != 0) throw new IOException("snap run failed: " + r);
        Path a = dir.resolve("s.tar.gz");
        Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-r--r--"));
        archive = a;
        return a;
    }

    /** root's reading of the snapshot (in this JVM): what another user's reading must equal. */
    static Tool.Result memstatsAsRoot(String... args) throws IOException {
        String[] all = new String[args.length + 2];
        all[0] = "--procfs-root";
        all[1] = readableByAll().toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Tool.memstats(all);
    }
}
