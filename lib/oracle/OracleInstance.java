package lib.oracle;

import lib.proc.Maps;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.Status;
import lib.proc.SysvShm;
import lib.proc.TmpfsFiles;
import it.unimi.dsi.fastutil.longs.LongLinkedOpenHashSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Oracle instance as the OS shows it: a process whose whole cmdline is the one word
 * ora_pmon_SID (database) or asm_pmon_SID (ASM). Owner credentials come from its status (uid and
 * gid are the real ones), ORACLE_SID and ORACLE_HOME from its environ (home is null when the environ
 * does not say, or is unreadable). distrust says why sqlplus must not run as this owner (null when it may).
 */
public record OracleInstance(String sid, int pid, int uid, int gid, List<Integer> groups, String oracleSid,
                             String home, Map<String, String> environ, boolean asm, String distrust) {

    // SID characters: letters, digits, _ $ # and + (ASM), - (-MGMTDB)
    private static final Pattern PMON = Pattern.compile("(ora|asm)_pmon_([A-Za-z0-9_$#+-]+)");
    // background processes: ora_dbw0_SID, asm_rbal_+ASM1
    private static final Pattern BACKGROUND = Pattern.compile("(ora|asm)_[A-Za-z0-9]+_([A-Za-z0-9_$#+-]+)");

    /** OS authentication role: sysasm for ASM, sysdba for a database. */
    public String role() {
        return asm ? "sysasm" : "sysdba";
    }

    /** The SID of a pmon cmdline, or null when the process is no pmon. */
    public static String pmonSid(List<String> cmdline) {
        if (cmdline.size() != 1) return null;
        Matcher m = PMON.matcher(cmdline.get(0));
        return m.matches() ? m.group(2) : null;
    }

    /** Every instance among these processes (a live /proc or a snapshot), ordered by sid then pid. */
    public static List<OracleInstance> discover(ProcFs proc, List<ProcessInfo> processes) throws IOException {
        List<OracleInstance> found = new ArrayList<>();
        for (ProcessInfo p : processes) {
            String sid = pmonSid(p.cmdline());
            if (sid == null) continue;
            Status st;
            List<Integer> groups = new ArrayList<>();
            String distrust;
            try {
                st = Status.parse(proc.readString(p.pid(), "status"));
                for (String g : st.fields().getOrDefault("Groups", "").trim().split("\\s+")) {
                    if (!g.isEmpty()) groups.add(Integer.parseInt(g));
                }
                distrust = distrust(st);
            } catch (IOException | NumberFormatException e) {
                continue; // pmon gone since the process list was read, or a status no kernel writes
            }
            String oracleSid = p.environ().getOrDefault("ORACLE_SID", sid);
            found.add(new OracleInstance(sid, p.pid(), st.realUid(), st.gids()[0], List.copyOf(groups),
                    oracleSid, p.environ().get("ORACLE_HOME"), p.environ(), p.cmdline().get(0).startsWith("asm_"), distrust));
        }
        // two pmons with one SID (two homes) are two instances
        found.sort(Comparator.comparing(OracleInstance::sid).thenComparingInt(OracleInstance::pid));
        return List.copyOf(found);
    }

    /**
     * Why pmon's credentials name no single owner to run sqlplus as, or null: a setuid or setgid
     * program (any user can start one under a pmon name) has real ids that differ from the others.
     */
    public static String distrust(Status st) {
        int[] u = st.uids(), g = st.gids();
        if (u.length != 4 || g.length != 4 || u[0] < 0 || g[0] < 0) return "pmon's credentials are unreadable";
        if (u[1] != u[0] || u[2] != u[0] || u[3] != u[0]) return "pmon's uids differ (" + ids(u) + ")";
        if (g[1] != g[0] || g[2] != g[0] || g[3] != g[0]) return "pmon's gids differ (" + ids(g) + ")";
        if (u[0] == 0) return "pmon runs as root";
        return null;
    }

    private static String ids(int[] v) {
        return "real " + v[0] + ", effective " + v[1] + ", saved " + v[2] + ", fs " + v[3];
    }

    /** Reads every process of the tree (skipping those that vanish) and discovers the instances among them. */
    public static List<OracleInstance> discover(ProcFs proc) throws IOException {
        return discover(proc, readAll(proc));
    }

    public static List<ProcessInfo> readAll(ProcFs proc) throws IOException {
        List<ProcessInfo> all = new ArrayList<>();
        for (int pid : proc.pids()) {
            try {
                ProcessInfo p = ProcessInfo.read(proc, pid);
                if (!p.kernelThread()) all.add(p);
            } catch (IOException e) {
                // ended while we listed, or unreadable (the sandbox's pid 1): not a process we can tell about
            }
        }
        return all;
    }

    /**
     * True when the process belongs to this instance as the OS can tell: ORACLE_SID in its environment,
     * a background-process name (ora_*_SID, asm_*_SID), or a dedicated server's "oracleSID (...)" name.
     */
    public boolean owns(ProcessInfo p) {
        if (oracleSid.equals(p.environ().get("ORACLE_SID"))) return true;
        if (p.cmdline().isEmpty()) return false;
        String first = p.cmdline().get(0);
        Matcher m = BACKGROUND.matcher(first);
        if (p.cmdline().size() == 1 && m.matches() && m.group(2).equals(sid)) return true;
        String server = "oracle" + sid;
        return first.equals(server) || first.startsWith(server + " ");
    }

    public int countProcesses(List<ProcessInfo> processes) {
        int n = 0;
        for (ProcessInfo p : processes) if (owns(p)) n++;
        return n;
    }

    /** Distinct shmids of the SysV segments the pmon process attaches, in map order. */
    public long[] attachedShmids(ProcFs proc) throws IOException {
        LongLinkedOpenHashSet ids = new LongLinkedOpenHashSet();
        for (Maps.Mapping m : proc.maps(pid)) {
            if (m.isSysvShm()) ids.add(m.sysvShmid());
        }
        return ids.toLongArray();
    }

    /**
     * Bytes resident of the tmpfs files pmon maps (AMM's /dev/shm/ora_SID_* files), each file once; 0 when
     * files is null (not recorded) or pmon maps none. A file whose residency the kernel did not give counts 0.
     */
    public long tmpfsResidentBytes(ProcFs proc, TmpfsFiles files) throws IOException {
        if (files == null) return 0;
        java.util.Set<TmpfsFiles.Key> seen = new java.util.HashSet<>();
        long pages = 0;
        for (Maps.Mapping m : proc.maps(pid)) {
            if (m.kind() != Maps.Kind.FILE || m.inode() == 0) continue;
            TmpfsFiles.Key k = TmpfsFiles.Key.of(m);
            if (k == null || !seen.add(k)) continue;
            TmpfsFiles.File f = files.file(k);
            if (f != null && f.residentPages() > 0) pages += f.residentPages();
        }
        return pages * files.pageSize();
    }

    /** Total size of the segments with these shmids, as sysvipc/shm lists them (the SGA as the OS sees it). */
    public static long segmentsBytes(long[] shmids, List<SysvShm.Segment> segments) {
        long total = 0;
        for (long id : shmids) {
            for (SysvShm.Segment s : segments) {
                if (s.shmid() == id) total += s.sizeBytes();
            }
        }
        return total;
    }

    /**
     * A tmpfs file -> the sids of the instances whose processes map it: pmon, or a process the instance
     * owns() running as pmon's user (a name or ORACLE_SID anyone could give their own process is not enough).
     * mappers: the pids mapping each file (TmpfsFiles.mappers).
     */
    public static Map<TmpfsFiles.Key, List<String>> sidsByFile(List<OracleInstance> instances, List<ProcessInfo> processes,
                                                               Map<TmpfsFiles.Key, it.unimi.dsi.fastutil.ints.IntArrayList> mappers) {
        Map<TmpfsFiles.Key, List<String>> out = new LinkedHashMap<>();
        if (instances.isEmpty()) return out;
        Map<Integer, ProcessInfo> byPid = new java.util.HashMap<>();
        for (ProcessInfo p : processes) byPid.put(p.pid(), p);
        for (Map.Entry<TmpfsFiles.Key, it.unimi.dsi.fastutil.ints.IntArrayList> e : mappers.entrySet()) {
            for (OracleInstance i : instances) {
                for (int pid : e.getValue()) {
                    ProcessInfo p = byPid.get(pid);
                    if (pid == i.pid() || (p != null && p.uid() == i.uid() && i.owns(p))) {
                        out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(i.sid());
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** shmid -> the sids of the instances whose pmon attaches it (the shm table's sid column). */
    public static Map<Long, List<String>> sidsBySegment(ProcFs proc, List<OracleInstance> instances) {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        for (OracleInstance i : instances) {
            long[] ids;
            try {
                ids = i.attachedShmids(proc);
            } catch (IOException e) {
                continue; // pmon ended: it attaches nothing any more
            }
            for (long id : ids) out.computeIfAbsent(id, k -> new ArrayList<>()).add(i.sid());
        }
        return out;
    }
}
