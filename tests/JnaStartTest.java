import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Permission;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading libc the ways the tools do starts no program (JNA's own lookup would run /sbin/ldconfig -p at every start). */
class JnaStartTest {

    /** In a JVM of its own: libc through Terminal, Libc and PagemapScan, then the programs that were started. */
    public static void main(String[] args) {
        List<String> started = new CopyOnWriteArrayList<>();
        System.setSecurityManager(new SecurityManager() {
            @Override
            public void checkPermission(Permission perm) {
            }

            @Override
            public void checkExec(String cmd) {
                started.add(cmd);
            }
        });
        lib.cli.Terminal.isTty(lib.cli.Terminal.STDOUT);
        int pid = lib.proc.Libc.INSTANCE.getpid();
        lib.proc.PagemapScan.supported();
        System.out.println("pid " + pid + " started " + started);
    }

    @Test
    void loadingLibcStartsNoProgram() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djava.security.manager=allow", "-cp", System.getProperty("java.class.path"),
                JnaStartTest.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // libc answered (its getpid is the child's pid) and nothing was executed
        assertEquals("pid " + p.pid() + " started []", out);
    }
}
