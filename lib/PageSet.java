package lib;

import org.roaringbitmap.RoaringBitmap;

import java.util.List;

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
        if (pfn >>> 32 != 0) {
            throw new IllegalStateException("PFN 0x" + Long.toHexString(pfn) + " is beyond the 32-bit frame numbers this tool supports");
        }
        return (int) pfn;
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

    public long sizeInBytes() {
        return bits.getLongSizeInBytes();
    }

    public void trim() {
        bits.runOptimize();
        bits.trim();
    }

    public RoaringBitmap bitmap() {
        return bits;
    }

    /**
     * For each set, how many of its keys no other set holds: one pass builds "held by two or more",
     * then each count is |set| - |set ∩ multi|. O(G) bitmap operations for G sets.
     */
    public static long[] exclusiveCounts(List<PageSet> sets) {
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
        return out;
    }
}
