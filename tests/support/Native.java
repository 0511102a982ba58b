import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/** Compiles the C helpers of tests/support with gcc, once per content, into tests/.build/. */
final class Native {
    private Native() {
    }

    /** The folder holding tests/support (the tests are run from the repo root or from tests/). */
    static Path testsDir() {
        for (Path p : new Path[]{Path.of("tests"), Path.of(".")}) {
            if (Files.isRegularFile(p.resolve("support/memload.c"))) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("run the tests from the repository root (tests/support/memload.c not found)");
    }

    static Path repoRoot() {
        return testsDir().getParent();
    }

    static synchronized Path binary(String name) throws IOException {
        Path src = testsDir().resolve("support/" + name + ".c");
        byte[] code = Files.readAllBytes(src);
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code)).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path out = testsDir().resolve(".build/" + name + "-" + hash);
        if (Files.isExecutable(out)) return out;
        Files.createDirectories(out.getParent());
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", tmp.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("gcc failed for " + src + ":\n" + log);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // tests run memload as other users too: the binary and its folders must be readable by all
        out.toFile().setReadable(true, false);
        out.toFile().setExecutable(true, false);
        return out;
    }
}
