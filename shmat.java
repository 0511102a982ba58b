///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES lib/**/*.java

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import lib.cli.Cli;
import lib.cli.Options;
import lib.proc.Libc;
import lib.proc.SysvShm;
import lib.text.TextTable;
import lib.text.Bytes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "shmat",
        description = {"Attach SysV shared memory segments (all, or the SHMIDs given) to this process, print key, shmid, "
                + "size and address of each, hold them for --wait seconds or until Ctrl-C, then detach. Read-only by default; "
                + "the memory is never touched, so attaching faults no page in.",
                "",
                "What for: to make segments visible in a process (procinfo <pid of shmat> shows their pages), and to see "
                + "what memstats says about a segment with one more attacher. Needs root (or the segment's permissions) "
                + "for segments of other users.", ""},
        footer = {"Examples:", "  shmat -w 600", "  shmat --read-write 32768"})
public class shmat implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "SHMID", description = "Segments to attach (default: every segment in /proc/sysvipc/shm).%nExample: 32768")
    List<Integer> shmids = new ArrayList<>();

    @Option(names = {"-w", "--wait"}, paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to stay attached (default: ${DEFAULT-VALUE}); Ctrl-C detaches earlier.%nExample: -w 600")
    long waitSeconds;

    @Option(names = "--read-write", description = "Attach read-write instead of read-only (SHM_RDONLY). The memory is still not touched.%nExample: --read-write")
    boolean readWrite;

    @Mixin Options.Common common;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by the tests). */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new shmat()), "shmat");
    }

    /** One attached segment: where it is in this process. */
    record Attachment(long shmid, Pointer address) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = common.out();
        PrintWriter err = common.err();
        if (waitSeconds < 0) throw new Cli.UsageError("--wait must be 0 or more seconds");
        Map<Long, SysvShm.Segment> known = new LinkedHashMap<>();
        for (SysvShm.Segment s : SysvShm.parse(Files.readString(Path.of("/proc/sysvipc/shm")))) known.put(s.shmid(), s);
        List<Long> wanted = new ArrayList<>();
        if (shmids.isEmpty()) wanted.addAll(known.keySet());
        else shmids.forEach(id -> wanted.add((long) id));
        if (wanted.isEmpty()) {
            err.println("shmat: no SysV shared memory segments on this system");
            return 0;
        }
        int flags = readWrite ? 0 : Libc.SHM_RDONLY;
        List<Attachment> attached = new ArrayList<>();
        TextTable table = new TextTable(TextTable.Column.label("key"), TextTable.Column.count("shmid", false),
                TextTable.Column.bytes("size", true), TextTable.Column.label("ptr"));
        int failed = 0;
        for (long id : wanted) {
            try {
                Pointer p = Libc.INSTANCE.shmat((int) id, null, flags);
                attached.add(new Attachment(id, p));
                SysvShm.Segment s = known.get(id);
                table.row(s != null ? String.format("0x%08x", s.key()) : "?", id, s != null ? s.sizeBytes() : null,
                        "0x" + Long.toHexString(Pointer.nativeValue(p)));
            } catch (LastErrorException e) {
                failed++;
                err.println("shmat: shmid " + id + ": " + Libc.describe(e));
            }
        }
        if (attached.isEmpty()) {
            err.flush();
            return 1;
        }
        out.print(table.render(TextTable.Render.box(Cli.outWidth(common.commandLine()))));
        AtomicBoolean detached = new AtomicBoolean();
        if (Cli.failure(out) != null) {
            // nobody learns where the segments are: no point holding them (the line saying why comes from Cli)
            detachAll(attached, detached, err);
            return 1;
        }
        Thread hook = new Thread(() -> detachAll(attached, detached, err), "shmat-detach");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("shmat: " + attached.size() + " segment(s) attached " + (readWrite ? "read-write" : "read-only")
                + " by pid " + ProcessHandle.current().pid() + ", holding for " + waitSeconds + " s (Ctrl-C detaches now)");
        err.flush();
        try {
            Thread.sleep(waitSeconds * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        detachAll(attached, detached, err);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to undo
        }
        return failed > 0 ? 1 : 0;
    }

    /** Detaches every segment once, whether called at the end of the wait or by the Ctrl-C hook. */
    private static void detachAll(List<Attachment> attached, AtomicBoolean detached, PrintWriter err) {
        if (!detached.compareAndSet(false, true)) return;
        int ok = 0;
        for (Attachment a : attached) {
            try {
                Libc.INSTANCE.shmdt(a.address());
                ok++;
            } catch (LastErrorException e) {
                err.println("shmat: detaching shmid " + a.shmid() + ": " + Libc.describe(e));
            }
        }
        err.println("shmat: detached " + ok + " segment(s)");
        err.flush();
    }
}
