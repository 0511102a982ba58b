import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A cgroup made for a test and removed after it: in the unified (v2) hierarchy, or in the v1
 * memory hierarchy below this JVM's own memory cgroup (so whatever limits this process keeps
 * holding the test's processes too). Mount points come from /proc/self/mountinfo.
 */
final class Cgroups implements AutoCloseable {
    private final Path dir;
    /** the path /proc/PID/cgroup shows for a member */
    private final String path;
    private final Path parentProcs;
    private final List<Path> made = new ArrayList<>();

    private Cgroups(Path dir, String path, Path parentProcs, List<Path> made) {
        this.dir = dir;
        this.path = path;
        this.parentProcs = parentProcs;
        this.made.addAll(made);
    }

    /** Where a cgroup file system of this type (and, for v1, with this super option) is mounted, or null. */
    static Path mountPoint(String fsType, String option) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) continue;
            String[] after = halves[1].split(" ");
            String[] before = halves[0].split(" ");
            if (!after[0].equals(fsType)) continue;
            if (option != null && !List.of(after[2].split(",")).contains(option)) continue;
            return Path.of(before[4]);
        }
        return null;
    }

    /** This process's path in the hierarchy whose /proc/self/cgroup line satisfies the test. */
    private static String ownPath(boolean v2) throws IOException {
        lib.proc.Cgroup c = lib.proc.Cgroup.parse(Files.readString(Path.of("/proc/self/cgroup")));
        return v2 ? c.v2Path() : c.v1MemoryPath();
    }

    /** A cgroup (and its parents) under the v2 root, e.g. "linuxmem-test.slice/x.service". */
    static Cgroups v2(String relative) throws IOException {
        Path root = mountPoint("cgroup2", null);
        assumeTrue(root != null, "no cgroup2 hierarchy mounted");
        assumeTrue(Files.isWritable(root.resolve("cgroup.procs")), "cannot move processes in the v2 hierarchy (not root?)");
        String own = ownPath(true);
        assumeTrue(own != null, "this process shows no v2 cgroup");
        return make(root, own, relative);
    }

    /** A cgroup under this process's own cgroup in the v1 memory hierarchy. */
    static Cgroups v1Memory(String relative) throws IOException {
        Path root = mountPoint("cgroup", "memory");
        assumeTrue(root != null, "no v1 memory hierarchy mounted (a pure v2 host)");
        String own = ownPath(false);
        assumeTrue(own != null, "this process shows no v1 memory cgroup");
        return make(root, own, relative);
    }

    private static Cgroups make(Path root, String own, String relative) throws IOException {
        // below our own cgroup: limits on it keep covering the test's processes (v2 allows this while no controller is enabled below it)
        String base = own.equals("/") ? "" : own;
        Path parent = root.resolve(base.isEmpty() ? "." : base.substring(1)).normalize();
        Path dir = parent;
        List<Path> made = new ArrayList<>();
        for (String part : relative.split("/")) {
            dir = dir.resolve(part);
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                made.add(0, dir);
            }
        }
        return new Cgroups(dir, base + "/" + relative, parent.resolve("cgroup.procs"), made);
    }

    /** As /proc/PID/cgroup shows it. */
    String path() {
        return path;
    }

    void add(long pid) throws IOException {
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** Members moved back where the test came from, then the cgroups made are removed (retried while the kernel lets go). */
    @Override
    public void close() throws IOException {
        for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
            try {
                Files.writeString(parentProcs, pid);
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        for (Path d : made) {
            IOException last = null;
            for (int i = 0; i < 50; i++) {
                try {
                    Files.delete(d); // rmdir
                    last = null;
                    break;
                } catch (IOException e) {
                    last = e;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            if (last != null) throw last;
        }
    }
}
