import lib.pages.KPageCount;
import lib.pages.KPageFlags;
import lib.proc.Maps;
import lib.pages.MappingPages;
import lib.pages.PageMap;
import lib.proc.ProcFs;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Batched frame lookups and page classes on in-memory files (the real-process checks are in ProcinfoTest). */
class MappingPagesTest {

    /** A u64 file in memory that counts the reads made on it. */
    static final class U64File implements ProcFs.PositionalFile {
        final long[] values;
        final List<long[]> reads = new ArrayList<>();

        U64File(long[] values) {
            this.values = values;
        }

        @Override
        public int read(ByteBuffer dst, long pos) {
            int start = (int) (pos / 8);
            if (start >= values.length) {
                reads.add(new long[]{start, 0});
                return -1;
            }
            int n = 0;
            ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = start; i < values.length && le.remaining() >= 8; i++, n++) le.putLong(values[i]);
            dst.position(le.position());
            reads.add(new long[]{start, n});
            return n * 8;
        }

        @Override
        public void close() {
        }
    }

    static long bit(int b) {
        return 1L << b;
    }

    @Test
    void scatteredFramesAreReadInFewReadsInTheirOrder() throws Exception {
        long[] table = new long[100_000];
        for (int i = 0; i < table.length; i++) table[i] = i * 3L + 1;
        U64File file = new U64File(table);
        // unsorted, repeated, one far away and one past the end of the file
        long[] pfns = {50, 10, 11, 12, 50, 13, 90_000, 14, 200_000, 10};
        long[] out = new long[pfns.length];
        new KPageFlags(file).readEach(pfns, pfns.length, out);
        for (int i = 0; i < pfns.length; i++) {
            assertEquals(pfns[i] < table.length ? pfns[i] * 3 + 1 : 0, out[i], "pfn " + pfns[i]);
        }
        // 10..50 in one read, 90000 in another, 200000 tried once
        assertEquals(3, file.reads.size(), () -> file.reads.stream().map(r -> r[0] + "+" + r[1]).toList().toString());

        long[] counts = new long[2];
        new KPageCount(file).readEach(new long[]{7, 7}, 2, counts);
        assertArrayEquals(new long[]{22, 22}, counts);
    }

    @Test
    void pageClassesFromFlags() {
        long anon = bit(KPageFlags.ANON) | bit(KPageFlags.MMAP) | bit(KPageFlags.LRU);
        long file = bit(KPageFlags.MMAP) | bit(KPageFlags.LRU) | bit(KPageFlags.DIRTY);
        long zero = bit(KPageFlags.ZERO_PAGE);
        long hugeZero = bit(KPageFlags.ZERO_PAGE) | bit(KPageFlags.THP);
        assertTrue(KPageFlags.isAnon(anon));
        assertFalse(KPageFlags.isFile(anon));
        assertTrue(KPageFlags.isFile(file));
        assertTrue(KPageFlags.isDirty(file));
        assertFalse(KPageFlags.isFile(zero), "the zero page is neither anon nor file");
        assertTrue(KPageFlags.isZeroPage(hugeZero));
        assertFalse(KPageFlags.isThp(hugeZero), "the huge zero page is no THP memory");
        assertTrue(KPageFlags.isThp(anon | bit(KPageFlags.THP)));
        assertTrue(KPageFlags.isHugetlb(bit(KPageFlags.HUGE) | bit(KPageFlags.MMAP)));
        assertFalse(KPageFlags.known(0));
        assertFalse(KPageFlags.isFile(0), "no data is no class");
        assertTrue(KPageCount.isShared(2));
        assertFalse(KPageCount.isShared(1));
    }

    @Test
    void readerCountsEachPageOnceByClass() throws Exception {
        long page = 4096, start = 0x10000 * page;
        // pagemap of 8 pages: 4 resident (anon, anon shared, file, zero page), 2 swapped, 2 absent
        long[] pagemap = new long[0x10000 + 8];
        long p = PageMap.PRESENT;
        pagemap[0x10000] = p | 100;
        pagemap[0x10001] = p | 101;
        pagemap[0x10002] = p | 102;
        pagemap[0x10003] = p | 5;
        pagemap[0x10004] = PageMap.SWAPPED | (7L << 5) | 1;
        pagemap[0x10005] = PageMap.SWAPPED | (8L << 5) | 1;
        long[] flags = new long[200];
        long[] counts = new long[200];
        long anon = bit(KPageFlags.ANON) | bit(KPageFlags.MMAP);
        flags[100] = anon | bit(KPageFlags.SWAPCACHE);
        flags[101] = anon;
        flags[102] = bit(KPageFlags.MMAP) | bit(KPageFlags.DIRTY);
        flags[5] = bit(KPageFlags.ZERO_PAGE);
        counts[100] = 1;
        counts[101] = 3;
        counts[102] = 1;
        counts[5] = 40;
        Maps.Mapping m = new Maps.Mapping(start, start + 8 * page, "rw-p", 0, "00:00", 0, "");
        List<Long> visited = new ArrayList<>();
        try (MappingPages.Reader r = new MappingPages.Reader(page, new KPageFlags(new U64File(flags)), new KPageCount(new U64File(counts)))) {
            MappingPages.PageCounts c = r.read(new U64File(pagemap), m, (vaddr, entry, f, n) -> visited.add((vaddr - start) / page)).counts();
            assertEquals(new MappingPages.PageCounts(8 * page, 3, 2, 2, 1, 1, 0, 0, 1, 1, 0, 1, 0), c);
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), visited, "resident and swapped pages, in address order");

        // no kpageflags / kpagecount (a snapshot without them): RSS and swap only, classes unknown
        try (MappingPages.Reader r = new MappingPages.Reader(page, null, null)) {
            MappingPages.PageCounts c = r.read(new U64File(pagemap), m, null).counts();
            assertEquals(4, c.rssPages(), "the zero page cannot be told apart without kpageflags");
            assertEquals(2, c.swapPages());
            assertEquals(-1, c.anonPages());
            assertEquals(-1, c.sharedPages());
            assertEquals(-1, c.plus(MappingPages.PageCounts.ZERO).filePages(), "unknown stays unknown in sums");
        }
    }
}
