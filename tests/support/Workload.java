import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running tests/support/memload.c: processes with known memory, held until close().
 * pids().get(0) is the parent; after "fork:K" the K children follow.
 */
final class Workload implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final List<Integer> pids = new ArrayList<>();

    private Workload(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    /** Starts memload with these operations (see memload.c) and extra environment; waits for READY. */
    static Workload start(Map<String, String> env, String... ops) throws IOException {
        return startAs(List.of(), env, ops);
    }

    /** The same, memload started through a prefix command (e.g. setpriv --reuid=U --regid=G --groups=G2). */
    static Workload startAs(List<String> prefix, Map<String, String> env, String... ops) throws IOException {
        return startExec(prefix, Native.binary("memload"), env, ops);
    }

    /** The same, memload executed through this path (a link to it: the process's comm is the link's name). */
    static Workload startExec(List<String> prefix, Path memload, Map<String, String> env, String... ops) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(memload.toString());
        cmd.addAll(List.of(ops));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Workload w = new Workload(pb.start());
        w.awaitReady();
        return w;
    }

    private void awaitReady() throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("READY ")) {
            close();
            throw new IOException("memload did not start (exit " + exitValue() + "): " + line);
        }
        for (String p : line.substring(6).trim().split(" ")) pids.add(Integer.parseInt(p));
    }

    private int exitValue() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            return -1;
        }
    }

    List<Integer> pids() {
        return pids;
    }

    int pid() {
        return pids.get(0);
    }

    /** Children only (after fork:K). */
    List<Integer> children() {
        return pids.subList(1, pids.size());
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // children end on stdin EOF too; wait until they are gone so later tests see a quiet machine
        for (int pid : pids) {
            for (int i = 0; i < 200 && Files.exists(Path.of("/proc/" + pid)) && !isZombie(pid); i++) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean isZombie(int pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }
}
