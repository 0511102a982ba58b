package lib.groups;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** A few threads taking items 0..count-1 in turn, joined before returning; the first failure is rethrown. */
public final class Workers {
    private Workers() {
    }

    /** One thread's work on one item. */
    @FunctionalInterface
    public interface Task {
        void run(int item) throws Exception;
    }

    /**
     * Starts min(threads, count) threads (at least 1) named name-0, name-1..., each with its own task from
     * perThread, and waits for them. A failure stops the taking of items; the first is rethrown (an
     * IOException, RuntimeException or Error as it is, anything else in an IOException).
     */
    public static void run(String name, int threads, int count, Supplier<Task> perThread) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < Math.max(1, Math.min(threads, count)); t++) {
            Thread w = new Thread(() -> {
                try {
                    Task task = perThread.get();
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < count) task.run(i);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, name + "-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        Throwable f = failure.get();
        if (f instanceof IOException io) throw io;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error err) throw err;
        if (f != null) throw new IOException(f);
    }
}
