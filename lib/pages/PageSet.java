package lib.pages;

import org.roaringbitmap.ArrayContainer;
import org.roaringbitmap.BitmapContainer;
import org.roaringbitmap.Container;
import org.roaringbitmap.PeekableIntIterator;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A set of physical frames (PFNs) or swap entries as a compressed bitmap (RoaringBitmap): no boxing,
 * fast unions, a few bytes per page at most. Keys are unsigned 32-bit: PFNs up to 16 TiB of
 * physical address space with 4 KiB pages.
 */
public final class PageSet {
    private static final long SWAP_OFFSET_LIMIT = 1L << 27;

    final RoaringBitmap bits;

    public PageSet() {
        this(new RoaringBitmap());
    }

    PageSet(RoaringBitmap bits) {
        this.bits = bits;
    }

    public static int pfnKey(long pfn) {
        if (pfn >>> 32 != 0) throw pfnTooLarge(pfn);
        return (int) pfn;
    }

    private static IllegalStateException pfnTooLarge(long pfn) {
        return new IllegalStateException("PFN 0x" + Long.toHexString(pfn) + " is beyond the 32-bit frame numbers this tool supports");
    }

    /** A swap entry as one key: 5 bits of swap type over 27 bits of offset (512 GiB per swap area with 4 KiB pages). */
    public static int swapKey(long pagemapEntry) {
        long offset = PageMap.swapOffset(pagemapEntry);
        if (offset >= SWAP_OFFSET_LIMIT) {
            throw new IllegalStateException("swap offset " + offset + " is beyond the 2^27 pages per swap area this tool supports");
        }
        return (PageMap.swapType(pagemapEntry) << 27) | (int) offset;
    }

    public void add(int key) {
        bits.add(key);
    }

    /** Adds keys[0..n) (sorted or not; sorted is faster). */
    public void addAll(int[] keys, int n) {
        bits.addN(keys, 0, n);
    }

    public void or(PageSet other) {
        bits.or(other.bits);
    }

    public boolean contains(int key) {
        return bits.contains(key);
    }

    public long count() {
        return bits.getLongCardinality();
    }

    public boolean isEmpty() {
        return bits.isEmpty();
    }

    public RoaringBitmap bitmap() {
        return bits;
    }

    /**
     * Collects the keys of one process in blocks of plain bits, one block per 65536 keys (the
     * same split as RoaringBitmap's containers), so adding costs a few instructions, with no
     * sorting and no boxing; drainInto() ORs the blocks into groups' PageUnions. Reused from process to process.
     */
    public static final class Builder {
        private static final int BLOCK_WORDS = 1024;
        private static final int POOL_MAX = 256;
        private final long[][] blocks = new long[1 << 16][];
        private final char[] touched = new char[1 << 16];
        private int touchedCount;
        private final ArrayDeque<long[]> pool = new ArrayDeque<>();
        private final char[] scratch = new char[4096];
        private final RoaringBitmap single = new RoaringBitmap();
        private int[] sparseTargets = new int[4];

        public void add(int key) {
            long[] b = blocks[key >>> 16];
            if (b == null) b = newBlock(key >>> 16);
            b[(key & 0xFFFF) >>> 6] |= 1L << key;
        }

        // kept out of add() so that add() stays small enough to inline in the page loop
        private long[] newBlock(int hi) {
            long[] b = pool.isEmpty() ? new long[BLOCK_WORDS] : pool.pop();
            blocks[hi] = b;
            touched[touchedCount++] = (char) hi;
            return b;
        }

        public boolean isEmpty() {
            return touchedCount == 0;
        }

        /**
         * Adds the keys collected into the union that pick() gives for each target, one
         * 65536-key block at a time; the builder is empty afterwards.
         */
        public <T> void drainInto(List<T> targets, java.util.function.Function<T, PageUnion> pick) {
            Arrays.sort(touched, 0, touchedCount);
            int n = targets.size();
            for (int t = 0; t < touchedCount; t++) {
                char hi = touched[t];
                long[] b = blocks[hi];
                // counted only for a target that needs it: a dense one ORs the words as they are
                int card = -1, sparseCount = 0;
                for (int i = 0; i < n; i++) {
                    PageUnion u = pick.apply(targets.get(i));
                    if (u.isDense(hi)) {
                        u.orDense(hi, b);
                    } else if (u.isCounter()) {
                        if (card < 0) card = cardinality(b);
                        u.count(card);
                    } else {
                        if (sparseCount == sparseTargets.length) sparseTargets = Arrays.copyOf(sparseTargets, 2 * sparseCount);
                        sparseTargets[sparseCount++] = i;
                    }
                }
                if (sparseCount > 0) {
                    if (card < 0) card = cardinality(b);
                    // an array container is built for this block alone: the last union may keep it (no other reads it after)
                    boolean fresh = card <= 4096;
                    Container packed = fresh ? arrayContainer(b, card, scratch) : new BitmapContainer(b, card);
                    for (int j = 0; j < sparseCount; j++) {
                        pick.apply(targets.get(sparseTargets[j])).orSparse(hi, packed, fresh && j == sparseCount - 1, single);
                    }
                }
                release(hi, b);
            }
            touchedCount = 0;
        }

        private static int cardinality(long[] words) {
            int card = 0;
            for (long w : words) card += Long.bitCount(w);
            return card;
        }

        private void release(char hi, long[] b) {
            blocks[hi] = null;
            if (pool.size() < POOL_MAX) {
                Arrays.fill(b, 0L);
                pool.push(b);
            }
        }

        /** Forgets the keys added (a process that could not be read to the end). */
        public void clear() {
            for (int t = 0; t < touchedCount; t++) release(touched[t], blocks[touched[t]]);
            touchedCount = 0;
        }

        /** The set bits of a block as an array container over values (card <= values.length). */
        private static Container arrayContainer(long[] words, int card, char[] values) {
            int n = 0;
            for (int w = 0; w < words.length; w++) {
                long bits = words[w];
                while (bits != 0) {
                    values[n++] = (char) (w * 64 + Long.numberOfTrailingZeros(bits));
                    bits &= bits - 1;
                }
            }
            return new ArrayContainer(card, values);
        }
    }

    /** The union of some sets, the keys two or more of them hold, and per set how many keys only it holds. */
    public record Overlap(RoaringBitmap union, RoaringBitmap multi, long[] exclusive) {
    }

    /**
     * One pass builds "held by two or more", then each exclusive count is |set| - |set ∩ multi|.
     * O(G) bitmap operations for G sets.
     */
    public static Overlap overlap(List<PageSet> sets) {
        RoaringBitmap seen = new RoaringBitmap();
        RoaringBitmap multi = new RoaringBitmap();
        for (PageSet s : sets) {
            multi.or(RoaringBitmap.and(seen, s.bits));
            seen.or(s.bits);
        }
        long[] out = new long[sets.size()];
        for (int i = 0; i < out.length; i++) {
            RoaringBitmap b = sets.get(i).bits;
            out[i] = b.getLongCardinality() - RoaringBitmap.andCardinality(b, multi);
        }
        return new Overlap(seen, multi, out);
    }

    /** For each set, how many of its keys no other set holds. */
    public static long[] exclusiveCounts(List<PageSet> sets) {
        return overlap(sets).exclusive();
    }

    /** A cursor that walks this set's frames forward over consecutive chunks of frames. */
    public Cursor cursor() {
        return new Cursor(bits.getIntIterator());
    }

    /** Walks a PageSet forward over consecutive chunks of frames (each chunk after the one before). */
    public static final class Cursor {
        private final PeekableIntIterator it;

        private Cursor(PeekableIntIterator it) {
            this.it = it;
        }

        /** Calls action with the offset of every member in [first, first + n). */
        public void forEachIn(long first, int n, IntConsumer action) {
            if (first >>> 32 != 0) return; // PageSet holds 32-bit frame numbers only
            it.advanceIfNeeded((int) first);
            long end = first + n;
            while (it.hasNext()) {
                long v = Integer.toUnsignedLong(it.peekNext());
                if (v >= end) return;
                action.accept((int) (v - first));
                it.next();
            }
        }
    }
}
