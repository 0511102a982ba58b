package lib;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;

/**
 * The pages one process holds, from its maps and pagemap: frames of every mapping but SysV shm
 * (all, and those of anonymous mappings), swap entries likewise, and the shmids it attaches.
 */
public record ProcessPages(int pid, PageSet rss, PageSet anon, PageSet swap, PageSet swapAnon, long[] sysvShmids) {

    /** Reads processes one after another, reusing its buffers: one per scanning thread. */
    public static final class Reader {
        private final ProcFs proc;
        private final PageMap pagemap;
        private final IntArrayList rss = new IntArrayList(1 << 16);
        private final IntArrayList anon = new IntArrayList(1 << 16);
        private final IntArrayList swap = new IntArrayList();
        private final IntArrayList swapAnon = new IntArrayList();
        private final LongArrayList shmids = new LongArrayList();
        private long pagesRead;

        public Reader(ProcFs proc, long pageSize) {
            this.proc = proc;
            this.pagemap = new PageMap(pageSize);
        }

        /** Page table entries read so far by this reader. */
        public long pagesRead() {
            return pagesRead;
        }

        public ProcessPages read(int pid) throws IOException {
            rss.clear();
            anon.clear();
            swap.clear();
            swapAnon.clear();
            shmids.clear();
            List<Maps.Mapping> maps;
            try {
                maps = Maps.parse(proc.readString(pid + "/maps"));
            } catch (NoSuchFileException e) {
                throw new ProcessInfo.VanishedException(pid, e);
            }
            try (ProcFs.PositionalFile file = proc.open(pid + "/pagemap")) {
                for (Maps.Mapping m : maps) {
                    switch (m.kind()) {
                        case VSYSCALL -> {
                        }
                        case SYSV_SHM -> {
                            if (!shmids.contains(m.sysvShmid())) shmids.add(m.sysvShmid());
                        }
                        default -> {
                            boolean isAnon = m.isAnonymous();
                            pagemap.forEach(file, m.start(), m.end(), (vaddr, e) -> {
                                if (PageMap.present(e)) {
                                    int k = PageSet.pfnKey(PageMap.pfn(e));
                                    rss.add(k);
                                    if (isAnon) anon.add(k);
                                } else if (PageMap.swapped(e)) {
                                    int k = PageSet.swapKey(e);
                                    swap.add(k);
                                    if (isAnon) swapAnon.add(k);
                                }
                            });
                            pagesRead += (m.end() - m.start()) / pagemap.pageSize();
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                throw new ProcessInfo.VanishedException(pid, e);
            } catch (IOException e) {
                // ESRCH and friends when the process exits between maps and pagemap
                if (!proc.exists(Integer.toString(pid))) throw new ProcessInfo.VanishedException(pid, e);
                throw e;
            }
            return new ProcessPages(pid, set(rss), set(anon), set(swap), set(swapAnon), shmids.toLongArray());
        }

        private static PageSet set(IntArrayList keys) {
            PageSet s = new PageSet();
            int[] a = keys.elements();
            Arrays.sort(a, 0, keys.size());
            s.addAll(a, keys.size());
            return s;
        }
    }
}
