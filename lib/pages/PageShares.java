package lib.pages;

import org.roaringbitmap.Container;
import org.roaringbitmap.ContainerPointer;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RunContainer;

import java.util.Arrays;
import java.util.List;

/**
 * mem_share: each frame's bytes divided equally among the sets (groups of one split) that hold it.
 * Frames of one set only are that set's whole (its USS); only the frames several sets hold are
 * counted one by one, a 65536-frame block at a time: count the holders of every frame of the
 * block, then give each holder 1/holders of a page per frame. Work: O(G) bitmap operations plus
 * the shared frames' memberships; memory: one block's counters, never G² nor a per-frame array.
 */
public final class PageShares {
    private PageShares() {
    }

    /** Per set: frames no other set holds (USS, in pages), and its share in bytes. */
    public record Shares(long[] exclusivePages, long[] bytes, long unionPages) {
    }

    /**
     * The shares add up exactly to pageSize × |union of the sets|; each is within one byte of the
     * exact rational share (README, mem_share: largest remainder).
     */
    public static Shares of(List<PageSet> sets, long pageSize) {
        int g = sets.size();
        PageSet.Overlap o = PageSet.overlap(sets);
        long[] exclusive = o.exclusive();
        RoaringBitmap multi = o.multi();
        double[] shared = new double[g];
        sharedPages(sets, multi, shared);
        long union = o.union().getLongCardinality();
        return new Shares(exclusive, apportion(exclusive, shared, pageSize, union), union);
    }

    public static long[] bytes(List<PageSet> sets, long pageSize) {
        return of(sets, pageSize).bytes();
    }

    /** Adds to pages[i] set i's part of the frames of multi (each held by two sets or more). */
    static void sharedPages(List<PageSet> sets, RoaringBitmap multi, double[] pages) {
        int g = sets.size();
        double[] carry = new double[g];
        // every (block, set) pair, sorted by block: the sets holding a block are one run
        int n = 0;
        for (PageSet s : sets) n += containers(s.bitmap());
        long[] pairs = new long[n];
        int p = 0;
        for (int i = 0; i < g; i++) {
            for (ContainerPointer c = sets.get(i).bitmap().getContainerPointer(); c.getContainer() != null; c.advance()) {
                pairs[p++] = ((long) c.key() << 32) | i;
            }
        }
        Arrays.sort(pairs);
        // containers looked up again in sorted order: one pointer per set, advanced in step
        ContainerPointer[] ptr = new ContainerPointer[g];
        for (int i = 0; i < g; i++) ptr[i] = sets.get(i).bitmap().getContainerPointer();
        ContainerPointer m = multi.getContainerPointer();
        double[] inv = new double[g + 1];
        for (int h = 1; h <= g; h++) inv[h] = 1.0 / h;
        Block b = new Block(inv);
        Container[] block = new Container[g];
        for (int from = 0; from < n; ) {
            int key = (int) (pairs[from] >>> 32);
            int to = from + 1;
            while (to < n && pairs[to] >>> 32 == key) to++;
            while (m.getContainer() != null && m.key() < key) m.advance();
            boolean sharedBlock = m.getContainer() != null && m.key() == key;
            for (int k = from; k < to; k++) {
                int i = (int) pairs[k];
                block[k - from] = sharedBlock ? ptr[i].getContainer().and(m.getContainer()) : null;
                ptr[i].advance();
            }
            if (sharedBlock) {
                for (int k = 0; k < to - from; k++) b.count(block[k]);
                b.weigh();
                for (int k = 0; k < to - from; k++) {
                    if (block[k].isEmpty()) continue;
                    add(pages, carry, (int) pairs[from + k], b.sum(block[k]));
                }
                b.clear();
                Arrays.fill(block, 0, to - from, null);
            }
            from = to;
        }
    }

    /**
     * One block of 65536 frames: holders per frame, then prefix sums of 1/holders, so a run of
     * frames (file pages and anonymous regions are mostly runs) costs two array reads, not one per frame.
     */
    private static final class Block {
        final double[] inv;
        /** holders of frames added one by one; after weigh(), of every frame */
        final int[] holders = new int[1 << 16];
        /** run starts +1, run ends -1: holders from runs as a running sum */
        final int[] edges = new int[(1 << 16) + 1];
        /** prefix[v] = Σ_{u < v} 1/holders(u) */
        final double[] prefix = new double[(1 << 16) + 1];
        final int[] values = new int[1 << 16];

        Block(double[] inv) {
            this.inv = inv;
        }

        void count(Container c) {
            if (c instanceof RunContainer r) {
                for (int i = 0; i < r.numberOfRuns(); i++) {
                    int start = r.getValue(i);
                    edges[start]++;
                    edges[start + r.getLength(i) + 1]--;
                }
                return;
            }
            int card = c.getCardinality();
            c.fillLeastSignificant16bits(values, 0, 0);
            for (int j = 0; j < card; j++) holders[values[j]]++;
        }

        void weigh() {
            int runs = 0;
            double sum = 0;
            for (int v = 0; v < 1 << 16; v++) {
                runs += edges[v];
                int h = holders[v] += runs;
                // a run's sum is a difference of prefixes: its error comes from the run's own additions only
                if (h > 0) sum += inv[h];
                prefix[v + 1] = sum;
            }
        }

        /** The container's part in pages: Σ 1/holders over its frames. */
        double sum(Container c) {
            double s = 0;
            if (c instanceof RunContainer r) {
                for (int i = 0; i < r.numberOfRuns(); i++) {
                    int start = r.getValue(i);
                    s += prefix[start + r.getLength(i) + 1] - prefix[start];
                }
                return s;
            }
            int card = c.getCardinality();
            c.fillLeastSignificant16bits(values, 0, 0);
            for (int j = 0; j < card; j++) s += inv[holders[values[j]]];
            return s;
        }

        void clear() {
            Arrays.fill(holders, 0);
            Arrays.fill(edges, 0);
        }
    }

    private static int containers(RoaringBitmap b) {
        int n = 0;
        for (ContainerPointer c = b.getContainerPointer(); c.getContainer() != null; c.advance()) n++;
        return n;
    }

    /** Kahan-compensated sum: the per-block sums of a large set add up without drifting. */
    private static void add(double[] sum, double[] carry, int i, double x) {
        double y = x - carry[i];
        double t = sum[i] + y;
        carry[i] = (t - sum[i]) - y;
        sum[i] = t;
    }

    /**
     * Bytes per set by largest remainder: each set gets its exclusive pages whole plus the floor of
     * its shared part, and the bytes still missing to make pageSize × union go one each to the
     * largest fractional parts (taken back from the smallest if rounding ever overshot).
     */
    static long[] apportion(long[] exclusive, double[] shared, long pageSize, long union) {
        int g = shared.length;
        long total = union * pageSize;
        long[] out = new long[g];
        double[] frac = new double[g];
        long sum = 0;
        for (int i = 0; i < g; i++) {
            double b = shared[i] * pageSize;
            long whole = (long) Math.floor(b);
            frac[i] = b - whole;
            out[i] = exclusive[i] * pageSize + whole;
            sum += out[i];
        }
        long missing = total - sum;
        if (missing == 0 || g == 0) return out;
        Integer[] order = new Integer[g];
        for (int i = 0; i < g; i++) order[i] = i;
        if (missing > 0) Arrays.sort(order, (a, b) -> Double.compare(frac[b], frac[a]) != 0 ? Double.compare(frac[b], frac[a]) : a - b);
        else Arrays.sort(order, (a, b) -> Double.compare(frac[a], frac[b]) != 0 ? Double.compare(frac[a], frac[b]) : a - b);
        int step = missing > 0 ? 1 : -1;
        for (int k = 0; missing != 0; k = (k + 1) % g) {
            int i = order[k];
            if (step < 0 && out[i] == 0) continue;
            out[i] += step;
            missing -= step;
        }
        return out;
    }
}
