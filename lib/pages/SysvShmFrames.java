package lib.pages;

import lib.proc.Maps;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import it.unimi.dsi.fastutil.longs.LongSet;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames of SysV shm segments, from the page tables of ONE process attaching each: reading every
 * attacher of a 100 GiB SGA would cost as much as the whole scan. Pages of a segment that the
 * chosen process never touched are missed (all of them are there for hugetlb segments touched at
 * startup, as Oracle does). Read-only: pagemap, never shmat.
 */
public final class SysvShmFrames {
    private SysvShmFrames() {
    }

    /** Frames by shmid for the wanted shmids, looking through processes in order; vanished ones are skipped. */
    public static Map<Long, PageSet> read(ProcFs proc, List<ProcessInfo> processes, LongSet wanted, long pageSize)
            throws IOException {
        Map<Long, PageSet> out = new HashMap<>();
        LongSet missing = new LongOpenHashSet(wanted);
        PagemapWalker walker = new PagemapWalker(pageSize);
        IntArrayList keys = new IntArrayList();
        for (ProcessInfo p : processes) {
            if (missing.isEmpty()) break;
            List<Maps.Mapping> maps;
            try {
                maps = proc.maps(p.pid());
            } catch (IOException e) {
                continue; // gone or unreadable: another attacher may do
            }
            LongSet found = new LongOpenHashSet();
            try (ProcFs.PositionalFile file = proc.open(p.pid(), "pagemap")) {
                for (Maps.Mapping m : maps) {
                    if (!m.isSysvShm() || !missing.contains(m.sysvShmid())) continue;
                    keys.clear();
                    walker.walk(file, m, (mapping, vaddr, e, n) -> {
                        for (int i = 0; i < n; i++) if (PageMap.present(e[i])) keys.add(PageSet.pfnKey(PageMap.pfn(e[i])));
                    });
                    int[] a = keys.toIntArray();
                    Arrays.sort(a);
                    out.computeIfAbsent(m.sysvShmid(), id -> new PageSet()).addAll(a, a.length);
                    found.add(m.sysvShmid());
                }
            } catch (IOException e) {
                continue;
            }
            missing.removeAll(found);
        }
        return out;
    }
}
