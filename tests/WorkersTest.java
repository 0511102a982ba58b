import lib.groups.Workers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

/** The worker threads GroupScan and FrameScan share: every item once, the first failure rethrown. */
class WorkersTest {

    @Test
    void everyItemRunsOnceOnTheThreadsAsked() throws IOException {
        AtomicIntegerArray runs = new AtomicIntegerArray(1000);
        Set<String> names = ConcurrentHashMap.newKeySet();
        AtomicInteger tasks = new AtomicInteger();
        // each thread's first item waits until every thread holds an item, so all three must run items
        CountDownLatch allInAnItem = new CountDownLatch(3);
        Workers.run("t", 3, runs.length(), () -> {
            tasks.incrementAndGet();
            boolean[] first = {true};
            return i -> {
                if (first[0]) {
                    first[0] = false;
                    allInAnItem.countDown();
                    assertTrue(allInAnItem.await(30, java.util.concurrent.TimeUnit.SECONDS), "three threads took items");
                }
                names.add(Thread.currentThread().getName());
                runs.incrementAndGet(i);
            };
        });
        for (int i = 0; i < runs.length(); i++) assertEquals(1, runs.get(i), "item " + i);
        assertEquals(Set.of("t-0", "t-1", "t-2"), names);
        assertEquals(3, tasks.get(), "one task per thread");
    }

    @Test
    void moreThreadsThanItemsStartsOneThreadPerItem() throws IOException {
        Set<String> names = ConcurrentHashMap.newKeySet();
        Workers.run("t", 8, 2, () -> i -> names.add(Thread.currentThread().getName()));
        assertTrue(Set.of("t-0", "t-1").containsAll(names), names.toString());
        Workers.run("none", 4, 0, () -> i -> fail("no item to run"));
    }

    @Test
    void theFirstFailureStopsTheTakingAndIsRethrownAsItIs() {
        AtomicInteger ran = new AtomicInteger();
        IOException io = assertThrows(IOException.class, () -> Workers.run("t", 1, 100, () -> i -> {
            ran.incrementAndGet();
            if (i == 5) throw new java.nio.file.NoSuchFileException("/proc/5/maps");
        }));
        assertInstanceOf(java.nio.file.NoSuchFileException.class, io);
        assertEquals(6, ran.get(), "items after the failure are not taken");

        assertThrows(IllegalStateException.class, () -> Workers.run("t", 2, 10, () -> i -> {
            throw new IllegalStateException("x");
        }));
        assertThrows(StackOverflowError.class, () -> Workers.run("t", 2, 10, () -> i -> {
            throw new StackOverflowError();
        }));
        IOException wrapped = assertThrows(IOException.class, () -> Workers.run("t", 2, 10, () -> i -> {
            throw new Exception("checked");
        }));
        assertEquals("checked", wrapped.getCause().getMessage());
    }
}
