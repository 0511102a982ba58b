package lib.pages;

import lib.proc.Maps;
import lib.proc.ProcFs;
import java.io.IOException;

/**
 * The pages of one mapping of a process, from its pagemap and, for resident frames, kpageflags and
 * kpagecount, with their counts by class. Frames are looked up in batches (a chunk of the mapping at
 * a time), never one read per page.
 */
public record MappingPages(Maps.Mapping mapping, PageCounts counts) {

    /** Called for each resident or swapped page, in address order; flags/count are 0 when unknown. */
    @FunctionalInterface
    public interface PageVisitor {
        void page(long vaddr, long entry, long flags, long count);
    }

    /**
     * Sizes and page counts (base pages) of a mapping or of a sum of mappings. RSS is the resident pages
     * except the zero page (as the kernel's Rss); the classes are counted among resident pages, several
     * may hold for one page. Class counts are -1 when kpageflags (shared: kpagecount) is not available.
     */
    public record PageCounts(long vszBytes, long rssPages, long swapPages, long anonPages, long filePages,
                         long sharedPages, long thpPages, long hugetlbPages, long dirtyPages, long swapCachePages,
                         long ksmPages, long zeroPages, long noFlagsPages) {

        public static final PageCounts ZERO = new PageCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        public PageCounts plus(PageCounts o) {
            return new PageCounts(vszBytes + o.vszBytes, rssPages + o.rssPages, swapPages + o.swapPages,
                    sum(anonPages, o.anonPages), sum(filePages, o.filePages), sum(sharedPages, o.sharedPages),
                    sum(thpPages, o.thpPages), sum(hugetlbPages, o.hugetlbPages), sum(dirtyPages, o.dirtyPages),
                    sum(swapCachePages, o.swapCachePages), sum(ksmPages, o.ksmPages), sum(zeroPages, o.zeroPages),
                    noFlagsPages + o.noFlagsPages);
        }

        private static long sum(long a, long b) {
            return a < 0 || b < 0 ? -1 : a + b;
        }
    }

    /** Reads mappings one after another with reused buffers; owns the kpageflags/kpagecount files it opened. */
    public static final class Reader implements AutoCloseable {
        private static final int CHUNK_PAGES = 1 << 15;

        private final PagemapWalker walker;
        private final PagemapWalker.Chunk chunk = this::chunk;
        private final KPageFlags kpageflags;
        private final KPageCount kpagecount;
        private final long[] pfns = new long[CHUNK_PAGES];
        private final long[] flags = new long[CHUNK_PAGES];
        private final long[] counts = new long[CHUNK_PAGES];
        private Tally tally;
        private PageVisitor visitor;

        /** kpageflags / kpagecount may be null (absent from a snapshot, or not wanted): their classes are then -1. */
        public Reader(long pageSize, KPageFlags kpageflags, KPageCount kpagecount) {
            this.walker = new PagemapWalker(pageSize, CHUNK_PAGES);
            this.kpageflags = kpageflags;
            this.kpagecount = kpagecount;
        }

        /** Opens kpageflags and kpagecount of proc when they exist. */
        public static Reader open(ProcFs proc, long pageSize) throws IOException {
            KPageFlags f = proc.exists("kpageflags") ? KPageFlags.open(proc) : null;
            KPageCount c = proc.exists("kpagecount") ? KPageCount.open(proc) : null;
            return new Reader(pageSize, f, c);
        }

        public boolean hasFlags() {
            return kpageflags != null;
        }

        public boolean hasCounts() {
            return kpagecount != null;
        }

        public long pageSize() {
            return walker.pageSize();
        }

        /** Reads one mapping through the process's open pagemap; visitor may be null. [vsyscall] has no pages. */
        public MappingPages read(ProcFs.PositionalFile pagemapFile, Maps.Mapping m, PageVisitor visitor) throws IOException {
            Tally t = new Tally();
            if (m.kind() != Maps.Kind.VSYSCALL) {
                tally = t;
                this.visitor = visitor;
                walker.walk(pagemapFile, m, chunk);
                tally = null;
                this.visitor = null;
            }
            boolean f = hasFlags(), c = hasCounts();
            return new MappingPages(m, new PageCounts(m.sizeBytes(), t.rss, t.swap, f ? t.anon : -1, f ? t.file : -1,
                    c ? t.shared : -1, f ? t.thp : -1, f ? t.hugetlb : -1, f ? t.dirty : -1, f ? t.swapCache : -1,
                    f ? t.ksm : -1, f ? t.zero : -1, f ? t.noFlags : 0));
        }

        private void chunk(Maps.Mapping m, long start, long[] entries, int filled) throws IOException {
            Tally t = tally;
            int present = 0;
            for (int i = 0; i < filled; i++) {
                if (PageMap.present(entries[i])) pfns[present++] = PageMap.pfn(entries[i]);
            }
            if (kpageflags != null) kpageflags.readEach(pfns, present, flags);
            if (kpagecount != null) kpagecount.readEach(pfns, present, counts);
            int p = 0;
            long pageSize = walker.pageSize();
            for (int i = 0; i < filled; i++) {
                long e = entries[i];
                if (PageMap.present(e)) {
                    long fl = kpageflags != null ? flags[p] : 0;
                    long cnt = kpagecount != null ? counts[p] : 0;
                    p++;
                    t.present(fl, cnt);
                    if (visitor != null) visitor.page(start + i * pageSize, e, fl, cnt);
                } else if (PageMap.swapped(e)) {
                    t.swap++;
                    if (visitor != null) visitor.page(start + i * pageSize, e, 0, 0);
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (kpageflags != null) kpageflags.close();
            if (kpagecount != null) kpagecount.close();
        }
    }

    /** Running counts of one mapping. */
    private static final class Tally {
        long rss, swap, anon, file, shared, thp, hugetlb, dirty, swapCache, ksm, zero, noFlags;

        void present(long flags, long count) {
            if (KPageFlags.isZeroPage(flags)) {
                zero++;
                return;
            }
            rss++;
            if (KPageCount.isShared(count)) shared++;
            if (!KPageFlags.known(flags)) {
                noFlags++;
                return;
            }
            if (KPageFlags.isAnon(flags)) anon++;
            if (KPageFlags.isFile(flags)) file++;
            if (KPageFlags.isThp(flags)) thp++;
            if (KPageFlags.isHugetlb(flags)) hugetlb++;
            if (KPageFlags.isDirty(flags)) dirty++;
            if (KPageFlags.isSwapCache(flags)) swapCache++;
            if (KPageFlags.isKsm(flags)) ksm++;
        }
    }
}
