import lib.pages.ProcessPages;
import lib.proc.DirProcFs;
import lib.proc.LiveProcFs;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What differs between a live /proc and a snapshot is answered by ProcFs (the tools never ask which one they read). */
class ProcFsTest {

    @Test
    void liveProcessesRunHereAndAMissingFileMeansVanished() throws IOException {
        try (ProcFs live = new LiveProcFs()) {
            assertTrue(live.processesRunHere());
            assertTrue(live.sysvShmAttachable());
            int self = (int) ProcessHandle.current().pid();
            // live, a file that is not there means the process went, even while its directory is still listed
            assertInstanceOf(ProcessInfo.VanishedException.class, live.missing(self, "maps", new NoSuchFileException("maps")));
        }
    }

    /** A snapshot that kept a process's directory but not its maps: unreadable when taken (as live), not vanished. */
    @Test
    void aSnapshotsProcessWithoutMapsIsUnreadable() throws IOException {
        Path d = Files.createTempDirectory("procfs");
        Files.writeString(Files.createDirectories(d.resolve("proc")).resolve("meminfo"), "MemTotal: 1024 kB\n");
        Files.writeString(Files.createDirectories(d.resolve("proc/4242")).resolve("status"), "Name:\tx\n");
        try (ProcFs snap = DirProcFs.snapshot(d)) {
            assertFalse(snap.processesRunHere());
            assertFalse(snap.sysvShmAttachable());
            assertInstanceOf(AccessDeniedException.class, snap.missing(4242, "maps", new NoSuchFileException("maps")));
            assertInstanceOf(ProcessInfo.VanishedException.class, snap.missing(4243, "maps", new NoSuchFileException("maps")));
            // the page reader passes that answer on
            ProcessPages.Reader reader = new ProcessPages.Reader(snap, 4096);
            assertThrows(AccessDeniedException.class, () -> reader.readInto(4242, List.of()));
            assertThrows(ProcessInfo.VanishedException.class, () -> reader.readInto(4243, List.of()));
        } finally {
            SnapTest.deleteTree(d);
        }
    }
}
