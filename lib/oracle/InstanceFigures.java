package lib.oracle;

import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.proc.SysvShm;
import lib.proc.TmpfsFiles;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The figures of one instance: from the instance itself (source "db": SGA = Variable Size + Database
 * Buffers of v$sga, processes and PGA from v$process, use_large_pages from v$parameter) or, when the
 * query fails or is not wanted, what the OS tells (source "os": SGA = the SysV segments pmon attaches and
 * the resident pages of the tmpfs files it maps,
 * processes = those owns() recognises, PGA and large_pages unknown). Sizes in bytes, -1 when unknown.
 */
public record InstanceFigures(OracleInstance instance, long sgaBytes, long pgaBytes, int processes, String largePages,
                              Map<String, Long> sgaRows, String source) {

    /** The queries behind the figures, by section name (in script order). */
    public static final Map<String, String> QUERIES = queries();

    private static Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("sga", "select name || '" + Sqlplus.COLSEP + "' || to_char(value) from v$sga");
        q.put("process", "select to_char(count(1)) || '" + Sqlplus.COLSEP + "' || to_char(sum(pga_alloc_mem)) from v$process");
        q.put("large_pages", "select value from v$parameter where name = 'use_large_pages'");
        return java.util.Collections.unmodifiableMap(q);
    }

    /** The JSON object of the instance (sizes in bytes, null when unknown; sga_rows only from the db). */
    public Map<String, Object> json(String user) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sid", instance.sid());
        m.put("pid", instance.pid());
        m.put("uid", instance.uid());
        m.put("user", user);
        m.put("home", instance.home());
        m.put("asm", instance.asm());
        m.put("sga", sgaBytes < 0 ? null : sgaBytes);
        m.put("pga", pgaBytes < 0 ? null : pgaBytes);
        m.put("processes", processes);
        m.put("large_pages", largePages);
        m.put("source", source);
        m.put("sga_rows", sgaRows);
        return m;
    }

    /** The figures the OS can tell, without asking the instance (the tmpfs files read from proc). */
    public static InstanceFigures fromOs(ProcFs proc, OracleInstance i, List<ProcessInfo> processes,
                                         List<SysvShm.Segment> segments) {
        return fromOs(proc, i, processes, segments, tmpfsFiles(proc));
    }

    /**
     * The figures the OS can tell: SGA = the size of the SysV segments pmon attaches plus what is resident
     * of the tmpfs files it maps (AMM keeps the SGA in /dev/shm/ora_SID_* files, sized for
     * MEMORY_MAX_TARGET and filled as granules are used: their size would overstate it). files null: not
     * known (a snapshot from before snap recorded them), SysV only.
     */
    public static InstanceFigures fromOs(ProcFs proc, OracleInstance i, List<ProcessInfo> processes,
                                         List<SysvShm.Segment> segments, TmpfsFiles files) {
        long sga;
        try {
            sga = OracleInstance.segmentsBytes(i.attachedShmids(proc), segments) + i.tmpfsResidentBytes(proc, files);
        } catch (IOException e) {
            sga = -1; // pmon ended or its maps are unreadable
        }
        return new InstanceFigures(i, sga, -1, i.countProcesses(processes), null, Map.of(), "os");
    }

    /** The tmpfs files of proc; null when they cannot be read (then the OS SGA counts SysV segments only). */
    static TmpfsFiles tmpfsFiles(ProcFs proc) {
        try {
            return proc.tmpfsFiles();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Figures from the sections of QUERIES; a failed query raises Sqlplus.Failure with its error. */
    public static InstanceFigures fromDb(OracleInstance i, Map<String, Sqlplus.Section> s) throws Sqlplus.Failure {
        Map<String, Long> sgaRows = new LinkedHashMap<>();
        for (List<String> row : rows(s, "sga")) {
            if (row.size() == 2 && !row.get(1).isEmpty()) sgaRows.put(row.get(0), parseLong(row.get(1), "v$sga"));
        }
        if (sgaRows.isEmpty()) throw new Sqlplus.Failure("v$sga returned no rows");
        long sga = sgaRows.getOrDefault("Variable Size", 0L) + sgaRows.getOrDefault("Database Buffers", 0L);
        List<List<String>> proc = rows(s, "process");
        if (proc.size() != 1 || proc.get(0).size() != 2) throw new Sqlplus.Failure("unexpected v$process answer: " + proc);
        int processes = (int) parseLong(proc.get(0).get(0), "v$process");
        long pga = proc.get(0).get(1).isEmpty() ? 0 : parseLong(proc.get(0).get(1), "v$process");
        List<List<String>> lp = rows(s, "large_pages");
        String largePages = lp.isEmpty() || lp.get(0).isEmpty() ? null : lp.get(0).get(0);
        return new InstanceFigures(i, sga, pga, processes, largePages, sgaRows, "db");
    }

    private static List<List<String>> rows(Map<String, Sqlplus.Section> s, String name) throws Sqlplus.Failure {
        Sqlplus.Section sec = s.get(name);
        if (sec == null) throw new Sqlplus.Failure("no answer to the " + name + " query");
        if (!sec.ok()) throw new Sqlplus.Failure(sec.error());
        return sec.rows();
    }

    private static long parseLong(String v, String what) throws Sqlplus.Failure {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Sqlplus.Failure("unexpected number from " + what + ": " + v);
        }
    }

    /** What was learnt of one instance: its figures, the sections of the extra queries, the warning when the db failed. */
    public record Answer(InstanceFigures figures, Map<String, Sqlplus.Section> extra, String warning) {
    }

    /** The figures only, the tmpfs files already read (proc.tmpfsFiles(); null when not recorded). */
    public static List<InstanceFigures> collect(ProcFs proc, List<OracleInstance> instances, List<ProcessInfo> processes,
                                                List<SysvShm.Segment> segments, boolean askDb, Duration timeout,
                                                Consumer<String> warn, TmpfsFiles files) {
        List<InstanceFigures> out = new ArrayList<>();
        for (Answer a : collect(proc, instances, processes, segments, askDb, Map.of(), timeout, warn, () -> files)) out.add(a.figures());
        return out;
    }

    /**
     * Figures of every instance, asked in parallel (each within timeout, in one sqlplus session with the
     * extra queries) when askDb and the instances run here (a live /proc), else from the OS. An instance whose query fails gets its OS figures and
     * one warning line, its extra queries that failure as their error; the others go on.
     */
    public static List<Answer> collect(ProcFs proc, List<OracleInstance> instances, List<ProcessInfo> processes,
                                       List<SysvShm.Segment> segments, boolean askDb, Map<String, String> extra,
                                       Duration timeout, Consumer<String> warn) {
        // walked once, and only when some instance needs its OS figures
        return collect(proc, instances, processes, segments, askDb, extra, timeout, warn, new java.util.function.Supplier<>() {
            private TmpfsFiles f;
            private boolean read;

            @Override
            public synchronized TmpfsFiles get() {
                if (!read) {
                    f = tmpfsFiles(proc);
                    read = true;
                }
                return f;
            }
        });
    }

    private static List<Answer> collect(ProcFs proc, List<OracleInstance> instances, List<ProcessInfo> processes,
                                        List<SysvShm.Segment> segments, boolean askDb, Map<String, String> extra,
                                        Duration timeout, Consumer<String> warn, java.util.function.Supplier<TmpfsFiles> files) {
        List<Answer> out = new ArrayList<>();
        if (instances.isEmpty()) return out;
        if (!askDb || !proc.processesRunHere()) { // a snapshot's instances ran on another machine, or are gone
            for (OracleInstance i : instances) out.add(new Answer(fromOs(proc, i, processes, segments, files.get()), Map.of(), null));
            return out;
        }
        Map<String, String> queries = new LinkedHashMap<>(QUERIES);
        queries.putAll(extra);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, instances.size()), r -> {
            Thread t = new Thread(r, "instance-query");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (OracleInstance i : instances) answers.add(pool.submit(() -> ask(i, queries, extra, timeout)));
            for (int k = 0; k < instances.size(); k++) {
                OracleInstance i = instances.get(k);
                Answer a;
                try {
                    a = answers.get(k).get();
                } catch (Exception e) {
                    a = failed(extra, String.valueOf(e.getCause() != null ? e.getCause() : e));
                }
                if (a.figures() == null) {
                    warn.accept("instance " + i.sid() + " (pid " + i.pid() + "): " + a.warning() + "; showing what the OS tells");
                    a = new Answer(fromOs(proc, i, processes, segments, files.get()), a.extra(), a.warning());
                }
                out.add(a);
            }
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    private static Answer ask(OracleInstance i, Map<String, String> queries, Map<String, String> extra, Duration timeout) {
        Map<String, Sqlplus.Section> s;
        try {
            s = Sqlplus.run(i, queries, timeout);
        } catch (Sqlplus.Failure e) {
            return failed(extra, e.getMessage());
        }
        Map<String, Sqlplus.Section> mine = new LinkedHashMap<>();
        for (String k : extra.keySet()) mine.put(k, s.get(k));
        try {
            return new Answer(fromDb(i, s), mine, null);
        } catch (Sqlplus.Failure e) {
            return new Answer(null, mine, e.getMessage());
        }
    }

    private static Answer failed(Map<String, String> extra, String why) {
        Map<String, Sqlplus.Section> none = new LinkedHashMap<>();
        for (String k : extra.keySet()) none.put(k, new Sqlplus.Section(List.of(), why));
        return new Answer(null, none, why);
    }
}
