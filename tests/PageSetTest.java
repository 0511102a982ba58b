import lib.pages.PageSet;
import lib.pages.PageUnion;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** The page-set machinery against a plain RoaringBitmap built key by key. */
class PageSetTest {

    @Test
    void builderDrainsExactlyTheKeysAddedAndClearForgets() {
        Random rnd = new Random(42);
        PageSet.Builder b = new PageSet.Builder();
        PageUnion union = PageUnion.sparse();
        RoaringBitmap expected = new RoaringBitmap();
        for (int round = 0; round < 3; round++) {
            // dense runs (bitmap containers), sparse keys (array containers), duplicates, high keys
            for (int i = 0; i < 200_000; i++) {
                int k = switch (i % 4) {
                    case 0 -> 1_000_000 + i + round;
                    case 1 -> rnd.nextInt(50_000_000);
                    case 2 -> 7 * (i % 1000);
                    default -> 0xF0000000 + rnd.nextInt(1 << 20);
                };
                b.add(k);
                expected.add(k);
            }
            b.drainInto(List.of(union), Function.identity());
            assertTrue(b.isEmpty(), "draining empties the builder");
            assertEquals(expected, union.result().bitmap(), "round " + round);
        }
        for (int i = 0; i < 1000; i++) b.add(123_456_789 + i);
        b.clear();
        assertTrue(b.isEmpty());
        b.drainInto(List.of(union), Function.identity());
        assertEquals(expected, union.result().bitmap(), "cleared keys are not added");
        PageUnion counter = PageUnion.counter();
        b.add(5);
        b.add(70_000);
        b.add(5);
        b.drainInto(List.of(counter), Function.identity());
        assertEquals(2, counter.count(), "a counter counts the distinct keys of one process");
    }

    /** A cursor gives each chunk's members as offsets, chunk after chunk, and nothing beyond 32-bit frames. */
    @Test
    void cursorWalksConsecutiveChunks() {
        PageSet s = new PageSet();
        for (int k : new int[]{3, 9, 10, 70, 1 << 20}) s.add(k);
        PageSet.Cursor c = s.cursor();
        java.util.List<Integer> got = new java.util.ArrayList<>();
        c.forEachIn(0, 10, got::add);
        assertEquals(java.util.List.of(3, 9), got);
        got.clear();
        c.forEachIn(10, 64, got::add);
        assertEquals(java.util.List.of(0, 60), got);
        got.clear();
        c.forEachIn(1L << 32, 64, got::add);
        assertEquals(java.util.List.of(), got);
    }

    @Test
    void aBlockDrainedIntoSeveralUnionsIsSharedByNone() {
        // a block's packed container is kept by one sparse union at most: growing one union later must not change another
        PageUnion a = PageUnion.sparse(), b = PageUnion.sparse(), dense = PageUnion.dense(4), counter = PageUnion.counter();
        RoaringBitmap first = new RoaringBitmap();
        PageSet.Builder builder = new PageSet.Builder();
        Random rnd = new Random(11);
        for (int i = 0; i < 3000; i++) {
            int k = rnd.nextInt(4 * 65536);
            builder.add(k);
            first.add(k);
        }
        builder.drainInto(List.of(a, dense, counter, b), Function.identity());
        assertEquals(first.getLongCardinality(), counter.count());
        RoaringBitmap[] expected = {first.clone(), first.clone()};
        for (int round = 0; round < 2; round++) {
            PageUnion u = round == 0 ? a : b, other = round == 0 ? b : a;
            for (int i = 0; i < 2000; i++) {
                int k = rnd.nextInt(4 * 65536);
                builder.add(k);
                expected[round].add(k);
            }
            builder.drainInto(List.of(u), Function.identity());
            assertEquals(expected[round], u.result().bitmap(), "the union grown");
            assertEquals(expected[1 - round], other.result().bitmap(), "the other union as it was");
        }
        assertEquals(first, dense.result().bitmap());
    }

    @Test
    void aDenseUnionGoesOnAfterItsResult() {
        // result() hands the dense blocks to the set it returns: keys added later must still count, once
        PageUnion union = PageUnion.dense(2);
        RoaringBitmap expected = new RoaringBitmap();
        PageSet.Builder b = new PageSet.Builder();
        Random rnd = new Random(3);
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3000; i++) {
                int k = rnd.nextInt(3 * 65536);
                b.add(k);
                expected.add(k);
            }
            b.drainInto(List.of(union), Function.identity());
            assertEquals(expected.getLongCardinality(), union.count(), "count before result, round " + round);
            assertEquals(expected, union.result().bitmap(), "round " + round);
            assertEquals(expected.getLongCardinality(), union.count(), "count after result, round " + round);
        }
    }

    @Test
    void denseAndSparseUnionsAgree() {
        Random rnd = new Random(7);
        // 3 blocks of RAM known: keys beyond go to the sparse part of a dense union
        List<PageUnion> dense = List.of(PageUnion.dense(3), PageUnion.dense(3));
        List<PageUnion> sparse = List.of(PageUnion.sparse(), PageUnion.sparse());
        RoaringBitmap[] expected = {new RoaringBitmap(), new RoaringBitmap()};
        PageSet.Builder b = new PageSet.Builder(), copy = new PageSet.Builder();
        for (int process = 0; process < 40; process++) {
            int group = process % 2;
            for (int i = 0; i < 5000; i++) {
                int k = i % 10 == 0 ? 300_000 + rnd.nextInt(100_000) : rnd.nextInt(3 * 65536);
                b.add(k);
                copy.add(k);
                expected[group].add(k);
            }
            b.drainInto(List.of(dense.get(group)), Function.identity());
            copy.drainInto(List.of(sparse.get(group)), Function.identity());
        }
        for (int g = 0; g < 2; g++) {
            assertEquals(expected[g], dense.get(g).result().bitmap(), "dense group " + g);
            assertEquals(expected[g], sparse.get(g).result().bitmap(), "sparse group " + g);
        }
        for (int g = 0; g < 2; g++) assertEquals(expected[g].getLongCardinality(), dense.get(g).count(), "count of dense group " + g);
        long[] uss = PageSet.exclusiveCounts(List.of(dense.get(0).result(), dense.get(1).result()));
        assertEquals(RoaringBitmap.andNot(expected[0], expected[1]).getLongCardinality(), uss[0]);
        assertEquals(RoaringBitmap.andNot(expected[1], expected[0]).getLongCardinality(), uss[1]);
    }
}
