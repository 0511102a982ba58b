package lib.text;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A progress line on a terminal's stderr: "Scanning 120/480 processes, 12 s (pid 4242 oracle: 3.1 s)", redrawn in
 * place about five times a second by a daemon thread and cleared at the end. The pid is shown when one process has
 * been read for more than a second. Off (every call does nothing) when stderr is not a terminal.
 * Workers call begin/done around each item: a volatile write to their own slot and an atomic increment.
 */
public final class Progress implements AutoCloseable {
    /** Does nothing: for output that is not a terminal. */
    public static final Progress OFF = new Progress(null, null, 0, 0, "");

    private static final long FIRST_DRAW_NANOS = 500_000_000L, SLOW_ITEM_NANOS = 1_000_000_000L, TICK_MILLIS = 200;

    private final PrintWriter err;
    private final String verb, noun;
    private final int width;
    private volatile int total;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> mine = ThreadLocal.withInitial(() -> {
        Slot s = new Slot();
        slots.add(s);
        return s;
    });
    private final Thread ticker;
    private final Object lock = new Object();
    private boolean drawn, closed;

    /** What one worker thread is reading: written by it, read by the ticker. */
    private static final class Slot {
        volatile long since;   // 0: idle
        volatile int pid;
        volatile String name;
    }

    private Progress(PrintWriter err, String verb, int total, int width, String noun) {
        this.err = err;
        this.verb = verb;
        this.noun = noun;
        this.total = total;
        this.width = width;
        if (err == null) {
            ticker = null;
            return;
        }
        ticker = new Thread(this::tick, "progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /**
     * A progress line for total items ("Scanning", "processes") on err, when enabled (stderr is a terminal of
     * width columns); OFF otherwise.
     */
    public static Progress start(PrintWriter err, boolean enabled, int width, String verb, int total, String noun) {
        return enabled ? new Progress(err, verb, total, width, noun) : OFF;
    }

    /** The calling thread starts reading item pid, named name (a comm). */
    public void begin(int pid, String name) {
        if (err == null) return;
        Slot s = mine.get();
        s.pid = pid;
        s.name = name;
        s.since = System.nanoTime();
    }

    /** The calling thread is done with its item (also counts an item that was skipped). */
    public void done() {
        if (err == null) return;
        mine.get().since = 0;
        done.incrementAndGet();
    }

    /** The number of items, when it is known only after the line started. */
    public void total(int n) {
        total = n;
    }

    public int doneCount() {
        return done.get();
    }

    /** A line on err: above the progress line when there is one, else as it is. */
    public void println(String line, PrintWriter otherwise) {
        if (this.err != null) {
            println(line);
        } else {
            otherwise.println(line);
            otherwise.flush();
        }
    }

    /** A line of its own on stderr: the progress line is cleared first and comes back at the next tick. */
    public void println(String line) {
        if (err == null) return;
        synchronized (lock) {
            clear();
            err.println(line);
            err.flush();
        }
    }

    /** The line as it would be drawn now (also for tests). */
    String line(long now) {
        StringBuilder sb = new StringBuilder();
        sb.append(verb).append(' ').append(done.get()).append('/').append(total).append(' ').append(noun)
                .append(", ").append(seconds(now - start));
        Slot slow = null;
        long slowest = 0;
        for (Slot s : slots) {
            long since = s.since;
            if (since != 0 && now - since > slowest) {
                slowest = now - since;
                slow = s;
            }
        }
        if (slow != null && slowest >= SLOW_ITEM_NANOS) {
            sb.append(" (pid ").append(slow.pid);
            String name = slow.name;
            if (name != null && !name.isEmpty()) sb.append(' ').append(Text.visible(name));
            sb.append(": ").append(seconds(slowest)).append(')');
        }
        // one character short of the width: a line that reaches the last column wraps on some terminals, and \r
        // then redraws only the second half
        return TextTable.cut(sb.toString(), Math.max(10, width - 1));
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s < 10 ? String.format(Locale.ROOT, "%.1f s", s) : String.format(Locale.ROOT, "%d s", (long) s);
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(TICK_MILLIS);
                long now = System.nanoTime();
                if (now - start < FIRST_DRAW_NANOS) continue;
                synchronized (lock) {
                    if (closed) return;
                    err.print("\r" + line(now) + "\033[K");
                    err.flush();
                    drawn = true;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void clear() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    /** Stops the line and clears it. */
    @Override
    public void close() {
        if (err == null) return;
        ticker.interrupt();
        synchronized (lock) {
            closed = true;
            clear();
        }
        try {
            ticker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
