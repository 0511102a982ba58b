package lib.cli;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import lib.groups.ProcessTree;
import lib.groups.Splitter;
import lib.oracle.OracleInstance;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.TmpfsFiles;
import lib.text.Bytes;
import lib.text.Columns;
import lib.text.Text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * memstats' tmpfs file table (POSIX shared memory, Oracle's AMM SGA): the largest files of each tmpfs with
 * their pages in RAM and in swap, how many of the scanned processes map each and their groups in the
 * first split, and the Oracle instances whose processes do.
 */
public final class TmpfsFileTable {
    private TmpfsFileTable() {
    }

    /** Rows shown per tmpfs, largest first (by what the file holds, RAM and swap). */
    public static final int ROWS_PER_TMPFS = 10;

    /** One file of one tmpfs, with the scanned processes that map it and the instances among them. */
    public record Row(TmpfsFiles.Mount mount, TmpfsFiles.File file, long pageSize, int processes, List<String> groups,
                      List<String> sids) {
        long residentBytes() {
            return file.residentPages() < 0 ? -1 : file.residentPages() * pageSize;
        }

        long swapBytes() {
            return file.swappedPages() < 0 ? -1 : file.swappedPages() * pageSize;
        }
    }

    public static final Columns<Row> COLUMNS = new Columns<Row>()
            .add("tmpfs", "mount_point", r -> r.mount().mountPoint(), r -> r.mount().mountPoint())
            .add("path", r -> r.file().path())
            .bytes("size", r -> r.file().sizeBytes())
            .bytesOrUnknown("resident", Row::residentBytes)
            .bytesOrUnknown("swap", Row::swapBytes)
            .add("procs", "processes", Row::processes, Row::processes)
            .add("groups", "groups", Row::groups, r -> String.join(",", r.groups()))
            .add("sid", "sids", Row::sids, r -> String.join(",", r.sids()))
            .jsonOnly("allocated", r -> r.file().allocatedBytes())
            .jsonOnly("device", r -> r.mount().device())
            .jsonOnly("inode", r -> r.file().inode());

    /**
     * The rows: per tmpfs, its ROWS_PER_TMPFS largest files (a deleted one still mapped included), each with
     * the scanned processes mapping it, their groups in the first split (split null: none named) and the
     * instances whose processes map it. Null when files is null (not recorded in a snapshot).
     */
    public static List<Row> rows(ProcFs proc, TmpfsFiles files, List<ProcessInfo> scanned, List<OracleInstance> instances,
                                 List<ProcessInfo> all, Splitter split, ProcessTree tree) {
        if (files == null) return null;
        // every process's maps once (the live walk read them already): an instance is named whatever the filter,
        // the count is of those scanned
        Map<TmpfsFiles.Key, IntArrayList> mappers = files.mappers() != null ? files.mappers()
                : TmpfsFiles.mappers(proc, all.stream().map(ProcessInfo::pid).toList(), files.devices());
        Map<TmpfsFiles.Key, List<String>> sids = OracleInstance.sidsByFile(instances, all, mappers);
        Map<Integer, ProcessInfo> scannedByPid = new java.util.HashMap<>();
        for (ProcessInfo p : scanned) scannedByPid.put(p.pid(), p);
        List<Row> rows = new ArrayList<>();
        for (TmpfsFiles.Mount m : files.mounts()) {
            List<TmpfsFiles.File> largest = new ArrayList<>(m.files());
            largest.sort(Comparator.comparingLong(TmpfsFiles.File::allocatedBytes).reversed()
                    .thenComparing(Comparator.comparingLong(TmpfsFiles.File::sizeBytes).reversed())
                    .thenComparing(TmpfsFiles.File::path));
            for (TmpfsFiles.File f : largest.subList(0, Math.min(ROWS_PER_TMPFS, largest.size()))) {
                TmpfsFiles.Key k = new TmpfsFiles.Key(m.major(), m.minor(), f.inode());
                int n = 0;
                java.util.TreeSet<String> groups = new java.util.TreeSet<>();
                for (int pid : mappers.getOrDefault(k, new IntArrayList())) {
                    ProcessInfo p = scannedByPid.get(pid);
                    if (p == null) continue;
                    n++;
                    String g = split == null ? null : split.groupOf(p, tree);
                    if (g != null) groups.add(g);
                }
                rows.add(new Row(m, f, files.pageSize(), n, List.copyOf(groups), sids.getOrDefault(k, List.of())));
            }
        }
        return rows;
    }

    /** What is said under the table of one tmpfs: how many files it holds and what, when not all are shown; why a walk stopped. */
    static List<String> notes(TmpfsFiles files) {
        List<String> out = new ArrayList<>();
        if (files == null) return out;
        for (TmpfsFiles.Mount m : files.mounts()) {
            String where = Text.visible(m.mountPoint());
            long deleted = m.files().stream().filter(f -> !f.largest() && f.path().endsWith(" (deleted)")).count();
            if (m.fileCount() + deleted > ROWS_PER_TMPFS) {
                out.add(where + ": " + m.fileCount() + " files hold " + Bytes.AUTO.format(m.allocatedBytes()) + " (RAM and swap)"
                        + (deleted > 0 ? ", " + deleted + " more are deleted but still mapped" : "") + "; the " + ROWS_PER_TMPFS + " largest shown");
            }
            if (m.stopped() != null) out.add(where + ": walk " + m.stopped() + ": files past it are not counted");
        }
        return out;
    }
}
