///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import lib.cli.Cli;
import lib.cli.Options;
import lib.pages.KPageFlags;
import lib.pages.MappingPages;
import lib.pages.PageMap;
import lib.proc.Maps;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.text.Json;
import lib.text.Table;
import lib.text.Text;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "procinfo", mixinStandardHelpOptions = true, version = "procinfo 0.1",
        description = {"One process in detail: for each mapping of each PID, every resident page (physical frame with "
                + "its pagemap and kpageflags flags) or swapped page (swap type and offset), then per mapping "
                + "VSZ/RSS/SWAP and a total. --summary gives one line per mapping with page counts by class instead. "
                + "RSS counts the resident pages but the zero page, as the kernel's Rss does, plus hugetlb pages (which smaps shows apart, as *_Hugetlb). "
                + "Needs root on a live system.", ""})
public class procinfo implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PID", description = "Processes to show.")
    List<Integer> pids;

    @Option(names = {"-s", "--summary"},
            description = "Per mapping one line: VSZ, RSS, swap and pages by class (anon, file, shared, THP, hugetlb, dirty, swap cache, KSM, zero page), then totals.")
    boolean summary;

    @Mixin Options.Output output;

    @Option(names = {"-m", "--mapping"}, paramLabel = "ADDR|NAME",
            description = "Only the mappings containing address ADDR (0x...) or whose path contains NAME (repeatable).")
    List<String> mappingFilters = new ArrayList<>();

    @Mixin Options.Procfs procfs;
    @Mixin Options.Debug debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        // millions of page lines: one large buffer, written when the command ends (and checked), instead of an autoflushing stream
        cl.setOut(Cli.stdout(false));
        System.exit(cl.execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new procinfo()), "procinfo");
    }

    /** One process that could not be shown, and why (the others are shown: exit 1 at the end). */
    record PidError(int pid, String message) {
    }

    /** What was read of one process. */
    record Shown(int pid, String comm, List<MappingPages> mappings, MappingPages.PageCounts total) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean json = output.json();
        List<Long> addresses = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String f : mappingFilters) {
            if (f.startsWith("0x") || f.startsWith("0X")) {
                try {
                    addresses.add(Long.parseUnsignedLong(f.substring(2), 16));
                } catch (NumberFormatException e) {
                    throw new Cli.UsageError("--mapping " + f + ": not a hexadecimal address");
                }
            } else {
                names.add(f);
            }
        }
        try (ProcFs proc = procfs.open("as another user /proc/PID/pagemap shows no physical frames (PFNs)")) {
            long pageSize = proc.pageSize();
            List<Shown> shown = new ArrayList<>();
            List<PidError> failures = new ArrayList<>();
            try (MappingPages.Reader reader = MappingPages.Reader.open(proc, pageSize)) {
                if (!reader.hasFlags() || !reader.hasCounts()) {
                    String missing = !reader.hasFlags() && !reader.hasCounts() ? "kpageflags and kpagecount"
                            : reader.hasFlags() ? "kpagecount" : "kpageflags";
                    err.println("procinfo: " + proc.description() + " has no " + missing + ": page classes that need it are shown as ?");
                }
                PageLines lines = summary || json ? null : new PageLines(out, reader.hasFlags());
                for (int pid : pids) {
                    try {
                        Shown s = show(proc, reader, pid, addresses, names, lines);
                        if (lines != null) {
                            lines.line("total: " + stats(s.total(), pageSize));
                        } else if (json) {
                            shown.add(s);
                        } else {
                            printSummary(out, s, pageSize);
                        }
                        if (!proc.exists(pid)) { // a snapshot keeps every pid it shows
                            failures.add(new PidError(pid, "pid " + pid + " vanished while being read: its figures are incomplete"));
                        }
                    } catch (PidException e) {
                        failures.add(new PidError(pid, e.getMessage()));
                    } catch (OutputClosed e) {
                        return 1;
                    }
                    for (PidError f : failures) {
                        if (f.pid() == pid) err.println("procinfo: " + Text.visible(f.message()));
                    }
                    err.flush();
                    if (out.checkError()) return 1;
                }
                if (json) out.println(Json.write(toJson(shown, failures, pageSize)));
            }
            out.flush();
            return failures.isEmpty() ? 0 : 1;
        }
    }

    /** stdout was closed by its reader. */
    static final class OutputClosed extends RuntimeException {
    }

    /** A pid that cannot be shown: one line, the others go on. */
    static final class PidException extends Exception {
        PidException(String m) {
            super(m);
        }
    }

    private Shown show(ProcFs proc, MappingPages.Reader reader, int pid, List<Long> addresses, List<String> names,
                       PageLines lines) throws IOException, PidException {
        if (!proc.exists(pid)) throw new PidException("pid " + pid + ": no such process");
        ProcessInfo info;
        List<Maps.Mapping> maps;
        try {
            info = ProcessInfo.read(proc, pid);
            if (info.kernelThread()) throw new PidException("pid " + pid + " is a kernel thread: it has no user memory");
            maps = proc.maps(pid);
        } catch (ProcessInfo.VanishedException | NoSuchFileException e) {
            throw new PidException("pid " + pid + " vanished");
        } catch (AccessDeniedException e) {
            throw new PidException("pid " + pid + ": permission denied reading " + e.getFile());
        }
        List<MappingPages> read = new ArrayList<>();
        MappingPages.PageCounts total = MappingPages.PageCounts.ZERO;
        if (lines != null) lines.line("pid " + pid + " (" + Text.visible(info.comm()) + ")");
        try (ProcFs.PositionalFile pagemap = proc.open(pid, "pagemap")) {
            for (Maps.Mapping m : maps) {
                if (!selected(m, addresses, names)) continue;
                MappingPages mp;
                if (lines != null) {
                    lines.line(header(m));
                    mp = reader.read(pagemap, m, lines::page);
                    lines.line("stats: " + stats(mp.counts(), reader.pageSize()));
                } else {
                    mp = reader.read(pagemap, m, null);
                }
                read.add(mp);
                total = total.plus(mp.counts());
            }
        } catch (NoSuchFileException e) {
            throw new PidException("pid " + pid + " vanished");
        } catch (AccessDeniedException e) {
            throw new PidException("pid " + pid + ": permission denied reading " + e.getFile());
        }
        return new Shown(pid, info.comm(), read, total);
    }

    private static boolean selected(Maps.Mapping m, List<Long> addresses, List<String> names) {
        if (addresses.isEmpty() && names.isEmpty()) return true;
        for (long a : addresses) {
            if (m.contains(a)) return true;
        }
        for (String n : names) {
            if (m.pathname().contains(n)) return true;
        }
        return false;
    }

    static String header(Maps.Mapping m) {
        return String.format("0x%016x-0x%016x %s %d %s", m.start(), m.end(), m.perms(), m.inode(), Text.visible(m.pathname())).stripTrailing();
    }

    static String stats(MappingPages.PageCounts c, long pageSize) {
        long k = pageSize / 1024;
        return "VSZ=" + c.vszBytes() / 1024 + " kiB, RSS=" + c.rssPages() * k + " kiB, SWAP=" + c.swapPages() * k + " kiB";
    }

    /** Writes the per-page lines with a reused builder; flag names are cached (few distinct combinations). */
    static final class PageLines {
        private final PrintWriter out;
        private final boolean hasFlags;
        private final StringBuilder sb = new StringBuilder(256);
        private final String[] pagemapNames = new String[32];
        private final Long2ObjectOpenHashMap<String> flagNames = new Long2ObjectOpenHashMap<>();
        private long pages;

        PageLines(PrintWriter out, boolean hasFlags) {
            this.out = out;
            this.hasFlags = hasFlags;
        }

        void line(String s) {
            out.write(s);
            out.write('\n');
        }

        void page(long vaddr, long entry, long flags, long count) {
            // a reader that went away (| head) ends the dump instead of formatting millions of lines for nothing
            if ((++pages & 0x3fff) == 0 && out.checkError()) throw new OutputClosed();
            sb.setLength(0);
            if (PageMap.present(entry)) {
                sb.append("PFN=0x");
                hex(sb, PageMap.pfn(entry), 10);
                sb.append(' ').append(pagemapNames(entry)).append(" / ");
                if (!hasFlags || !KPageFlags.known(flags)) {
                    sb.append('?');
                } else {
                    String n = flagNames.get(flags);
                    if (n == null) {
                        n = KPageFlags.names(flags);
                        flagNames.put(flags, n);
                    }
                    sb.append(n);
                }
            } else {
                sb.append("SWAP=").append(PageMap.swapType(entry)).append(": 0x");
                hex(sb, PageMap.swapOffset(entry), 1);
            }
            sb.append('\n');
            out.append(sb);
        }

        private String pagemapNames(long entry) {
            int key = (int) (entry >>> 59 & 0x1c) | (PageMap.exclusive(entry) ? 2 : 0) | (PageMap.softDirty(entry) ? 1 : 0);
            String s = pagemapNames[key];
            if (s == null) {
                s = PageMap.flagNames(entry);
                pagemapNames[key] = s;
            }
            return s;
        }

        private static void hex(StringBuilder sb, long v, int minDigits) {
            String h = Long.toHexString(v);
            for (int i = h.length(); i < minDigits; i++) sb.append('0');
            sb.append(h);
        }
    }

    private static final String[] COLUMNS = {"address", "perms", "vsz_kiB", "rss_kiB", "swap_kiB", "anon", "file", "shared",
            "thp", "hugetlb", "dirty", "swapcache", "ksm", "zero", "pathname"};

    private static void printSummary(PrintWriter out, Shown s, long pageSize) {
        out.println("pid " + s.pid() + " (" + Text.visible(s.comm()) + "): " + s.mappings().size()
                + " mappings; anon..zero are counts of " + pageSize / 1024 + " kiB pages");
        Table t = new Table(COLUMNS);
        for (MappingPages mp : s.mappings()) {
            Maps.Mapping m = mp.mapping();
            t.row(summaryRow(Long.toHexString(m.start()) + "-" + Long.toHexString(m.end()), m.perms(), mp.counts(), pageSize,
                    m.pathname()));
        }
        t.row(summaryRow("total", "", s.total(), pageSize, ""));
        out.println(t.render());
        if (s.total().noFlagsPages() > 0) {
            out.println(s.total().noFlagsPages() + " resident pages have no kpageflags data (a hole in the snapshot): in no class");
        }
        out.println();
    }

    private static List<String> summaryRow(String address, String perms, MappingPages.PageCounts c, long pageSize, String path) {
        long k = pageSize / 1024;
        List<String> r = new ArrayList<>(List.of(address, perms, Long.toString(c.vszBytes() / 1024),
                Long.toString(c.rssPages() * k), Long.toString(c.swapPages() * k)));
        for (long n : new long[]{c.anonPages(), c.filePages(), c.sharedPages(), c.thpPages(), c.hugetlbPages(),
                c.dirtyPages(), c.swapCachePages(), c.ksmPages(), c.zeroPages()}) {
            r.add(n < 0 ? "?" : Long.toString(n));
        }
        r.add(path);
        return r;
    }

    private static Map<String, Object> toJson(List<Shown> shown, List<PidError> failures, long pageSize) {
        List<Object> processes = new ArrayList<>();
        for (Shown s : shown) {
            List<Object> mappings = new ArrayList<>();
            for (MappingPages mp : s.mappings()) {
                Maps.Mapping m = mp.mapping();
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("start", "0x" + Long.toHexString(m.start()));
                o.put("end", "0x" + Long.toHexString(m.end()));
                o.put("perms", m.perms());
                o.put("inode", m.inode());
                o.put("pathname", m.pathname());
                o.putAll(countsJson(mp.counts(), pageSize));
                mappings.add(o);
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pid", s.pid());
            p.put("comm", s.comm());
            p.put("mappings", mappings);
            p.put("total", countsJson(s.total(), pageSize));
            processes.add(p);
        }
        List<Object> errors = new ArrayList<>();
        for (PidError f : failures) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("pid", f.pid());
            e.put("error", f.message());
            errors.add(e);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("page_size", pageSize);
        doc.put("processes", processes);
        doc.put("errors", errors);
        return doc;
    }

    private static Map<String, Object> countsJson(MappingPages.PageCounts c, long pageSize) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("vsz_bytes", c.vszBytes());
        o.put("rss_bytes", c.rssPages() * pageSize);
        o.put("swap_bytes", c.swapPages() * pageSize);
        o.put("anon_pages", orNull(c.anonPages()));
        o.put("file_pages", orNull(c.filePages()));
        o.put("shared_pages", orNull(c.sharedPages()));
        o.put("thp_pages", orNull(c.thpPages()));
        o.put("hugetlb_pages", orNull(c.hugetlbPages()));
        o.put("dirty_pages", orNull(c.dirtyPages()));
        o.put("swapcache_pages", orNull(c.swapCachePages()));
        o.put("ksm_pages", orNull(c.ksmPages()));
        o.put("zero_pages", orNull(c.zeroPages()));
        o.put("no_flags_pages", c.noFlagsPages());
        return o;
    }

    private static Long orNull(long n) {
        return n < 0 ? null : n;
    }
}
