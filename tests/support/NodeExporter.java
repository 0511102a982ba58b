import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real node_exporter (Debian package prometheus-node-exporter) on a free loopback port, only
 * its textfile collector on, reading a test's directory; stopped by close().
 */
final class NodeExporter implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private NodeExporter(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static NodeExporter start(Path textfileDir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Promtool.NODE_EXPORTER), "node_exporter not installed (Debian package prometheus-node-exporter)");
        Path log = Files.createTempFile("node-exporter", ".log");
        // a port free a moment ago can be taken meanwhile by another run: try a few
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(Promtool.NODE_EXPORTER.toString(),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--collector.disable-defaults", "--collector.textfile",
                    "--collector.textfile.directory=" + textfileDir,
                    "--web.disable-exporter-metrics")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            NodeExporter n = new NodeExporter(p, port, log);
            for (int i = 0; i < 100 && p.isAlive(); i++) {
                try {
                    n.scrape();
                    return n;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            n.close();
        }
        throw new IOException("node_exporter did not start: " + Files.readString(log));
    }

    /** The /metrics page. */
    String scrape() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(10000);
        try (InputStream in = c.getInputStream()) {
            if (c.getResponseCode() != 200) throw new IOException("HTTP " + c.getResponseCode());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    /** The samples of our metrics (prefix), after checking the textfile collector read the directory without error. */
    List<Promtool.Sample> samples(String prefix) throws IOException {
        List<Promtool.Sample> all = Promtool.parse(scrape());
        for (Promtool.Sample s : all) {
            if (s.name().equals("node_textfile_scrape_error") && s.value() != 0) {
                throw new AssertionError("node_exporter could not read the textfile directory: " + Files.readString(log));
            }
        }
        return all.stream().filter(s -> s.name().startsWith(prefix)).toList();
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}
