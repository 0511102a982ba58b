package lib.cli;

import lib.groups.GroupDiff;
import lib.groups.GroupScan;
import lib.groups.RamAccount;
import lib.oracle.InstanceFigures;
import lib.pages.SysvShmPages.SegmentPages;
import lib.proc.Meminfo;
import lib.proc.Tmpfs;
import lib.text.Columns;
import lib.text.PromText;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * memstats as Prometheus metrics (--format prom), for node_exporter's textfile collector: prefix
 * linuxmem_, base units, one metric per quantity with labels split and group (no pid labels: series
 * stay as many as groups), the scan itself, and the tmpfs, SysV segment, huge page and Oracle tables.
 * The group values are those of memstats' group row description (its JSON keys), so prom, JSON, CSV
 * and text cannot disagree.
 */
public final class GroupMetrics {
    private GroupMetrics() {
    }

    private static final String P = "linuxmem_";

    /** JSON key of a group column -> metric name and help; group_name is the label. */
    private static final Map<String, String[]> GROUP = new LinkedHashMap<>();

    static {
        group("procs", "group_processes", "Processes in the group.");
        group("mem_rss", "group_mem_rss_bytes", "Physical memory the group's processes map, each frame once (all mappings but SysV shm).");
        group("mem_anon", "group_mem_anon_bytes", "The part of mem_rss in anonymous mappings.");
        group("mem_uss", "group_mem_uss_bytes", "Physical memory no process outside the group maps: what ending the group would free.");
        group("mem_share", "group_mem_share_bytes", "Each frame's bytes divided equally among the groups of the split that map it: a split's shares add up to its groups' union.");
        group("swap_anon", "group_swap_anon_bytes", "Swapped-out pages of the group's anonymous mappings, each swap slot once.");
        group("swap_rss", "group_swap_rss_bytes", "Swap slots the group's processes hold, each once.");
        group("swap_uss", "group_swap_uss_bytes", "Swap slots no process outside the group holds.");
        group("shm_mem", "group_shm_mem_bytes", "Resident memory of the SysV segments the group attaches, each segment once.");
        group("shm_swap", "group_shm_swap_bytes", "Swap of the SysV segments the group attaches.");
        group("shm_unknown", "group_shm_unknown_segments", "Attached SysV segments /proc/sysvipc/shm does not list (removed, or of another IPC namespace).");
    }

    private static void group(String key, String name, String help) {
        GROUP.put(key, new String[]{P + name, help});
    }

    public static String render(GroupTables.Report report, Columns<GroupScan.GroupStats> groupColumns) {
        List<Tmpfs.Mount> tmpfs = report.tmpfs();
        List<SegmentPages> shm = report.shm();
        Map<Long, List<String>> sidsByShmid = report.sidsByShmid();
        Meminfo mi = report.meminfo();
        List<InstanceFigures> instances = report.instances();
        GroupScan.Result r = report.result();
        PromText p = new PromText();
        Map<String, PromText.Family> families = new LinkedHashMap<>();
        for (Columns.Column<GroupScan.GroupStats> c : groupColumns.columns()) {
            String[] m = c.key() == null ? null : GROUP.get(c.key());
            if (m != null) families.put(c.key(), p.gauge(m[0], m[1], "split", "group"));
        }
        for (GroupScan.Split s : r.splits()) {
            for (GroupScan.GroupStats g : s.groups()) {
                Map<String, Object> row = groupColumns.json(g);
                for (Map.Entry<String, PromText.Family> f : families.entrySet()) {
                    Object v = row.get(f.getKey());
                    if (v instanceof Number n) f.getValue().add(n.longValue(), s.name(), g.name());
                }
            }
        }

        scan(p, r.counts());

        // a mount point mounted over again shows its last mount, as the path does
        Map<String, Tmpfs.Mount> mounts = new LinkedHashMap<>();
        if (tmpfs != null) for (Tmpfs.Mount m : tmpfs) mounts.put(m.mountPoint(), m);
        PromText.Family size = p.gauge(P + "tmpfs_size_bytes", "Size of a tmpfs mount.", "mount_point");
        PromText.Family used = p.gauge(P + "tmpfs_used_bytes", "Memory and swap the files of a tmpfs mount use.", "mount_point");
        for (Tmpfs.Mount m : mounts.values()) {
            if (m.fsSizeBytes() >= 0) size.add(m.fsSizeBytes(), m.mountPoint());
            if (m.fsUsedBytes() >= 0) used.add(m.fsUsedBytes(), m.mountPoint());
        }

        PromText.Family segSize = p.gauge(P + "shm_segment_size_bytes", "Size of a SysV shared memory segment.", "key", "shmid");
        PromText.Family segRss = p.gauge(P + "shm_segment_rss_bytes", "Resident memory of a SysV segment.", "key", "shmid");
        PromText.Family segSwap = p.gauge(P + "shm_segment_swap_bytes", "Swap of a SysV segment.", "key", "shmid");
        PromText.Family segPages = p.gauge(P + "shm_segment_resident_pages", "Resident pages of a SysV segment by page size.",
                "key", "shmid", "page_size");
        PromText.Family segAttached = p.gauge(P + "shm_segment_attached_processes", "Processes attaching a SysV segment (nattch).", "key", "shmid");
        PromText.Family segSid = p.gauge(P + "shm_segment_instance_info", "An Oracle instance whose pmon attaches the segment.", "key", "shmid", "sid");
        for (SegmentPages sp : shm) {
            String key = Integer.toString(sp.shm().key()), id = Long.toString(sp.shm().shmid());
            segSize.add(sp.shm().sizeBytes(), key, id);
            segRss.add(sp.rssBytes(), key, id);
            segSwap.add(sp.shm().swapBytes(), key, id);
            if (sp.pages4k() >= 0) segPages.add(sp.pages4k(), key, id, "4096");
            if (sp.pages2M() >= 0) segPages.add(sp.pages2M(), key, id, "2097152");
            segAttached.add(sp.shm().nattch(), key, id);
            for (String sid : List.copyOf(new java.util.LinkedHashSet<>(sidsByShmid.getOrDefault(sp.shm().shmid(), List.of())))) {
                segSid.add(1, key, id, sid);
            }
        }

        p.gauge(P + "hugepages_pool_pages", "Huge pages of the default size in the pool (HugePages_Total).").add(mi.hugePagesTotal());
        p.gauge(P + "hugepages_free_pages", "Huge pages of the pool not in use (HugePages_Free).").add(mi.hugePagesFree());
        p.gauge(P + "hugepages_reserved_pages", "Free huge pages promised to a mapping (HugePages_Rsvd).").add(mi.hugePagesRsvd());
        p.gauge(P + "hugepages_in_use_pages", "Huge pages in use (total - free).").add(mi.hugePagesInUse());
        p.gauge(P + "hugepages_page_size_bytes", "The default huge page size (Hugepagesize).").add(mi.hugepageSizeBytes());

        // one series per sid: a second instance of one name (another container) is left to the JSON
        Map<String, InstanceFigures> bySid = new LinkedHashMap<>();
        for (InstanceFigures f : instances) bySid.putIfAbsent(f.instance().sid(), f);
        PromText.Family sga = p.gauge(P + "oracle_sga_bytes", "SGA of an Oracle instance.", "sid");
        PromText.Family pga = p.gauge(P + "oracle_pga_bytes", "PGA of an Oracle instance.", "sid");
        PromText.Family oraProcs = p.gauge(P + "oracle_processes", "Processes of an Oracle instance.", "sid");
        for (InstanceFigures f : bySid.values()) {
            String sid = f.instance().sid();
            if (f.sgaBytes() >= 0) sga.add(f.sgaBytes(), sid);
            if (f.pgaBytes() >= 0) pga.add(f.pgaBytes(), sid);
            oraProcs.add(f.processes(), sid);
        }
        if (report.ram() != null) ram(p, report.ram());
        return p.render();
    }

    /** The scan itself: how long, how many processes read, left out, gone, and whether it was cut short. */
    private static void scan(PromText p, GroupScan.ScanCounts c) {
        p.gauge(P + "scan_duration_seconds", "Time the scan of the processes took.").add(c.elapsedMs() / 1000.0);
        p.gauge(P + "scan_processes", "Processes in /proc when the scan began (memstats itself left out).").add(c.processes());
        p.gauge(P + "scan_scanned_processes", "Processes whose pages were read.").add(c.scanned());
        p.gauge(P + "scan_kernel_threads", "Kernel threads (never scanned).").add(c.kernel());
        p.gauge(P + "scan_filtered_out_processes", "Processes the filter left out.").add(c.filteredOut());
        p.gauge(P + "scan_vanished_processes", "Processes that ended while they were read.").add(c.vanished());
        p.gauge(P + "scan_unreadable_processes", "Processes the kernel would not show.").add(c.unreadable());
        p.gauge(P + "scan_partial", "1 when the memory limit stopped the scan early: the groups lack the processes not read.")
                .add(c.partial() ? 1 : 0);

    }

    /** memstats ram: the scan and the whole-RAM account. */
    public static String ram(GroupScan.ScanCounts c, RamAccount.Result ram) {
        PromText p = new PromText();
        scan(p, c);
        ram(p, ram);
        return p.render();
    }

    /** Every RAM frame by class and by whether a scanned process maps it, and meminfo's figure for each class. */
    private static void ram(PromText p, RamAccount.Result ram) {
        long ps = ram.pageSize();
        p.gauge(P + "ram_bytes", "System RAM: the frames of the System RAM ranges of /proc/iomem.").add(ram.ramFrames() * ps);
        p.gauge(P + "ram_account_duration_seconds", "Time reading kpageflags over all RAM took.").add(ram.elapsedNanos() / 1e9);
        PromText.Family frames = p.gauge(P + "ram_class_bytes", "RAM frames by kpageflags class, split by whether a scanned process maps them: the series add up to linuxmem_ram_bytes.", "class", "mapped");
        PromText.Family kernel = p.gauge(P + "ram_class_meminfo_bytes", "What /proc/meminfo's corresponding fields say of the class.", "class", "fields");
        for (RamAccount.Line l : ram.lines()) {
            frames.add(l.mapped() * ps, l.row().key(), "yes");
            frames.add(l.unmapped() * ps, l.row().key(), "no");
            if (l.kernel().known()) kernel.add(l.kernel().bytes(), l.row().key(), l.kernel().fields());
        }
    }

    /** memstats diff: each group column's change (after - before), with the group's status (both, appeared, vanished). */
    public static String diff(List<GroupDiff.Split> splits) {
        PromText p = new PromText();
        List<PromText.Family> families = new java.util.ArrayList<>();
        for (String col : GroupDiff.COLUMNS) {
            String[] m = GROUP.get(col);
            String name = m[0].endsWith("_bytes") ? m[0].substring(0, m[0].length() - 6) + "_change_bytes" : m[0] + "_change";
            families.add(p.gauge(name.replace(P + "group_", P + "diff_group_"), "Change from A to B of: " + m[1], "split", "group", "status"));
        }
        for (GroupDiff.Split s : splits) {
            for (GroupDiff.Row row : s.rows()) {
                for (int c = 0; c < families.size(); c++) families.get(c).add(row.change(c), s.name(), row.name(), row.status().label);
            }
        }
        return p.render();
    }
}
