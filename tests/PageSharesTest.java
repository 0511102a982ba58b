import lib.pages.PageSet;
import lib.pages.PageShares;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** mem_share against a frame-by-frame count in exact integer arithmetic. */
class PageSharesTest {
    private static final long PAGE = 4096;

    private static PageSet set(RoaringBitmap b) {
        PageSet s = new PageSet();
        s.bitmap().or(b);
        return s;
    }

    /** Exact shares in units of 1/lcm(1..g) byte (g <= 12 keeps lcm small), frame by frame. */
    private static long[] exactScaled(List<RoaringBitmap> sets, long lcm) {
        Map<Integer, Integer> holders = new HashMap<>();
        for (RoaringBitmap b : sets) for (int k : b) holders.merge(k, 1, Integer::sum);
        long[] out = new long[sets.size()];
        for (int i = 0; i < sets.size(); i++) {
            for (int k : sets.get(i)) out[i] += lcm * PAGE / holders.get(k);
        }
        return out;
    }

    private static long union(List<RoaringBitmap> sets) {
        RoaringBitmap u = new RoaringBitmap();
        for (RoaringBitmap b : sets) u.or(b);
        return u.getLongCardinality();
    }

    @Test
    void aFileMappedByOneTwoAndThreeGroupsIsSharedExactly() {
        // 600 frames held by A only, 600 by A and B, 600 by A, B and C
        RoaringBitmap a = new RoaringBitmap(), b = new RoaringBitmap(), c = new RoaringBitmap();
        a.add(1000L, 2800L);
        b.add(1600L, 2800L);
        c.add(2200L, 2800L);
        long[] share = PageShares.bytes(List.of(set(a), set(b), set(c)), PAGE);
        assertEquals(600 * PAGE + 600 * PAGE / 2 + 600 * PAGE / 3, share[0]);
        assertEquals(600 * PAGE / 2 + 600 * PAGE / 3, share[1]);
        assertEquals(600 * PAGE / 3, share[2]);
        assertEquals(1800 * PAGE, share[0] + share[1] + share[2], "the shares add up to the union");
    }

    @Test
    void sharesAreWithinOneByteOfExactAndAddUpToTheUnion() {
        Random rnd = new Random(7);
        long lcm = 27720; // lcm(1..12)
        for (int round = 0; round < 8; round++) {
            int g = 1 + rnd.nextInt(12);
            List<RoaringBitmap> sets = new ArrayList<>();
            for (int i = 0; i < g; i++) {
                RoaringBitmap r = new RoaringBitmap();
                // runs (run containers), dense blocks (bitmap containers), scattered keys (arrays), keys past 2^31
                r.add((long) rnd.nextInt(100_000), 100_000L + rnd.nextInt(100_000));
                for (int j = 0; j < 10_000; j++) r.add(rnd.nextInt(1 << 20) | (j % 3 == 0 ? 0 : 0x4000_0000));
                for (int j = 0; j < 3000; j++) r.add(0x8000_0000 + rnd.nextInt(1 << 18));
                if (i % 2 == 0) r.runOptimize();
                sets.add(r);
            }
            List<PageSet> ps = sets.stream().map(PageSharesTest::set).toList();
            PageShares.Shares sh = PageShares.of(ps, PAGE);
            long[] share = sh.bytes();
            long[] exact = exactScaled(sets, lcm);
            assertArrayEquals(PageSet.exclusiveCounts(ps), sh.exclusivePages());
            assertEquals(union(sets), sh.unionPages());
            long sum = 0;
            long[] uss = PageSet.exclusiveCounts(ps);
            for (int i = 0; i < g; i++) {
                assertTrue(Math.abs(share[i] * lcm - exact[i]) < lcm, "set " + i + " of " + g + ": " + share[i] + " vs " + exact[i] / (double) lcm);
                assertTrue(share[i] >= uss[i] * PAGE && share[i] <= sets.get(i).getLongCardinality() * PAGE, "uss <= share <= rss");
                sum += share[i];
            }
            assertEquals(union(sets) * PAGE, sum, "round " + round);
        }
    }

    @Test
    void manyGroupsStillAddUpExactly() {
        Random rnd = new Random(11);
        List<PageSet> ps = new ArrayList<>();
        List<RoaringBitmap> sets = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            RoaringBitmap r = new RoaringBitmap();
            r.add(0L, 5000L); // a library every group maps
            r.add(100_000L + i * 300L, 100_000L + i * 300L + 1000); // overlapping neighbours
            for (int j = 0; j < 200; j++) r.add(rnd.nextInt(3_000_000));
            sets.add(r);
            ps.add(set(r));
        }
        long[] share = PageShares.bytes(ps, PAGE);
        long sum = 0;
        for (long s : share) {
            assertTrue(s >= 0);
            sum += s;
        }
        assertEquals(union(sets) * PAGE, sum);
        // the library's 5000 pages split 500 ways: 40960 bytes each, plus what else the set holds
        assertTrue(share[0] > 5000 * PAGE / 500);
    }

    @Test
    void emptySetsAndNoSets() {
        assertArrayEquals(new long[0], PageShares.bytes(List.of(), PAGE));
        RoaringBitmap a = new RoaringBitmap();
        a.add(5);
        long[] s = PageShares.bytes(List.of(new PageSet(), set(a), new PageSet()), PAGE);
        assertArrayEquals(new long[]{0, PAGE, 0}, s);
    }

    @Test
    void roundingNeverLosesOrInventsAByte() {
        // 1 frame held by 3 groups: 4096/3 is not whole; the three must still add up to 4096
        RoaringBitmap a = new RoaringBitmap();
        a.add(42);
        long[] s = PageShares.bytes(List.of(set(a), set(a), set(a)), PAGE);
        assertEquals(PAGE, s[0] + s[1] + s[2]);
        for (long x : s) assertTrue(x == 1365 || x == 1366, "" + x);
    }
}
