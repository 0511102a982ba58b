import com.sun.jna.LastErrorException;
import lib.proc.Libc;
import lib.proc.Meminfo;
import lib.proc.SysvShm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Machine-wide kernel objects a test sets up and always takes down (close()): huge page reserves,
 * swap files, tmpfs mounts, sysfs knobs, SysV segments. Other test runs share the machine, so
 * everything is named uniquely and only ever our own objects are removed.
 */
final class KernelObjects {
    private KernelObjects() {
    }

    static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");

    /** Runs a command, fails with its output when it exits non-zero. */
    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        return out;
    }

    /**
     * A /proc/sys value. Not Files.readString: it reads one byte first, and a sysctl read at a
     * non-zero offset is end of file ("32" would read as "3").
     */
    static String readSysctl(Path path) throws IOException {
        try (var in = Files.newInputStream(path)) {
            return new String(in.readNBytes(4096)).trim();
        }
    }

    /** A SysV key no one uses: "M3" then random bits. */
    static int uniqueKey() {
        return 0x4d330000 | ThreadLocalRandom.current().nextInt(1, 0xffff);
    }

    /** The /proc/sysvipc/shm line of a key (its shmid while it exists), or null. */
    static SysvShm.Segment segment(int key) throws IOException {
        for (SysvShm.Segment s : SysvShm.parse(Files.readString(Path.of("/proc/sysvipc/shm")))) {
            if (s.key() == key) return s;
        }
        return null;
    }

    /** IPC_RMID of our segment (it goes when its last process detaches); no-op when already gone. */
    static void removeSegment(int key) {
        try {
            int id = Libc.INSTANCE.shmget(key, 0, 0);
            Libc.INSTANCE.shmctl(id, Libc.IPC_RMID, null);
        } catch (LastErrorException e) {
            // ENOENT: never created or already removed
        }
    }

    static Meminfo meminfo() throws IOException {
        return Meminfo.parse(Files.readString(Path.of("/proc/meminfo")));
    }

    /**
     * Adds n huge pages to the pool (relative to whatever others reserved) and gives them back on
     * close; a lock file serialises test runs that do the same.
     */
    static final class HugePages implements AutoCloseable {
        private final FileChannel lockFile;
        private final FileLock lock;
        final long added;

        HugePages(int n) throws IOException {
            lockFile = FileChannel.open(Path.of("/tmp/linux-mem-tests-nr_hugepages.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            lock = lockFile.lock();
            long before = read();
            long got = 0;
            for (int attempt = 0; attempt < 4 && got < n; attempt++) {
                if (attempt > 0) {
                    // free 2 MiB blocks may be scattered: let the kernel compact memory and try again
                    Files.writeString(Path.of("/proc/sys/vm/compact_memory"), "1");
                }
                Files.writeString(NR_HUGEPAGES, Long.toString(before + n));
                got = read() - before;
            }
            added = got;
            if (added < n) {
                close();
                throw new IOException("the kernel gave " + added + " of " + n + " huge pages (memory fragmented?)");
            }
        }

        static long read() throws IOException {
            return Long.parseLong(readSysctl(NR_HUGEPAGES));
        }

        @Override
        public void close() throws IOException {
            try {
                Files.writeString(NR_HUGEPAGES, Long.toString(Math.max(0, read() - added)));
            } finally {
                lock.release();
                lockFile.close();
            }
        }
    }

    /** A swap file of its own, swapped on; close() swaps off that file only and deletes it. */
    static final class SwapFile implements AutoCloseable {
        final Path path;

        SwapFile(int mib) throws IOException {
            path = Path.of("/var/tmp/memstats-test-swap-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                run("dd", "if=/dev/zero", "of=" + path, "bs=1M", "count=" + mib, "status=none");
                Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                run("mkswap", path.toString());
                run("swapon", path.toString());
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        /** Used bytes of this swap area per /proc/swaps. */
        long usedBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/swaps"))) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals(path.toString())) return Long.parseLong(f[3]) * 1024;
            }
            return -1;
        }

        @Override
        public void close() throws IOException {
            try {
                if (Files.readString(Path.of("/proc/swaps")).contains(path.toString())) run("swapoff", path.toString());
            } finally {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A tmpfs mounted on a fresh directory with these options; close() unmounts it and removes the directory. */
    static final class TmpfsMount implements AutoCloseable {
        final Path dir;

        TmpfsMount(String options) throws IOException {
            dir = Files.createTempDirectory("memstats-tmpfs-");
            try {
                run("mount", "-t", "tmpfs", "-o", options, "memstats-test", dir.toString());
            } catch (IOException e) {
                Files.deleteIfExists(dir);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                run("umount", dir.toString());
            } finally {
                Files.deleteIfExists(dir);
            }
        }
    }

    /** Sets a sysfs choice knob ("always [madvise] never" style) and restores the selected value on close. */
    static final class Knob implements AutoCloseable {
        final Path path;
        final String old;

        Knob(Path path, String value) throws IOException {
            this.path = path;
            String text = Files.readString(path);
            int open = text.indexOf('['), close = text.indexOf(']');
            this.old = open >= 0 ? text.substring(open + 1, close) : text.trim();
            Files.writeString(path, value);
        }

        @Override
        public void close() throws IOException {
            Files.writeString(path, old);
        }
    }

    /** Sum of a kB field of the smaps entries of one process whose pathname contains this text. */
    static long smapsField(int pid, String pathPart, String field) throws IOException {
        long kb = 0;
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps"))) {
            if (MAPPING_HEADER.matcher(line).lookingAt()) {
                in = line.contains(pathPart);
            } else if (in && line.startsWith(field + ":")) {
                kb += Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        return kb * 1024;
    }

    private static final java.util.regex.Pattern MAPPING_HEADER = java.util.regex.Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");
}
