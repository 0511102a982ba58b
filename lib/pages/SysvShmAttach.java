package lib.pages;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import lib.pages.SysvShmPages.SegmentPages;
import lib.proc.Libc;
import lib.proc.Maps;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.SysvShm;
import lib.text.Bytes;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * SysV segments read on the running kernel, without changing them: each attached read-only, a
 * hugetlb one counted from its rss, any other read window by window (mincore, our own pagemap,
 * kpageflags), our page table entries dropped again. See SysvShmPages for why.
 */
final class SysvShmAttach {
    private SysvShmAttach() {
    }

    /** Bytes of a segment read per step: bounds our own RSS and page tables while reading. */
    private static final long WINDOW_BYTES = 64L << 20;

    static List<SegmentPages> read(ProcFs proc, List<SysvShm.Segment> segments, long pageSize, boolean forceReadShm,
                                   Consumer<String> log) throws IOException {
        List<SegmentPages> out = new ArrayList<>();
        try (Reader r = new Reader(proc, pageSize)) {
            for (SysvShm.Segment s : segments) {
                if (s.swapBytes() > 0 && !forceReadShm) {
                    log.accept("segment shmid " + s.shmid() + " (key " + s.key() + ") has " + Bytes.AUTO.format(s.swapBytes())
                            + " in swap: its pages are not counted (--force-read-shm counts them, and may fault some back in)");
                    out.add(new SegmentPages(s, s.rssBytes(), -1, -1, -1));
                    continue;
                }
                if (s.swapBytes() > 0) {
                    log.accept("segment shmid " + s.shmid() + " (key " + s.key() + ") has " + Bytes.AUTO.format(s.swapBytes())
                            + " in swap: reading its resident pages anyway (--force-read-shm); pages in the swap cache may be faulted back in");
                }
                out.add(r.read(s, log));
            }
        }
        return out;
    }


    /** Attaches segments one at a time, reusing its buffers. */
    private static final class Reader implements AutoCloseable {
        private final ProcFs proc;
        private final long pageSize;
        private final PagemapWalker walker;
        private final PagemapWalker.Chunk present = this::present;
        private final ProcFs.PositionalFile selfPagemap;
        private final KPageFlags kpageflags;
        private final int windowPages;
        private final byte[] resident;
        private final long[] pfns;
        private final long[] flags = new long[1 << 13];
        private int count;

        Reader(ProcFs proc, long pageSize) throws IOException {
            this.proc = proc;
            this.pageSize = pageSize;
            this.walker = new PagemapWalker(pageSize);
            this.windowPages = (int) (WINDOW_BYTES / pageSize);
            this.resident = new byte[windowPages];
            this.pfns = new long[windowPages];
            this.selfPagemap = proc.open("self/pagemap");
            this.kpageflags = KPageFlags.open(proc);
        }

        SegmentPages read(SysvShm.Segment s, Consumer<String> log) throws IOException {
            Pointer base;
            try {
                base = Libc.INSTANCE.shmat((int) s.shmid(), null, Libc.SHM_RDONLY);
            } catch (LastErrorException e) {
                log.accept("cannot attach segment shmid " + s.shmid() + " (key " + s.key() + "): " + Libc.describe(e));
                return new SegmentPages(s, s.rssBytes(), -1, -1, -1);
            }
            try {
                long addr = Pointer.nativeValue(base);
                long kernelPageSize = PageSize.ofMapping(proc.readString("self/smaps"), addr);
                if (kernelPageSize > pageSize) {
                    return new SegmentPages(s, s.rssBytes(), kernelPageSize, 0, -1);
                }
                long small = 0, large = 0;
                long len = SysvShmPages.roundUp(s.sizeBytes(), pageSize);
                for (long off = 0; off < len; off += WINDOW_BYTES) {
                    long bytes = Math.min(WINDOW_BYTES, len - off);
                    int n = (int) (bytes / pageSize);
                    Pointer window = base.share(off);
                    Libc.INSTANCE.mincore(window, bytes, resident);
                    for (int i = 0; i < n; i++) {
                        if ((resident[i] & 1) != 0) window.getByte(i * pageSize);
                    }
                    count = 0;
                    walker.walk(selfPagemap, null, addr + off, addr + off + bytes, present);
                    long lg = largeFrames(pfns, count);
                    large += lg;
                    small += count - lg;
                    Libc.INSTANCE.madvise(window, bytes, Libc.MADV_DONTNEED);
                }
                long perHuge = SysvShmPages.TWO_MIB / pageSize;
                // frames of smaller large folios (mTHP) than 2 MiB are left as base pages
                return new SegmentPages(s, s.rssBytes(), pageSize, small + large % perHuge, large / perHuge);
            } catch (LastErrorException e) {
                log.accept("cannot read segment shmid " + s.shmid() + " (key " + s.key() + "): " + Libc.describe(e));
                return new SegmentPages(s, s.rssBytes(), -1, -1, -1);
            } finally {
                try {
                    Libc.INSTANCE.shmdt(base);
                } catch (LastErrorException e) {
                    log.accept("cannot detach segment shmid " + s.shmid() + ": " + Libc.describe(e));
                }
            }
        }

        private void present(Maps.Mapping m, long vaddr, long[] e, int n) {
            for (int i = 0; i < n; i++) if (PageMap.present(e[i])) pfns[count++] = PageMap.pfn(e[i]);
        }

        private long largeFrames(long[] frames, int n) throws IOException {
            return SysvShmPages.largeFrames(kpageflags, flags, frames, n);
        }

        @Override
        public void close() throws IOException {
            selfPagemap.close();
            kpageflags.close();
        }
    }
}
