///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.junit.jupiter:junit-jupiter-engine:5.11.3
//DEPS org.junit.jupiter:junit-jupiter-params:5.11.3
//DEPS org.junit.platform:junit-platform-launcher:1.11.3
//SOURCES ../memstats.java
//SOURCES ../find_instances.java
//SOURCES ../connections.java
//SOURCES ../procinfo.java
//SOURCES ../shmat.java
//SOURCES ../processes2png.java
//SOURCES ../snap.java
//SOURCES ../lib/cli/*.java
//SOURCES ../lib/text/*.java
//SOURCES support/*.java
//SOURCES *Test.java

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the JUnit 5 tests under tests/ and ends with "Tests: N passed, N failed".
 * Arguments: class name patterns (regex) to run a subset, e.g. "FilterTest" or ".*Shm.*".
 */
public class run {
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(run.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String[] patterns = args.length == 0 ? new String[]{".*Test"} : args;
        for (int i = 0; i < patterns.length; i++) {
            if (!patterns[i].contains(".") && !patterns[i].contains("*")) patterns[i] = patterns[i];
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClasspathRoots(Set.of(jar)))
                .filters(ClassNameFilter.includeClassNamePatterns(patterns))
                .build();
        AtomicInteger passed = new AtomicInteger(), failed = new AtomicInteger(), skipped = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        TestExecutionListener listener = new TestExecutionListener() {
            final java.util.Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
            org.junit.platform.launcher.TestPlan plan;

            @Override
            public void testPlanExecutionStarted(org.junit.platform.launcher.TestPlan testPlan) {
                plan = testPlan;
            }

            @Override
            public void executionStarted(TestIdentifier id) {
                started.put(id.getUniqueId(), System.nanoTime());
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    skipped.incrementAndGet();
                    System.out.println("SKIP " + name(id) + ": " + reason);
                } else {
                    // a whole class (e.g. @NeedsRoot when not root): one line, its tests counted
                    long tests = plan == null ? 0 : plan.getDescendants(id).stream().filter(TestIdentifier::isTest).count();
                    skipped.addAndGet((int) tests);
                    System.out.println("SKIP " + id.getDisplayName() + " (" + tests + " tests): " + reason);
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                long ms = (System.nanoTime() - started.getOrDefault(id.getUniqueId(), System.nanoTime())) / 1_000_000;
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    if (id.isTest()) {
                        passed.incrementAndGet();
                        System.out.printf("PASS %s (%d ms)%n", name(id), ms);
                    }
                    return;
                }
                // an assumption that does not hold (e.g. ../shared absent on a user's clone) skips the test
                if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                    skipped.incrementAndGet();
                    System.out.println("SKIP " + name(id) + ": " + result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
                    return;
                }
                // a failing container (e.g. @BeforeAll) counts as one failure
                failed.incrementAndGet();
                Throwable t = result.getThrowable().orElse(null);
                String msg = t == null ? result.getStatus().toString() : t.toString();
                System.out.printf("FAIL %s (%d ms): %s%n", name(id), ms, msg);
                if (t != null) {
                    for (StackTraceElement e : t.getStackTrace()) {
                        if (e.getClassName().startsWith("org.junit") || e.getClassName().startsWith("java.")
                                || e.getClassName().startsWith("jdk.")) continue;
                        System.out.println("    at " + e);
                    }
                }
                failures.add(name(id) + ": " + msg);
                System.out.flush();
            }

            private String name(TestIdentifier id) {
                String u = id.getUniqueId();
                String cls = u.replaceAll(".*\\[class:([^\\]]*)\\].*", "$1");
                return cls.equals(u) ? id.getDisplayName() : cls + "." + id.getDisplayName();
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        if (!failures.isEmpty()) {
            System.out.println();
            System.out.println("Failures:");
            failures.forEach(f -> System.out.println("  " + f));
        }
        System.out.println();
        int total = passed.get() + failed.get();
        System.out.println("Tests: " + passed.get() + " passed, " + failed.get() + " failed"
                + (skipped.get() > 0 ? ", " + skipped.get() + " skipped" : ""));
        System.exit(failed.get() > 0 || total == 0 ? 1 : 0);
    }
}
