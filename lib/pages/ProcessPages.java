package lib.pages;

import lib.proc.Maps;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.Stat;
import it.unimi.dsi.fastutil.longs.LongArrayList;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * The pages processes hold, from their maps and pagemap: frames of every mapping but SysV shm
 * (all, and those of anonymous mappings), swap entries likewise, and the shmids they attach,
 * added into the sets of the groups they belong to.
 */
public final class ProcessPages {
    private ProcessPages() {
    }

    /** Reads processes one after another, reusing its buffers: one per scanning thread. */
    public static final class Reader {
        private final ProcFs proc;
        private final PagemapWalker walker;
        private final PagemapWalker.Chunk adder = this::add;
        private final PageSet.Builder rss = new PageSet.Builder();
        private final PageSet.Builder anon = new PageSet.Builder();
        private final PageSet.Builder swap = new PageSet.Builder();
        private final PageSet.Builder swapAnon = new PageSet.Builder();
        private final LongArrayList shmids = new LongArrayList();

        private final String ownIpcNs;

        public Reader(ProcFs proc, long pageSize) {
            this.proc = proc;
            this.walker = new PagemapWalker(pageSize);
            this.ownIpcNs = proc.ipcNamespace("self");
        }

        /** Zombie or dead (its memory is gone), or its stat unreadable. */
        private boolean exited(int pid) {
            try {
                char state = Stat.parse(proc.readString(pid, "stat")).state();
                return state == 'Z' || state == 'X';
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }

        /**
         * The inode of a process's IPC namespace when it is known to differ from ours, else 0: its
         * shmids then name segments our /proc/sysvipc/shm does not list (and may collide with ours).
         */
        public long foreignIpcNs(int pid, long[] sysvShmids) {
            if (ownIpcNs == null || sysvShmids.length == 0) return 0;
            String ns = proc.ipcNamespace(Integer.toString(pid));
            if (ns == null || ns.equals(ownIpcNs)) return 0;
            try {
                return Long.parseLong(ns.substring(ns.indexOf('[') + 1, ns.indexOf(']')));
            } catch (RuntimeException e) {
                return -1;
            }
        }

        /**
         * Reads one process and adds its pages straight into the given groups' sets (each locked
         * while it is filled): no set of its own is built. Returns the shmids it attaches.
         */
        public long[] readInto(int pid, List<Sets> groups) throws IOException {
            long[] ids = scan(pid);
            rss.drainInto(groups, Sets::rss);
            anon.drainInto(groups, Sets::anon);
            swap.drainInto(groups, Sets::swap);
            swapAnon.drainInto(groups, Sets::swapAnon);
            return ids;
        }

        /** Fills the builders with one process's pages; returns the shmids it attaches. */
        private long[] scan(int pid) throws IOException {
            shmids.clear();
            List<Maps.Mapping> maps;
            try {
                maps = proc.maps(pid);
            } catch (NoSuchFileException e) {
                throw proc.missing(pid, "maps", e); // vanished, or hidden from snap: unreadable, as live
            }
            try (ProcFs.PositionalFile file = proc.open(pid, "pagemap")) {
                for (Maps.Mapping m : maps) {
                    Maps.Kind kind = m.kind();
                    if (kind == Maps.Kind.VSYSCALL) continue;
                    if (kind == Maps.Kind.SYSV_SHM) {
                        if (!shmids.contains(m.sysvShmid())) shmids.add(m.sysvShmid());
                        continue;
                    }
                    walker.walk(file, m, adder);
                }
            } catch (NoSuchFileException e) {
                discard();
                throw new ProcessInfo.VanishedException(pid, e);
            } catch (IOException e) {
                discard();
                // ESRCH and friends when the process exits between maps and pagemap (a zombie still has its /proc entry)
                if (ProcFs.processGone(e) || !proc.exists(pid) || exited(pid)) throw new ProcessInfo.VanishedException(pid, e);
                throw e;
            } catch (RuntimeException e) {
                discard();
                throw e;
            }
            return shmids.toLongArray();
        }

        private void add(Maps.Mapping m, long vaddr, long[] e, int n) {
            boolean isAnon = m.isAnonymous();
            for (int i = 0; i < n; i++) {
                long entry = e[i];
                if (entry < 0) { // bit 63: present
                    int k = PageSet.pfnKey(entry & PageMap.PFN_MASK);
                    rss.add(k);
                    if (isAnon) anon.add(k);
                } else if ((entry & PageMap.SWAPPED) != 0) {
                    int k = PageSet.swapKey(entry);
                    swap.add(k);
                    if (isAnon) swapAnon.add(k);
                }
            }
        }

        /** Drops what a failed read collected, so the next process starts empty. */
        private void discard() {
            rss.clear();
            anon.clear();
            swap.clear();
            swapAnon.clear();
        }
    }

    /** The four sets of a group that processes are added into (memstats' accumulators). */
    public record Sets(PageUnion rss, PageUnion anon, PageUnion swap, PageUnion swapAnon) {
        /**
         * Frame sets dense over denseBlocks blocks of 65536 frames (0: sparse), swap sets sparse; for
         * a group of one process the anonymous sets are only counted (they are never combined).
         */
        public Sets(int denseBlocks, int processes) {
            this(union(denseBlocks), processes <= 1 ? PageUnion.counter() : union(denseBlocks),
                    PageUnion.sparse(), processes <= 1 ? PageUnion.counter() : PageUnion.sparse());
        }

        private static PageUnion union(int denseBlocks) {
            return denseBlocks > 0 ? PageUnion.dense(denseBlocks) : PageUnion.sparse();
        }
    }
}
