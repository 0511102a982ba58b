///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java
//JAVA_OPTIONS -XX:+UseSerialGC -Xmn24m -Xshare:auto

import lib.cli.Cli;
import lib.cli.Cli.Failure;
import lib.cli.Options;
import lib.cli.Cli.UsageError;
import lib.snapshot.ArchiveFile;
import lib.snapshot.SnapshotWriter;
import lib.snapshot.TarWriter;
import lib.text.Bytes;
import lib.text.Progress;
import lib.text.Units;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

@Command(name = "snap",
        description = {"Capture a box's memory state (/proc: processes, pagemaps, kpageflags, kpagecount) into one "
                + "DIR.tar.gz, streamed with no temporary copy, to analyse anywhere: memstats --procfs-root DIR.tar.gz. "
                + "Needs root."},
        footer = {"Examples:", "  snap test", "  snap run /var/tmp/snap-$(hostname)",
                "  memstats --procfs-root /var/tmp/snap-$(hostname).tar.gz groups -u"},
        subcommands = {snap.Run.class, snap.Test.class})
public class snap implements Callable<Integer> {
    static final String VERSION = "snap 0.1";

    @Option(names = "--skip-processes", scope = ScopeType.INHERIT, description = "Capture only the kernel-wide files (kpageflags, meminfo...).%nExample: --skip-processes")
    boolean skipProcesses;

    @Option(names = "--skip-shm-pagemap", scope = ScopeType.INHERIT,
            description = "Leave the SysV shared memory ranges out of the pagemaps (much smaller with a large SGA)."
                    + "%nExample: --skip-shm-pagemap")
    boolean skipShmPagemap;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Log every process captured.%nExample: -v")
    boolean verbose;

    @Option(names = "--gzip-level", scope = ScopeType.INHERIT, hidden = true, defaultValue = "1",
            description = "gzip compression level (1 fast ... 9 small).")
    int gzipLevel;

    @Option(names = "--keep-mib", scope = ScopeType.INHERIT, hidden = true, defaultValue = "8",
            description = "Data of a sparse file kept from its first read up to this size; beyond it the data is read twice.")
    long keepMiB;

    @Option(names = "--env-keep", scope = ScopeType.INHERIT, split = ",", paramLabel = "VAR",
            description = "Keep only these environment variables' values: every other variable keeps its name, its value "
                    + "dropped (PASSWORD=), so the archive still splits by VAR.%nExample: --env-keep ORACLE_SID,ORACLE_HOME")
    List<String> envKeep;

    @Mixin Options.Common common;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new snap()), "snap");
    }

    @Override
    public Integer call() {
        return common.usage();
    }

    /** The capture's options; lines it says go above the progress line when there is one. */
    SnapshotWriter.Options options(Progress progress) {
        PrintWriter err = common.err();
        Set<String> keep = null;
        if (envKeep != null) {
            keep = new TreeSet<>();
            for (String v : envKeep) {
                if (v.isEmpty() || v.indexOf('=') >= 0 || v.indexOf('\0') >= 0) {
                    throw new UsageError("--env-keep takes variable names separated by commas, not '" + v + "'");
                }
                keep.add(v);
            }
        }
        return new SnapshotWriter.Options(skipProcesses, skipShmPagemap, (int) ProcessHandle.current().pid(),
                keepMiB << 20, keep, line -> {
            if (verbose || !line.startsWith("process ")) progress.println(line, err);
        }, progress);
    }

    /** Reads /proc into tar, with a progress line saying what it does. */
    SnapshotWriter.Stats capture(TarWriter tar, Path archive, String doing) throws IOException {
        try (Progress progress = Cli.progress(common.commandLine(), doing, 0, "processes")) {
            return new SnapshotWriter(Path.of("/proc"), tar, ArchiveFile.topName(archive), VERSION, options(progress)).write();
        }
    }

    /** The archive of DIR, once we know we run as root. */
    Path archiveAsRoot(String dir) throws IOException {
        if (!Options.isRoot()) {
            throw new Failure("needs root: pagemap shows no page frames and kpageflags is unreadable to other users");
        }
        return archiveOf(dir);
    }

    /** DIR given by the user: its archive DIR.tar.gz ("x.tar.gz" given as DIR means the same). */
    static Path archiveOf(String dir) {
        Path p = Path.of(dir).toAbsolutePath().normalize();
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (name.endsWith(".tar.gz")) name = name.substring(0, name.length() - 7);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) throw new Failure("DIR must name the snapshot, e.g. snap-" + "host");
        return p.resolveSibling(name + ".tar.gz");
    }

    /** snap's last line: what the archive holds and who may read it. */
    static String holds(Path archive, SnapshotWriter.Options opt) {
        String what = opt.skipProcesses() ? "the kernel-wide files only (no process)"
                : (opt.envKeep() == null ? "every process's command line and environment (passwords, keys)"
                : "every process's command line and environment variable names, values only of " + String.join(",", opt.envKeep()))
                + ", open file names and memory maps";
        return archive.getFileName() + " holds " + what + ": mode 0600, readable by root only; copy it only where that is acceptable";
    }

    @Command(name = "run", description = "Write DIR.tar.gz (refuses to overwrite it, or to start without room for it).")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        snap top;

        @Parameters(paramLabel = "DIR", description = "Snapshot name: writes DIR.tar.gz.%nExample: /var/tmp/snap-$(hostname)")
        String dir;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = top.common.out();
            Path archive = top.archiveAsRoot(dir);
            Path parent = archive.getParent();
            if (Files.exists(archive)) throw new Failure(archive + " exists: refusing to overwrite it");
            if (!Files.isDirectory(parent)) throw new Failure("no such directory: " + parent);
            if (!Files.isWritable(parent)) throw new Failure("cannot write in " + parent);
            SnapshotWriter.Options opt = top.options(Progress.OFF);
            ArchiveFile.removeStaleParts(parent, line -> {
                top.common.err().println("snap: " + line);
                top.common.err().flush();
            });
            SnapshotWriter.Estimate est = SnapshotWriter.estimate(Path.of("/proc"), opt);
            long free = Files.getFileStore(parent).getUsableSpace();
            if (est.archiveBytes() > free) {
                throw new Failure("not enough space in " + parent + ": the archive may need about " + Bytes.AUTO.format(est.archiveBytes())
                        + ", " + Bytes.AUTO.format(free) + " free (snap test tells the exact size)");
            }
            SnapshotWriter.Stats stats = ArchiveFile.write(archive, top.gzipLevel, tar -> top.capture(tar, archive, "Capturing"));
            long size = Files.size(archive);
            out.printf("%s: %s, %d processes (%d vanished, %d partly unreadable), %s read from /proc in %s%n",
                    archive, Bytes.AUTO.format(size), stats.processes(), stats.vanished(), stats.unreadable(),
                    Bytes.AUTO.format(stats.bytesRead()), Units.duration(stats.totalMs() * 1_000_000L));
            out.println(holds(archive, opt));
            out.flush();
            return 0;
        }
    }

    @Command(name = "test", description = "Dry run: read everything a run would, print statistics, write nothing.")
    static final class Test implements Callable<Integer> {
        @ParentCommand
        snap top;

        @Parameters(paramLabel = "DIR", arity = "0..1", defaultValue = "snapshot",
                description = "Where the archive would go (default: ./snapshot.tar.gz), for the free space.%nExample: /var/tmp/snap")
        String dir;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = top.common.out();
            Path archive = top.archiveAsRoot(dir);
            SnapshotWriter.Options opt = top.options(Progress.OFF);
            SnapshotWriter.Estimate est = SnapshotWriter.estimate(Path.of("/proc"), opt);
            ArchiveFile.Counted<SnapshotWriter.Stats> written = ArchiveFile.count(top.gzipLevel, tar -> top.capture(tar, archive, "Reading"));
            SnapshotWriter.Stats stats = written.result();
            long free = Files.isDirectory(archive.getParent()) ? Files.getFileStore(archive.getParent()).getUsableSpace() : -1;
            out.printf("processes:           %d captured, %d vanished, %d partly unreadable%n", stats.processes(),
                    stats.vanished(), stats.unreadable());
            out.printf("read from /proc:     %s in %s (kernel files %s, processes %s)%n", Bytes.AUTO.format(stats.bytesRead()),
                    Units.duration(stats.totalMs() * 1_000_000L), Units.duration(stats.kernelMs() * 1_000_000L),
                    Units.duration(stats.processesMs() * 1_000_000L));
            out.printf("tar stream:          %s%n", Bytes.AUTO.format(stats.tarBytes()));
            out.printf("archive size:        %s (compressed now; a run checks against %s)%n", Bytes.AUTO.format(written.bytes()), Bytes.AUTO.format(est.archiveBytes()));
            out.printf("archive would be:    %s%s%n", archive, Files.exists(archive) ? " (exists: run would refuse)" : "");
            out.printf("free space there:    %s%s%n", free < 0 ? "unknown (no such directory)" : Bytes.AUTO.format(free),
                    free >= 0 && est.archiveBytes() > free ? " (not enough: run would refuse)" : "");
            out.flush();
            return 0;
        }
    }
}
