import lib.proc.Cmdline;
import lib.proc.Environ;
import lib.proc.Iomem;
import lib.pages.KPageFlags;
import lib.proc.Maps;
import lib.proc.Meminfo;
import lib.pages.PageMap;
import lib.pages.PageSet;
import lib.proc.Stat;
import lib.proc.Status;
import lib.proc.SysvShm;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ParsersTest {

    static final String MAPS = String.join("\n",
            "55d0c0a00000-55d0c0a28000 r--p 00000000 fd:01 1835021                    /usr/bin/bash",
            "55d0c2000000-55d0c2100000 rw-p 00000000 00:00 0                          [heap]",
            "7f0000000000-7f0000200000 rw-s 00000000 00:01 32769                      /SYSV0000162e (deleted)",
            "7f0000400000-7f0000401000 rw-s 00000000 00:01 5                          /dev/zero (deleted)",
            "7f0000500000-7f0000501000 r--p 00000000 fd:01 42                         /tmp/a file with spaces (deleted)",
            "7f0000600000-7f0000601000 rw-p 00000000 00:00 0                          [anon:java heap]",
            "7f0000700000-7f0000701000 rw-p 00000000 00:00 0 ",
            "7f0000800000-7f0000801000 rw-p 00000000 00:00 0",
            "7f0000900000-7f0000901000 rw-s 00000000 00:05 1024                       /memfd:wayland (deleted)",
            "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
            "");

    @Test
    void mapsKindsAndOddPathnames() {
        List<Maps.Mapping> m = Maps.parse(MAPS);
        assertEquals(11, m.size());
        assertEquals(Maps.Kind.FILE, m.get(0).kind());
        assertEquals(0x28000, m.get(0).sizeBytes());
        assertEquals(1835021, m.get(0).inode());
        assertEquals(Maps.Kind.PSEUDO, m.get(1).kind());
        assertTrue(m.get(1).isAnonymous());
        assertEquals(Maps.Kind.SYSV_SHM, m.get(2).kind());
        assertEquals(32769, m.get(2).sysvShmid());
        assertEquals(0x162e, m.get(2).sysvKey());
        assertTrue(m.get(2).shared());
        assertEquals(Maps.Kind.FILE, m.get(3).kind());
        assertTrue(m.get(3).isDeleted());
        assertEquals("/tmp/a file with spaces (deleted)", m.get(4).pathname());
        assertEquals("[anon:java heap]", m.get(5).pathname());
        assertTrue(m.get(5).isAnonymous());
        assertEquals(Maps.Kind.ANONYMOUS, m.get(6).kind());
        assertEquals("", m.get(6).pathname());
        assertEquals(Maps.Kind.ANONYMOUS, m.get(7).kind());
        assertEquals(Maps.Kind.FILE, m.get(8).kind());
        assertFalse(m.get(8).isAnonymous());
        assertEquals(Maps.Kind.PSEUDO, m.get(9).kind());
        assertEquals(Maps.Kind.VSYSCALL, m.get(10).kind());
        assertEquals(0xffffffffff600000L, m.get(10).start());
    }

    @Test
    void statWithParenthesesInComm() {
        String text = "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 12345 10485760 256 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
        Stat s = Stat.parse(text);
        assertEquals(4242, s.pid());
        assertEquals("we (ird) name", s.comm());
        assertEquals('S', s.state());
        assertEquals(1, s.ppid());
        assertEquals(12345, s.startTime());
        assertEquals(10485760, s.vsizeBytes());
        assertEquals(256, s.rssPages());
        assertFalse(s.isKernelThread());
        String kthread = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 0 0\n";
        assertTrue(Stat.parse(kthread).isKernelThread());
    }

    @Test
    void status() {
        Status s = Status.parse("Name:\tora_pmon_DB1\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t77\nPid:\t77\nPPid:\t1\n"
                + "Uid:\t1001\t1002\t1003\t1004\nGid:\t54321\t54321\t54321\t54321\nVmRSS:\t   20480 kB\nKthread:\t0\n");
        assertEquals("ora_pmon_DB1", s.name());
        assertEquals(77, s.pid());
        assertEquals(1, s.ppid());
        assertEquals(1001, s.realUid());
        assertEquals(1002, s.effectiveUid());
        assertEquals(20480L * 1024, s.kbField("VmRSS"));
        assertEquals(-1, s.kbField("VmSwap"));
        assertEquals(Boolean.FALSE, s.kthread());
    }

    @Test
    void cmdlineAndEnviron() {
        assertEquals(List.of("ora_pmon_DB1"), Cmdline.parse("ora_pmon_DB1".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("/bin/sleep", "10", ""), Cmdline.parse("/bin/sleep\u000010\u0000\u0000".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), Cmdline.parse(new byte[0]));
        Map<String, String> env = Environ.parse("A=1\u0000B=x=y\u0000EMPTY=\u0000A=2\u0000junk\u0000".getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of("A", "1", "B", "x=y", "EMPTY", ""), env);
    }

    /** The parsers as they were written with split and a whole-string decode: the fast ones must agree on any input. */
    private static Map<String, String> statusBySplit(String text) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) m.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return m;
    }

    private static Map<String, String> environWhole(byte[] raw) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                if (i > start) {
                    String kv = new String(raw, start, i - start, StandardCharsets.UTF_8);
                    int eq = kv.indexOf('=');
                    if (eq > 0) env.putIfAbsent(kv.substring(0, eq), kv.substring(eq + 1));
                }
                start = i + 1;
            }
        }
        return env;
    }

    /** A hostile process's millions of tiny arguments or variables cost root a bounded number of entries. */
    @Test
    void cmdlineAndEnvironKeepABoundedNumberOfEntries() {
        byte[] args = "a\0".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
        assertEquals(Cmdline.MAX_ARGS, Cmdline.parse(args).size());
        StringBuilder env = new StringBuilder();
        for (int i = 0; i < 300_000; i++) env.append('k').append(i).append("=v\0");
        Map<String, String> m = Environ.parse(env.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(Environ.MAX_VARIABLES, m.size());
        assertEquals("v", m.get("k0"), "the first ones are kept");
        assertNull(m.get("k" + Environ.MAX_VARIABLES));
        assertEquals(List.of("x", "y"), Cmdline.parse("x\0y\0".getBytes(StandardCharsets.UTF_8)), "a usual one whole");
    }

    @Test
    void statusAndEnvironAgreeWithTheSplitParsersOnOddInput() {
        java.util.Random rnd = new java.util.Random(13);
        // colons first, last and doubled, blank lines, tabs, CR, bytes that are not UTF-8 next to '=' and NUL
        byte[] alphabet = {'a', 'B', ':', '=', '\n', '\t', ' ', '\r', 0, (byte) 0xC3, (byte) 0xA9, (byte) 0xE2, (byte) 0x80, (byte) 0xFF, '1'};
        for (int round = 0; round < 20_000; round++) {
            byte[] raw = new byte[rnd.nextInt(40)];
            for (int i = 0; i < raw.length; i++) raw[i] = alphabet[rnd.nextInt(alphabet.length)];
            String text = new String(raw, StandardCharsets.UTF_8);
            assertEquals(statusBySplit(text), Status.parse(text).fields(), () -> "status of " + java.util.Arrays.toString(raw));
            assertEquals(environWhole(raw), Environ.parse(raw), () -> "environ of " + java.util.Arrays.toString(raw));
        }
        assertEquals(statusBySplit(""), Status.parse("").fields());
        assertEquals(Map.of(), Environ.parse(new byte[0]));
    }

    @Test
    void liveFilesReadWholeWhateverTheirSize() throws Exception {
        // /proc says size 0: the per-thread buffer must grow for a file larger than it and shrink back after
        lib.proc.ProcFs live = new lib.proc.LiveProcFs();
        byte[] maps = live.read("self/maps");
        String mapsText = live.readString("self/maps");
        assertTrue(mapsText.endsWith("\n") && mapsText.contains("[stack]"), mapsText);
        java.nio.file.Path big = java.nio.file.Files.createTempFile("parsers", ".txt");
        try {
            byte[] content = new byte[(3 << 20) + 17];
            new java.util.Random(5).nextBytes(content);
            java.nio.file.Files.write(big, content);
            lib.proc.DirProcFs dir = new lib.proc.DirProcFs(big.getParent(), null);
            assertArrayEquals(content, dir.read(big.getFileName().toString()));
            assertEquals(new String(content, StandardCharsets.UTF_8), dir.readString(big.getFileName().toString()));
        } finally {
            java.nio.file.Files.delete(big);
        }
        assertEquals(new String(live.read("self/status"), StandardCharsets.UTF_8).lines().findFirst(),
                live.readString("self/status").lines().findFirst());
        assertTrue(maps.length > 0);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> live.read("999999999/status"));
    }

    @Test
    void meminfo() {
        Meminfo m = Meminfo.parse("MemTotal:       24572288 kB\nMemAvailable:   24000000 kB\nHugePages_Total:      16\n"
                + "HugePages_Free:       12\nHugePages_Rsvd:        2\nHugePages_Surp:        0\nHugepagesize:       2048 kB\n");
        assertEquals(24572288L * 1024, m.memTotalBytes());
        assertEquals(16, m.hugePagesTotal());
        assertEquals(12, m.hugePagesFree());
        assertEquals(2, m.hugePagesRsvd());
        assertEquals(2048L * 1024, m.hugepageSizeBytes());
        assertEquals(-1, m.get("Nope"));
    }

    @Test
    void iomemSystemRamTopLevelOnly() {
        List<Iomem.Range> r = Iomem.parse("00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n"
                + "00100000-bffdffff : System RAM\n  01000000-01ffffff : Kernel code\n"
                + "100000000-63fffffff : System RAM\nfd000000-fdffffff : PCI Bus 0000:00\n");
        List<Iomem.Range> ram = Iomem.systemRam(r);
        assertEquals(3, ram.size());
        assertEquals(1, ram.get(0).firstPfn(4096));
        assertEquals(0x9f, ram.get(0).endPfn(4096));
        assertEquals(0x100000, ram.get(2).firstPfn(4096));
        assertEquals(0x640000, ram.get(2).endPfn(4096));
        assertEquals(1, r.get(3).depth());
    }

    @Test
    void sysvShm() {
        String text = "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
                + "         0      32769  1600              67108864  1234  1240      2     0     0     0     0 1700000000 1700000001 1699999999              33554432                     0\n"
                + "-819740076     163842  1640               2097152  555   556       0  1001  1002  1001  1002          0          0 1699999999               2097152               4096\n";
        List<SysvShm.Segment> s = SysvShm.parse(text);
        assertEquals(2, s.size());
        assertEquals(32769, s.get(0).shmid());
        assertEquals(0600, s.get(0).perms() & 0777);
        assertEquals(67108864, s.get(0).sizeBytes());
        assertEquals(2, s.get(0).nattch());
        assertEquals(33554432, s.get(0).rssBytes());
        assertEquals(-819740076, s.get(1).key());
        assertTrue(s.get(1).destroyPending());
        assertEquals(4096, s.get(1).swapBytes());
    }

    @Test
    void pagemapEntryBits() {
        long present = PageMap.PRESENT | PageMap.EXCLUSIVE | 0x1234L;
        assertTrue(PageMap.present(present));
        assertEquals(0x1234, PageMap.pfn(present));
        assertTrue(PageMap.exclusive(present));
        long swapped = PageMap.SWAPPED | (0x777L << 5) | 3;
        assertTrue(PageMap.swapped(swapped));
        assertEquals(3, PageMap.swapType(swapped));
        assertEquals(0x777, PageMap.swapOffset(swapped));
        assertEquals((3 << 27) | 0x777, PageSet.swapKey(swapped));
        assertEquals("LRU ANON", KPageFlags.names((1L << KPageFlags.ANON) | (1L << KPageFlags.LRU)), "names in bit order");
    }

    @Test
    void exclusiveCountsIsUss() {
        PageSet a = new PageSet(), b = new PageSet(), c = new PageSet();
        for (int i = 0; i < 100; i++) a.add(i);
        for (int i = 50; i < 120; i++) b.add(i);
        for (int i = 110; i < 200; i++) c.add(i);
        long[] uss = PageSet.exclusiveCounts(List.of(a, b, c));
        assertArrayEquals(new long[]{50, 10, 80}, uss);
    }

    /** What Java makes of the kernel's ESRCH (a pagemap of a task without mm: a zombie here) counts as a process gone. */
    @Test
    void esrchFromPagemapMeansTheProcessIsGone() throws Exception {
        // the inner sleep's parent never waits, so the inner one stays a zombie once killed
        Process outer = new ProcessBuilder("/bin/sh", "-c", "/bin/sleep 60 & exec /bin/sleep 60").start();
        try {
            String children = "";
            for (int i = 0; i < 100 && children.isBlank(); i++) {
                Thread.sleep(20);
                children = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + outer.pid() + "/task/" + outer.pid() + "/children"));
            }
            int zombie = Integer.parseInt(children.trim().split(" ")[0]);
            new ProcessBuilder("/bin/kill", "-KILL", Integer.toString(zombie)).start().waitFor();
            java.nio.file.Path stat = java.nio.file.Path.of("/proc/" + zombie + "/stat");
            for (int i = 0; i < 100 && Stat.parse(java.nio.file.Files.readString(stat)).state() != 'Z'; i++) Thread.sleep(20);
            java.io.IOException e = assertThrows(java.io.IOException.class,
                    () -> java.nio.channels.FileChannel.open(java.nio.file.Path.of("/proc/" + zombie + "/pagemap")).close());
            assertTrue(lib.proc.ProcFs.processGone(e), e.toString());
            assertTrue(lib.proc.ProcFs.processGone(new java.io.IOException("No such process")), "a FileChannel read's form");
            assertFalse(lib.proc.ProcFs.processGone(new java.nio.file.AccessDeniedException("/proc/1/pagemap")));
            assertFalse(lib.proc.ProcFs.processGone(new java.io.IOException("Input/output error")));
        } finally {
            outer.destroyForcibly().waitFor();
        }
    }
}
