import lib.proc.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The tmpfs table: a tmpfs the test mounts (needs root), and the mountinfo parser. */
@NeedsRoot
class MemstatsTmpfsTest {
    static final long MiB = Tool.MiB;

    static Map<String, Object> tmpfsRow(Tool.Result r, String mountPoint) {
        return Tool.row(r, "tmpfs", "mount_point", mountPoint);
    }

    @Test
    void mountedTmpfsShowsSizeUsedAndOptions() throws IOException {
        try (var mount = new KernelObjects.TmpfsMount("size=16m,noswap,huge=within_size")) {
            try (OutputStream f = Files.newOutputStream(mount.dir.resolve("data"))) {
                byte[] mib = new byte[(int) MiB];
                java.util.Arrays.fill(mib, (byte) 7);
                for (int i = 0; i < 5; i++) f.write(mib);
            }
            Tool.Result r = Tool.memstats("--filter", "false()", "single", "--format", "json");
            assertEquals(0, r.exit(), r.toString());
            Map<String, Object> row = tmpfsRow(r, mount.dir.toString());
            assertEquals(16 * MiB, Tool.num(row, "fs_size"));
            assertEquals(5 * MiB, Tool.num(row, "fs_used"));
            assertEquals(Boolean.TRUE, row.get("noswap"));
            assertEquals("within_size", row.get("huge"));

            Tool.Result text = Tool.memstats("--filter", "false()", "single");
            assertTrue(text.out().lines().anyMatch(l -> l.startsWith("│ " + mount.dir + " ")
                    && l.contains("│ yes ") && l.contains("│ within_size ") && l.contains("│ 16.0 MiB ") && l.contains("│ 5.00 MiB ")), text.out());
        }
    }

    @Test
    void mountinfoGivesOptionsOfTheVisibleMountOnce() {
        String mountinfo = """
                24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,mode=755
                25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684084k
                27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
                30 25 0:27 / /dev/shm rw,relatime shared:5 - tmpfs tmpfs rw,size=1024k,huge=always,noswap
                31 27 0:28 / /mnt/with\\040space rw - tmpfs none rw,size=4k
                """;
        List<Tmpfs.Mount> mounts = Tmpfs.parseMountinfo(mountinfo);
        assertEquals(List.of(new Tmpfs.Mount("/dev/shm", true, "always", -1, -1),
                new Tmpfs.Mount("/mnt/with space", false, "never", -1, -1)), mounts);
    }

    @Test
    void snapshotTmpfsComesFromItsMetadata(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("proc"));
        Files.copy(Path.of("/proc/meminfo"), dir.resolve("proc/meminfo"));
        Files.writeString(dir.resolve("metadata.json"), "{\"page_size\": 4096}");
        Tool.Result none = Tool.memstats("--procfs-root", dir.toString(), "single");
        assertEquals(0, none.exit(), none.toString());
        assertTrue(none.out().startsWith("tmpfs: not recorded in this snapshot"), none.out());

        Files.writeString(dir.resolve("metadata.json"), "{\"page_size\": 4096, \"tmpfs\": [{\"mount_point\": \"/dev/shm\","
                + " \"noswap\": false, \"huge\": \"never\", \"fs_size\": 2097152, \"fs_used\": 1048576}]}");
        Tool.Result r = Tool.memstats("--procfs-root", dir.toString(), "single", "--format", "json");
        assertEquals(0, r.exit(), r.toString());
        Map<String, Object> row = tmpfsRow(r, "/dev/shm");
        assertEquals(2 * MiB, Tool.num(row, "fs_size"));
        assertEquals(MiB, Tool.num(row, "fs_used"));
    }
}
