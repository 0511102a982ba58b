package lib.pages;

import org.roaringbitmap.BitmapContainer;
import org.roaringbitmap.Container;
import org.roaringbitmap.RoaringBitmap;

/**
 * A set that the pages of many processes are OR-ed into, one 65536-key block at a time. Dense
 * (plain bits per block, allocated when first touched) when the caller can afford a block per
 * RAM range: then adding a process allocates nothing. Otherwise, or for keys beyond the dense
 * range, a RoaringBitmap; or only a count when one process fills it. result() gives the PageSet.
 */
public final class PageUnion {
    /** Plain bits per block; null once result() handed them over (the union is a sparse one from then on). */
    private volatile long[][] dense;
    /** Keys beyond the dense range; after result(), also what the dense blocks held then (see there). */
    private RoaringBitmap sparse;
    /** For a counter: the keys added, trusted to be distinct (one process's pages). */
    private long tally;

    private PageUnion(int denseBlocks, boolean counter) {
        this.dense = denseBlocks > 0 ? new long[denseBlocks][] : null;
        this.sparse = counter ? null : new RoaringBitmap();
    }

    /** Dense for keys below blocks * 65536. */
    public static PageUnion dense(int blocks) {
        return new PageUnion(blocks, false);
    }

    public static PageUnion sparse() {
        return new PageUnion(0, false);
    }

    /** Only counts: for a set filled from one process, whose keys are already distinct, and never read as a set. */
    public static PageUnion counter() {
        return new PageUnion(0, true);
    }

    boolean isCounter() {
        return sparse == null;
    }

    synchronized void count(int cardinality) {
        tally += cardinality;
    }

    /** How many keys (of a counter: the tally); no set is built (dense blocks and sparse keys never overlap). */
    public synchronized long count() {
        if (isCounter()) return tally;
        long n = sparse.getLongCardinality();
        long[][] dense = this.dense;
        if (dense != null) {
            for (long[] b : dense) {
                if (b != null) for (long w : b) n += Long.bitCount(w);
            }
        }
        return n;
    }

    /** Packs a sparse set that will not grow again (runs, exact-size arrays). */
    public synchronized void compact() {
        if (sparse != null && dense == null) {
            sparse.runOptimize();
            sparse.trim();
        }
    }

    /** True when a block at hi is kept as plain bits. */
    boolean isDense(char hi) {
        long[][] d = dense;
        return d != null && hi < d.length;
    }

    /** ORs a block of 1024 words of bits at block hi. */
    synchronized void orDense(char hi, long[] words) {
        long[][] dense = this.dense;
        if (dense == null) {   // result() took the blocks meanwhile: the words go to the bitmap
            RoaringBitmap one = new RoaringBitmap();
            one.append(hi, new BitmapContainer(words.clone(), -1).repairAfterLazy());
            sparse.or(one);
            return;
        }
        long[] b = dense[hi];
        if (b == null) {
            dense[hi] = words.clone();
            return;
        }
        for (int i = 0; i < b.length; i++) b[i] |= words[i];
    }

    /**
     * ORs container c at block hi. A block beyond the last one held is appended: c itself when mayKeep
     * (the caller gives it up), else a copy. Otherwise it is OR-ed through scratch, an empty bitmap of the
     * caller's (RoaringBitmap copies what it keeps), left empty again.
     */
    synchronized void orSparse(char hi, Container c, boolean mayKeep, RoaringBitmap scratch) {
        if (sparse.isEmpty() || hi > (sparse.last() >>> 16)) {
            sparse.append(hi, mayKeep ? c : c.clone());
            return;
        }
        scratch.append(hi, c);
        sparse.or(scratch);
        scratch.clear();
    }

    /**
     * The union so far as a PageSet: the union's own bitmap, not a copy (as a sparse union's). The dense
     * blocks are handed to that bitmap, not cloned (the group's frames are not held twice), and the union
     * is a sparse one from then on: keys added later go into the same bitmap.
     */
    public synchronized PageSet result() {
        if (isCounter()) throw new IllegalStateException("a counting union has no set");
        long[][] dense = this.dense;
        if (dense == null) return new PageSet(sparse);
        RoaringBitmap r = new RoaringBitmap();
        for (int hi = 0; hi < dense.length; hi++) {
            long[] b = dense[hi];
            if (b == null) continue;
            int card = 0;
            for (long w : b) card += Long.bitCount(w);
            if (card == 0) continue;
            r.append((char) hi, new BitmapContainer(b, card).repairAfterLazy());
        }
        r.or(sparse);
        r.runOptimize();
        sparse = r;
        this.dense = null;
        return new PageSet(r);
    }
}
