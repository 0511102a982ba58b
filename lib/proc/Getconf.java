package lib.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** getconf -a: the system configuration values (PAGESIZE, _NPROCESSORS_ONLN, LEVEL1_DCACHE_SIZE...). */
public final class Getconf {
    private Getconf() {
    }

    /** "NAME   value" lines to NAME -> value; an empty value (undefined) is null. */
    public static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.isEmpty()) continue;
            int sp = indexOfSpace(t);
            if (sp < 0) m.put(t, null);
            else m.put(t.substring(0, sp), t.substring(sp).strip());
        }
        return m;
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }

    /** getconf's output is a few KiB; more is not getconf's. */
    static final int MAX_OUTPUT = 1 << 20;

    /**
     * Runs getconf -a once, as root runs programs: from /usr/bin or /bin, owned by root and writable by
     * no one else (TrustedPath), with an empty environment, its output read up to MAX_OUTPUT; empty when
     * getconf is missing, untrusted or fails.
     */
    public static Map<String, String> run() {
        try {
            ProcessBuilder pb = new ProcessBuilder(TrustedPath.system("getconf").toString(), "-a")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(MAX_OUTPUT);
            p.getInputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            return parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException | TrustedPath.Untrusted e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }
}
