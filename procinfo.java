///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java

import lib.cli.Cli;
import lib.cli.Options;
import lib.pages.MappingPages;
import lib.pages.PageLines;
import lib.proc.Maps;
import lib.proc.PageSize;
import lib.proc.ProcFs;
import lib.proc.ProcessInfo;
import lib.text.Json;
import lib.text.Columns;
import lib.cli.TableOptions;
import lib.text.Bytes;
import lib.text.TextTable;
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
import java.util.function.ToLongFunction;

@Command(name = "procinfo",
        description = {"One process in detail: for each mapping of each PID, every resident page (physical frame with "
                + "its pagemap and kpageflags flags) or swapped page (swap type and offset), then per mapping "
                + "VSZ/RSS/SWAP and a total. --summary gives one line per mapping with page counts by class instead. "
                + "RSS counts the resident pages but the zero page, as the kernel's Rss does, plus hugetlb pages (which smaps shows apart, as *_Hugetlb). "
                + "Needs root on a live system.", ""},
        footer = {"Examples:", "  procinfo --summary $$", "  procinfo -s --sort rss --columns start,rss,anon,pathname 1",
                "  procinfo -m '[heap]' $$ | head"})
public class procinfo implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PID", description = "Processes to show.%nExample: 1")
    List<Integer> pids;

    @Option(names = {"-s", "--summary"},
            description = "Per mapping one line: VSZ, RSS, swap and pages by class (anon, file, shared, THP, hugetlb, dirty, "
                    + "swap cache, KSM, zero page), then totals. --format tsv implies it.%nExample: -s")
    boolean summary;

    @Mixin Options.Output output;

    @Option(names = {"-m", "--mapping"}, paramLabel = "ADDR|NAME",
            description = "Only the mappings containing address ADDR (0x...) or whose path contains NAME (repeatable)."
                    + "%nExample: -m libc")
    List<String> mappingFilters = new ArrayList<>();

    @Mixin Options.Procfs procfs;
    @Mixin Options.Common common;
    @Mixin TableOptions table;

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
        PrintWriter out = common.out();
        PrintWriter err = common.err();
        boolean json = output.json(), tsv = output.format == Options.Format.tsv;
        table.check(summaryColumns(4096).textColumns());
        TextTable.Render how = table.render(tsv, Cli.outWidth(common.commandLine()));
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
                PageLines lines = summary || json || tsv ? null : new PageLines(out, reader.hasFlags());
                for (int pid : pids) {
                    try {
                        Shown s = show(proc, reader, pid, addresses, names, lines);
                        if (lines != null) {
                            lines.line("total: " + stats(s.total(), pageSize));
                        } else if (json) {
                            shown.add(s);
                        } else {
                            printSummary(out, s, pageSize, how);
                        }
                        if (!proc.exists(pid)) { // a snapshot keeps every pid it shows
                            failures.add(new PidError(pid, "pid " + pid + " vanished while being read: its figures are incomplete"));
                        }
                    } catch (PidException e) {
                        failures.add(new PidError(pid, e.getMessage()));
                    } catch (PageLines.OutputClosed e) {
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
        return "VSZ=" + c.vszBytes() / 1024 + " KiB, RSS=" + c.rssPages() * k + " KiB, SWAP=" + c.swapPages() * k + " KiB";
    }


    /** A row of the summary: a mapping, or the total (mapping null). */
    record Row(Maps.Mapping mapping, MappingPages.PageCounts counts) {
    }

    /**
     * Sizes and class counts: sizes in the units asked for in text, bytes in JSON; an unknown class "-" in text, null
     * in JSON. Every column adds up over a process's mappings (disjoint ranges of its address space): the total row.
     */
    static Columns<MappingPages.PageCounts> countColumns(long pageSize) {
        Columns<MappingPages.PageCounts> c = new Columns<MappingPages.PageCounts>()
                .bytes("vsz", "vsz_bytes", MappingPages.PageCounts::vszBytes).sums()
                .bytes("rss", "rss_bytes", n -> n.rssPages() * pageSize).sums()
                .bytes("swap", "swap_bytes", n -> n.swapPages() * pageSize).sums();
        String[] names = {"anon", "file", "shared", "thp", "hugetlb", "dirty", "swapcache", "ksm", "zero"};
        List<ToLongFunction<MappingPages.PageCounts>> pages = List.of(MappingPages.PageCounts::anonPages,
                MappingPages.PageCounts::filePages, MappingPages.PageCounts::sharedPages, MappingPages.PageCounts::thpPages,
                MappingPages.PageCounts::hugetlbPages, MappingPages.PageCounts::dirtyPages,
                MappingPages.PageCounts::swapCachePages, MappingPages.PageCounts::ksmPages, MappingPages.PageCounts::zeroPages);
        for (int i = 0; i < names.length; i++) c.countOrUnknown(names[i], names[i] + "_pages", pages.get(i)).sums();
        return c.jsonOnly("no_flags_pages", MappingPages.PageCounts::noFlagsPages);
    }

    /** One line per mapping: the text summary (a totals row under it) and each JSON mapping. */
    static Columns<Row> summaryColumns(long pageSize) {
        return new Columns<Row>()
                .textOnly("start", r -> Long.toHexString(r.mapping().start())).whole()
                .jsonOnly("start", r -> "0x" + Long.toHexString(r.mapping().start()))
                .jsonOnly("end", r -> "0x" + Long.toHexString(r.mapping().end()))
                .add("perms", "perms", r -> r.mapping().perms(), r -> r.mapping().perms()).whole()
                .jsonOnly("inode", r -> r.mapping().inode())
                .jsonOnly("pathname", r -> r.mapping().pathname())
                .include(countColumns(pageSize), Row::counts)
                .textOnly("pathname", r -> r.mapping().pathname());
    }

    /** The summary table (sizes in --units, the mapping's start; its size is vsz), then its totals row. */
    private void printSummary(PrintWriter out, Shown s, long pageSize, TextTable.Render how) {
        boolean tsv = how.style() == TextTable.Style.TSV;
        if (!tsv) {
            out.println("pid " + s.pid() + " (" + Text.visible(s.comm()) + "): " + s.mappings().size()
                    + " mappings; anon..zero are counts of " + Bytes.AUTO.format(pageSize) + " pages");
        }
        List<Row> rows = new ArrayList<>();
        for (MappingPages mp : s.mappings()) rows.add(new Row(mp.mapping(), mp.counts()));
        out.print(table.apply(summaryColumns(pageSize).table(rows)).render(how));
        if (tsv) return;
        if (s.total().noFlagsPages() > 0) {
            out.println(s.total().noFlagsPages() + " resident pages have no kpageflags data (a hole in the snapshot): in no class");
        }
        out.println();
    }

    private static Map<String, Object> toJson(List<Shown> shown, List<PidError> failures, long pageSize) {
        List<Object> processes = new ArrayList<>();
        for (Shown s : shown) {
            List<Object> mappings = summaryColumns(pageSize).json(s.mappings().stream().map(mp -> new Row(mp.mapping(), mp.counts())).toList());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pid", s.pid());
            p.put("comm", s.comm());
            p.put("mappings", mappings);
            p.put("total", countColumns(pageSize).json(s.total()));
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
}
