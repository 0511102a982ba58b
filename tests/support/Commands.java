import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command in a process of its own, its output captured (through files: no pipe to fill). */
final class Commands {
    private Commands() {
    }

    /** The prefix that runs a command as nobody (uid and gid 65534, no supplementary groups). */
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    static Tool.Result run(ProcessBuilder pb, long seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("cmd-out", ".txt"), err = Files.createTempFile("cmd-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(pb.command() + " did not finish in " + seconds + " s; stderr: " + Files.readString(err));
            }
            return new Tool.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** `env -i` with these variables, then the command: a user's bare environment, nothing of the test JVM's. */
    static List<String> cleanEnv(List<String> vars, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("env", "-i"));
        cmd.addAll(vars);
        cmd.addAll(command);
        return cmd;
    }

    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
