package lib.snapshot;

import lib.proc.DirProcFs;
import lib.proc.LiveProcFs;
import lib.proc.ProcFs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What --procfs-root names, opened: here, above lib.proc, so that ProcFs knows nothing of archives. */
public final class ProcRoot {
    private ProcRoot() {
    }

    /**
     * Opens a live /proc, an extracted snapshot (the DIR given to snap, or its proc/ folder),
     * or a snapshot archive (.tar.gz / .tgz).
     */
    public static ProcFs open(String root) throws IOException {
        Path p = Path.of(root);
        if (!Files.exists(p)) {
            throw new java.io.FileNotFoundException("procfs root " + root + " does not exist");
        }
        if (p.toAbsolutePath().normalize().equals(Path.of("/proc"))) {
            return new LiveProcFs();
        }
        if (Files.isRegularFile(p)) {
            return SnapshotArchive.open(p);
        }
        return DirProcFs.snapshot(p);
    }
}
