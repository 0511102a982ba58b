///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../lib/**/*.java

import lib.proc.PagemapScan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks lib/proc/PagemapScan against a full read of pagemap, on processes with known memory, and
 * measures the older kernels' rule (skip the mappings smaps shows with no Rss, Swap or hugetlb).
 *   bench/PagemapScanCheck.java PID...    (root; bench/run's workloads or tests/support/memload.c)
 * For every PID: the present and swapped entries found by reading every entry of every mapping
 * (but [vsyscall]) must equal those found by reading only the ranges PAGEMAP_SCAN reports, with a
 * region buffer of 4096 and of 1 (every region a continuation from walk_end); and the skip rule
 * must lose none but zero-page entries. Exit 1 on any difference. Prints the costs.
 */
public class PagemapScanCheck {
    record Mapping(long start, long end, String perms, String path) {
    }

    static final long PRESENT = 1L << 63, SWAPPED = 1L << 62;
    static final int CHUNK = 1 << 16;
    static final ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
    static long preads, entriesRead;

    public static void main(String[] args) throws Exception {
        if (!PagemapScan.supported()) {
            System.out.println("PAGEMAP_SCAN: not supported here (or switched off): nothing to compare");
            return;
        }
        int failures = 0;
        long tFull = 0, tScan = 0, tSmaps = 0, tSkipRead = 0;
        long eFull = 0, eScan = 0, eSkip = 0;
        for (String a : args) {
            int pid = Integer.parseInt(a);
            List<Mapping> maps = maps(pid);
            try (PagemapScan.File fd = PagemapScan.File.open(Path.of("/proc/" + pid + "/pagemap"), 4096);
                 PagemapScan.Scanner big = new PagemapScan.Scanner(4096);
                 PagemapScan.Scanner tiny = new PagemapScan.Scanner(1)) {
                long t0 = System.nanoTime();
                entriesRead = 0;
                TreeMap<Long, Long> full = new TreeMap<>();
                for (Mapping m : maps) read(fd, m.start, m.end, full);
                long t1 = System.nanoTime();
                eFull += entriesRead;
                entriesRead = 0;
                TreeMap<Long, Long> scanned = scanRead(fd, big, maps);
                long t2 = System.nanoTime();
                eScan += entriesRead;
                TreeMap<Long, Long> scannedTiny = scanRead(fd, tiny, maps);
                // the older kernels' rule
                long t3 = System.nanoTime();
                Map<Long, long[]> smaps = smaps(pid);
                long t4 = System.nanoTime();
                entriesRead = 0;
                TreeMap<Long, Long> kept = new TreeMap<>();
                int skipped = 0;
                for (Mapping m : maps) {
                    long[] s = smaps.get(m.start);
                    if (s != null && s[0] == 0 && s[1] == 0 && s[2] == 0) {
                        skipped++;
                        continue;
                    }
                    read(fd, m.start, m.end, kept);
                }
                long t5 = System.nanoTime();
                eSkip += entriesRead;
                tFull += t1 - t0;
                tScan += t2 - t1;
                tSmaps += t4 - t3;
                tSkipRead += t5 - t4;
                String diff = differ(full, scanned);
                String diffTiny = differ(full, scannedTiny);
                // what the skip rule loses: entries of skipped mappings; only the zero page may be there (smaps does not count it)
                TreeMap<Long, Long> lost = new TreeMap<>(full);
                lost.keySet().removeAll(kept.keySet());
                System.out.printf("pid %d: %d mappings, %d present/swapped entries; scan %s, scan with 1 region per call %s; skip rule: %d mappings skipped, %d entries lost%s%n",
                        pid, maps.size(), full.size(), diff == null ? "identical" : "DIFFERS " + diff,
                        diffTiny == null ? "identical" : "DIFFERS " + diffTiny, skipped, lost.size(),
                        lost.isEmpty() ? "" : " (first at 0x" + Long.toHexString(lost.firstKey()) + ", entry 0x" + Long.toHexString(lost.firstEntry().getValue()) + ")");
                if (diff != null || diffTiny != null) failures++;
            }
        }
        System.out.printf("cost: full read %.1f ms (%d entries), PAGEMAP_SCAN + reads %.1f ms (%d entries), smaps %.1f ms + reads %.1f ms (%d entries)%n",
                tFull / 1e6, eFull, tScan / 1e6, eScan, tSmaps / 1e6, tSkipRead / 1e6, eSkip);
        if (failures > 0) {
            System.out.println(failures + " process(es) differ");
            System.exit(1);
        }
    }

    static String differ(TreeMap<Long, Long> a, TreeMap<Long, Long> b) {
        if (a.equals(b)) return null;
        for (var e : a.entrySet()) {
            Long v = b.get(e.getKey());
            if (!e.getValue().equals(v)) return "at 0x" + Long.toHexString(e.getKey()) + ": full 0x" + Long.toHexString(e.getValue()) + ", scan " + (v == null ? "absent" : "0x" + Long.toHexString(v));
        }
        for (var e : b.entrySet()) if (!a.containsKey(e.getKey())) return "at 0x" + Long.toHexString(e.getKey()) + ": only the scan has 0x" + Long.toHexString(e.getValue());
        return "?";
    }

    /** Reads only where PAGEMAP_SCAN reports present or swapped pages, cut to the mappings (a run may span two). */
    static TreeMap<Long, Long> scanRead(PagemapScan.File fd, PagemapScan.Scanner s, List<Mapping> maps) throws IOException {
        TreeMap<Long, Long> out = new TreeMap<>();
        if (maps.isEmpty()) return out;
        long mask = PagemapScan.PAGE_IS_PRESENT | PagemapScan.PAGE_IS_SWAPPED;
        int[] m = {0};
        s.scan(fd, maps.get(0).start, maps.get(maps.size() - 1).end, mask, mask, (rs, re, cat) -> {
            while (m[0] < maps.size() && maps.get(m[0]).end <= rs) m[0]++;
            for (int k = m[0]; k < maps.size() && maps.get(k).start < re; k++) {
                long from = Math.max(rs, maps.get(k).start), to = Math.min(re, maps.get(k).end);
                if (from < to) read(fd, from, to, out);
            }
        });
        return out;
    }

    static void read(PagemapScan.File fd, long start, long end, Map<Long, Long> out) throws IOException {
        for (long v = start; v < end; ) {
            int n = (int) Math.min((end - v) / 4096, CHUNK);
            buf.clear().limit(n * 8);
            while (buf.hasRemaining() && fd.read(buf, v / 4096 * 8 + buf.position()) > 0) {
            }
            preads++;
            int got = buf.position() / 8;
            entriesRead += got;
            for (int i = 0; i < got; i++) {
                long e = buf.getLong(i * 8);
                if ((e & (PRESENT | SWAPPED)) != 0) out.put(v + i * 4096L, e & ~(0x7L << 55) /* soft-dirty, exclusive, uffd-wp may change between reads */);
            }
            if (got < n) break;
            v += (long) n * 4096;
        }
    }

    static List<Mapping> maps(int pid) throws IOException {
        List<Mapping> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            String[] f = line.trim().split("\\s+", 6);
            String path = f.length > 5 ? f[5] : "";
            if (path.equals("[vsyscall]")) continue;
            String[] r = f[0].split("-");
            out.add(new Mapping(Long.parseUnsignedLong(r[0], 16), Long.parseUnsignedLong(r[1], 16), f[1], path));
        }
        return out;
    }

    /** start -> {Rss, Swap, Shared_Hugetlb + Private_Hugetlb} in kB, per mapping of smaps. */
    static Map<Long, long[]> smaps(int pid) throws IOException {
        Map<Long, long[]> out = new TreeMap<>();
        long[] cur = null;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            int colon = line.indexOf(':');
            int dash = line.indexOf('-');
            if (dash > 0 && (colon < 0 || dash < colon) && Character.digit(line.charAt(0), 16) >= 0 && line.indexOf(' ') > dash) {
                cur = new long[3];
                out.put(Long.parseUnsignedLong(line.substring(0, dash), 16), cur);
                continue;
            }
            if (cur == null || colon < 0) continue;
            String key = line.substring(0, colon);
            int idx = switch (key) {
                case "Rss" -> 0;
                case "Swap" -> 1;
                case "Shared_Hugetlb", "Private_Hugetlb" -> 2;
                default -> -1;
            };
            if (idx >= 0) cur[idx] += Long.parseLong(line.substring(colon + 1).trim().split(" ")[0]);
        }
        return out;
    }
}
