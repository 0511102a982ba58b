import lib.proc.Cgroup;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** /proc/PID/cgroup as the kernel writes it, on v1, v2 and hybrid hosts; systemd unit names. */
@NeedsRoot
class CgroupTest {

    @Test
    void v1HybridAndV2Lines() {
        Cgroup hybrid = Cgroup.parse("""
                12:cpu,cpuacct:/system.slice/sshd.service
                4:memory:/system.slice/sshd.service
                1:name=systemd:/system.slice/sshd.service
                0::/system.slice/sshd.service
                """);
        assertEquals("/system.slice/sshd.service", hybrid.v1MemoryPath());
        assertEquals(List.of("cpu", "cpuacct"), hybrid.lines().get(0).controllers());
        assertEquals("/system.slice/sshd.service", hybrid.path(Cgroup.Hierarchy.AUTO));
        Cgroup v2 = Cgroup.parse("0::/user.slice/user-1000.slice/session-3.scope\n");
        assertNull(v2.v1MemoryPath());
        assertEquals("/user.slice/user-1000.slice/session-3.scope", v2.path(Cgroup.Hierarchy.AUTO));
        // the memory controller on v1 decides AUTO even when v2 shows something else
        Cgroup split = Cgroup.parse("4:memory:/a\n0::/b\n");
        assertEquals("/a", split.path(Cgroup.Hierarchy.AUTO));
        assertEquals("/b", split.path(Cgroup.Hierarchy.V2));
        assertEquals("/a:b", Cgroup.parse("0::/a:b\n").v2Path(), "a colon in a path is kept");
        assertTrue(Cgroup.parse("garbage\n\nx:y\n").lines().isEmpty());
    }

    @Test
    void prefixesMatchWholeComponents() {
        assertTrue(Cgroup.isUnder("/system.slice/a.service", "/system.slice"));
        assertTrue(Cgroup.isUnder("/system.slice/a.service", "/system.slice/"));
        assertTrue(Cgroup.isUnder("/system.slice", "/system.slice"));
        assertFalse(Cgroup.isUnder("/system.slicex/a.service", "/system.slice"));
        assertTrue(Cgroup.isUnder("/anything", "/"));
        assertFalse(Cgroup.isUnder(null, "/"));
    }

    @Test
    void systemdUnitsShowByName() {
        assertEquals("nginx.service", Cgroup.displayName("/system.slice/nginx.service"));
        assertEquals("session-3.scope", Cgroup.displayName("/user.slice/user-1000.slice/session-3.scope"));
        assertEquals("user@1000.service/foo.service",
                Cgroup.displayName("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service"));
        assertEquals("user@1000.service", Cgroup.displayName("/user.slice/user-1000.slice/user@1000.service"));
        assertEquals("docker.service", Cgroup.displayName("/system.slice/docker.service/sub/leaf"), "a sub-cgroup belongs to its unit");
        assertEquals("/", Cgroup.displayName("/"));
        assertEquals("/kubepods/burstable/pod1", Cgroup.displayName("/kubepods/burstable/pod1"));
    }

    /** Real cgroups: a process moved into one shows its path in /proc/PID/cgroup, as the parser reads it. */
    @Test
    void realCgroupsV1AndV2() throws Exception {
        String name = "linuxmem-test-" + ProcessHandle.current().pid() + ".slice/cg-test.service";
        Process p = new ProcessBuilder("sleep", "60").start();
        try (Cgroups v2 = Cgroups.v2(name); Cgroups v1 = Cgroups.v1Memory(name)) {
            v2.add(p.pid());
            v1.add(p.pid());
            Cgroup c = Cgroup.parse(Files.readString(Path.of("/proc/" + p.pid() + "/cgroup")));
            assertEquals(v2.path(), c.v2Path());
            assertEquals(v1.path(), c.v1MemoryPath());
            assertTrue(v2.path().endsWith("/" + name), v2.path());
            assertEquals("cg-test.service", Cgroup.displayName(c.v2Path()));
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
