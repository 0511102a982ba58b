import lib.proc.Libc;
import lib.proc.SysvShm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/** shmat attaches segments the test creates, visibly in /proc/sysvipc/shm, without faulting pages in. Needs root. */
@NeedsRoot
class ShmatTest {
    static final long MiB = Tool.MiB;

    /** A key no segment uses now: from our pid and a counter. */
    static int freshKey() throws IOException {
        for (int i = 0; ; i++) {
            int key = 0x5a000000 | (int) (ProcessHandle.current().pid() & 0xffff) << 8 | (int) (System.nanoTime() & 0xff);
            if (segmentByKey(key) == null) return key;
            if (i > 100) throw new IllegalStateException("no free SysV key");
        }
    }

    static SysvShm.Segment segmentByKey(int key) throws IOException {
        return SysvShm.parse(Files.readString(Path.of("/proc/sysvipc/shm"))).stream().filter(s -> s.key() == key).findFirst().orElse(null);
    }

    static SysvShm.Segment segment(long shmid) throws IOException {
        return SysvShm.parse(Files.readString(Path.of("/proc/sysvipc/shm"))).stream().filter(s -> s.shmid() == shmid).findFirst().orElse(null);
    }

    static SysvShm.Segment await(long shmid, Predicate<SysvShm.Segment> until, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        SysvShm.Segment s = segment(shmid);
        while (!until.test(s) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            s = segment(shmid);
        }
        return s;
    }

    /** Our own mapping of segment shmid in /proc/self/maps, or null. */
    static String ownMapping(long shmid) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("/SYSV") && l.split("\\s+")[4].equals(Long.toString(shmid))).findFirst().orElse(null);
    }

    static void remove(long shmid) {
        try {
            Libc.INSTANCE.shmctl((int) shmid, Libc.IPC_RMID, null);
        } catch (com.sun.jna.LastErrorException alreadyGone) {
            // removed by its creator's exit path or never created
        }
    }

    @Test
    void attachesReadOnlyWithoutFaultingPagesAndDetaches() throws Exception {
        int key = freshKey();
        long shmid = -1;
        try (Workload w = Workload.start(Map.of(), String.format("shmget:0x%x:16:-", key), String.format("shmat:0x%x:4", key))) {
            SysvShm.Segment before = segmentByKey(key);
            shmid = before.shmid();
            assertEquals(1, before.nattch());
            assertEquals(4 * MiB, before.rssBytes());
            long id = shmid;

            CompletableFuture<Tool.Result> run = CompletableFuture.supplyAsync(() -> Tool.run(shmat.commandLine(), "--wait", "3", Long.toString(id)));
            SysvShm.Segment during = await(shmid, s -> s.nattch() == 2, 10_000);
            assertEquals(2, during.nattch(), "one more attacher while shmat holds it");
            String mapping = ownMapping(shmid);
            assertNotNull(mapping, "the segment is mapped in this process");
            assertTrue(mapping.split("\\s+")[1].equals("r--s"), "read-only: " + mapping);
            // nothing faulted in: no page of it in our page table, and the segment holds what the workload wrote
            Tool.Result mine = Tool.run(procinfo.commandLine(), "--format", "json", "--mapping", String.format("SYSV%08x", key),
                    Long.toString(ProcessHandle.current().pid()));
            assertEquals(0, mine.exit(), mine.toString());
            Map<String, Object> total = ProcinfoTest.map(ProcinfoTest.list(mine.json().get("processes")).get(0).get("total"));
            assertEquals(16 * MiB, ProcinfoTest.n(total, "vsz_bytes"));
            assertEquals(0, ProcinfoTest.n(total, "rss_bytes"));
            assertEquals(4 * MiB, segment(shmid).rssBytes());

            Tool.Result r = run.get(30, TimeUnit.SECONDS);
            assertEquals(0, r.exit(), r.toString());
            String address = "0x" + mapping.substring(0, mapping.indexOf('-')).replaceFirst("^0+", "");
            String row = r.out().lines().filter(l -> l.contains(String.format("0x%08x", key))).findFirst().orElseThrow();
            assertTrue(row.matches("│ 0x%08x +│ +%d │ +16\\.0 MiB │ %s +│".formatted(key, shmid, address)), row);
            assertTrue(r.err().contains("detached 1 segment"), r.err());

            SysvShm.Segment after = segment(shmid);
            assertEquals(1, after.nattch(), "back to the workload alone");
            assertEquals(4 * MiB, after.rssBytes());
            assertNull(ownMapping(shmid));

            // --read-write maps it writable, still without touching it
            Tool.Result rw = Tool.run(shmat.commandLine(), "--read-write", "--wait", "0", Long.toString(shmid));
            assertEquals(0, rw.exit(), rw.toString());
            assertTrue(rw.err().contains("read-write"), rw.err());
            assertEquals(4 * MiB, segment(shmid).rssBytes());
            assertEquals(1, segment(shmid).nattch());
        } finally {
            if (shmid >= 0) remove(shmid);
        }
        assertNull(segment(shmid), "test segment removed");
    }

    @Test
    void badIdsGetOneErrorLineEachAndTheOthersAreAttached() throws Exception {
        int bad = Integer.MAX_VALUE - 7;
        Tool.Result alone = Tool.run(shmat.commandLine(), "--wait", "0", Integer.toString(bad));
        assertEquals(1, alone.exit(), alone.toString());
        assertEquals(List.of("shmat: shmid " + bad + ": EINVAL (Invalid argument)"), alone.err().lines().toList());
        assertEquals("", alone.out());

        int key = freshKey();
        long shmid = -1;
        try {
            shmid = Libc.INSTANCE.shmget(key, 2 * MiB, Libc.IPC_CREAT | 0600);
            Tool.Result mixed = Tool.run(shmat.commandLine(), "--wait", "0", Integer.toString(bad), Long.toString(shmid));
            assertEquals(1, mixed.exit(), mixed.toString());
            assertTrue(mixed.err().lines().anyMatch(l -> l.equals("shmat: shmid " + bad + ": EINVAL (Invalid argument)")), mixed.err());
            assertTrue(mixed.out().contains(String.format("0x%08x", key)), mixed.out());
            assertEquals(0, segment(shmid).nattch());
            assertEquals(0, segment(shmid).rssBytes(), "never touched");
        } finally {
            if (shmid >= 0) remove(shmid);
        }

        Tool.Result negative = Tool.run(shmat.commandLine(), "--wait", "-1");
        assertEquals(2, negative.exit(), negative.toString());
        assertEquals(1, negative.err().lines().count(), negative.err());
    }

    @Test
    void scriptHoldsForWaitThenDetachesAndCtrlCDetachesEarly() throws Exception {
        int key = freshKey();
        long shmid = -1;
        try {
            shmid = Libc.INSTANCE.shmget(key, 4 * MiB, Libc.IPC_CREAT | 0600);
            Path root = Native.repoRoot();
            Process p = new ProcessBuilder(root.resolve("jbang").toString(), "shmat.java", "--wait", "3", Long.toString(shmid))
                    .directory(root.toFile()).redirectErrorStream(true).start();
            long id = shmid;
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes());
                } catch (IOException e) {
                    return e.toString();
                }
            });
            assertEquals(1, await(id, s -> s.nattch() == 1, 180_000).nattch(), "attached by the script");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), output.get());
            assertEquals(0, segment(shmid).nattch(), "detached when it ended");

            // env resets SIGINT to its default: a test run started in the background inherits it ignored
            Process held = new ProcessBuilder("env", "--default-signal=INT", root.resolve("jbang").toString(), "shmat.java", "--wait", "600",
                    Long.toString(shmid))
                    .directory(root.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                assertEquals(1, await(id, s -> s.nattch() == 1, 180_000).nattch());
                long t0 = System.nanoTime();
                // Ctrl-C: SIGINT to the script's processes (the java one runs the shutdown hook)
                held.descendants().forEach(h -> signal(h.pid()));
                signal(held.pid());
                assertTrue(held.waitFor(30, TimeUnit.SECONDS), "ended on SIGINT");
                assertEquals(0, segment(shmid).nattch(), "the shutdown hook detached it");
                assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
            } finally {
                held.descendants().forEach(ProcessHandle::destroyForcibly);
                held.destroyForcibly();
            }
        } finally {
            if (shmid >= 0) remove(shmid);
        }
    }

    static void signal(long pid) {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** stdout on a full disk: shmat held the segments and exited 0 while nobody learnt where they were. */
    @Test
    void lostOutputIsExit1AndOneLineAndNothingHeld() throws Exception {
        int key = freshKey();
        long shmid = -1;
        try {
            shmid = Libc.INSTANCE.shmget(key, MiB, Libc.IPC_CREAT | 0600);
            long t0 = System.nanoTime();
            Tool.Result r = Tool.toDevFull("shmat", "--wait", "60", Long.toString(shmid));
            Tool.assertOutputLost("shmat", r, false);
            assertTrue(System.nanoTime() - t0 < 40_000_000_000L, "did not hold for --wait");
            assertEquals(0, segment(shmid).nattch());
        } finally {
            if (shmid >= 0) remove(shmid);
        }
    }
}
