package lib.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's own resident memory, from /proc/self/status (cheap enough to read after every process). */
public final class SelfMemory {
    private SelfMemory() {
    }

    public static long rssBytes() {
        try {
            return Status.parse(Files.readString(Path.of("/proc/self/status"))).kbField("VmRSS");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
