package lib.pages;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import lib.pages.SysvShmPages.SegmentPages;
import lib.proc.Maps;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.SysvShm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** SysV segments in a snapshot, which cannot attach them: what its captured attachers map. */
final class SysvShmSnapshot {
    private SysvShmSnapshot() {
    }

    /**
     * A snapshot cannot attach a segment. Its page size is KernelPageSize of an attaching process's
     * mapping (smaps); its resident pages by size are the frames the captured processes map (their
     * pagemaps over its /SYSV mapping, so a resident page no process maps is not seen), classified
     * with the saved kpageflags; unknown when snap left the SysV ranges out (--skip-shm-pagemap).
     */
    static List<SegmentPages> read(ProcFs proc, List<SysvShm.Segment> segments, long pageSize) throws IOException {
        Map<Long, List<long[]>> attached = new HashMap<>(); // shmid -> {pid, start, end}
        for (int pid : proc.pids()) {
            String maps;
            try {
                maps = proc.readString(pid, "maps");
            } catch (IOException e) {
                continue;
            }
            for (Maps.Mapping m : Maps.parse(maps)) {
                if (m.isSysvShm()) attached.computeIfAbsent(m.sysvShmid(), k -> new ArrayList<>()).add(new long[]{pid, m.start(), m.end()});
            }
        }
        boolean framesSaved = proc.exists("kpageflags") && !proc.shmPagemapSkipped();
        PagemapWalker walker = new PagemapWalker(pageSize);
        long[] flags = new long[1 << 13];
        List<SegmentPages> out = new ArrayList<>();
        try (KPageFlags kpageflags = framesSaved ? KPageFlags.open(proc) : null) {
            for (SysvShm.Segment s : segments) {
                List<long[]> at = attached.getOrDefault(s.shmid(), List.of());
                long mappingPageSize = -1;
                for (long[] a : at) {
                    if (mappingPageSize < 0 && proc.exists((int) a[0], "smaps")) {
                        mappingPageSize = PageSize.ofMapping(proc.readString((int) a[0], "smaps"), a[1]);
                    }
                }
                if (mappingPageSize > pageSize || at.isEmpty() || !framesSaved) {
                    out.add(new SegmentPages(s, s.rssBytes(), mappingPageSize, -1, -1));
                    continue;
                }
                LongOpenHashSet frames = new LongOpenHashSet();
                for (long[] a : at) {
                    try (ProcFs.PositionalFile f = proc.open((int) a[0], "pagemap")) {
                        walker.presentFrames(f, a[1], a[2], frames);
                    } catch (java.nio.file.NoSuchFileException e) {
                        // a process whose pagemap was not captured
                    }
                }
                long[] pfns = frames.toLongArray();
                long large = SysvShmPages.largeFrames(kpageflags, flags, pfns, pfns.length);
                long perHuge = SysvShmPages.TWO_MIB / pageSize;
                out.add(new SegmentPages(s, s.rssBytes(), pageSize, pfns.length - large + large % perHuge, large / perHuge));
            }
        }
        return out;
    }
}
