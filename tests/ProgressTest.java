import lib.text.Progress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line: counts, elapsed time and the slow process, redrawn in place, cleared at the end; off when off. */
class ProgressTest {
    @Test
    void offWritesNothing() {
        StringWriter sw = new StringWriter();
        try (Progress p = Progress.start(new PrintWriter(sw), false, 80, "Scanning", 3, "processes")) {
            p.begin(1, "init");
            p.done();
            p.println("a line");
        }
        assertEquals("", sw.toString());
    }

    @Test
    void drawsCountsAndTheSlowProcessAndClearsTheLine() throws Exception {
        StringWriter sw = new StringWriter();
        PrintWriter err = new PrintWriter(sw);
        Progress p = Progress.start(err, true, 200, "Scanning", 3, "processes");
        p.begin(11, "quick");
        p.done();
        Thread slow = new Thread(() -> p.begin(4242, "oracle\u001b"));
        slow.start();
        slow.join();
        Thread.sleep(1500);
        p.println("memstats: a warning");
        Thread.sleep(400);
        p.close();
        String out = sw.toString();
        assertTrue(out.contains("\rScanning 1/3 processes, "), out);
        // at least 1.5 s have passed (more on a loaded box): the pid's time is shown from one second on
        assertTrue(out.matches("(?s).*\\(pid 4242 oracle\\\\x1b: [1-9][0-9]*\\.[0-9] s\\).*"), out);
        assertTrue(out.contains("\r\u001b[Kmemstats: a warning\n"), out);
        assertTrue(out.endsWith("\r\u001b[K"), out);
        // every redraw stays on one line
        for (String draw : out.split("\r")) assertTrue(draw.indexOf('\n') < 0 || draw.startsWith("\u001b[Kmemstats"), draw);
    }

    @Test
    void aLineNeverReachesTheLastColumn() throws Exception {
        StringWriter sw = new StringWriter();
        Progress p = Progress.start(new PrintWriter(sw), true, 20, "Scanning", 123456, "processes");
        Thread.sleep(800);
        p.close();
        for (String draw : sw.toString().split("\r")) {
            String text = draw.replace("\u001b[K", "");
            assertTrue(text.length() <= 19, text);
        }
        assertTrue(sw.toString().contains("…"));
    }
}
