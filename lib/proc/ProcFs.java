package lib.proc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A /proc tree: the live one, an extracted snapshot, or a snapshot archive. Paths are relative ("1234/maps"). */
public interface ProcFs extends Closeable {

    /** A file read at explicit offsets (pagemap, kpageflags); holes read as zeros. */
    interface PositionalFile extends Closeable {
        /** Reads up to dst.remaining() bytes at pos; returns bytes read, -1 at end of file. */
        int read(ByteBuffer dst, long pos) throws IOException;

        /**
         * Of a pagemap: calls part.range(from, to) (byte offsets, multiples of 8, ascending) for the parts
         * of [from, to) that may hold present or swapped entries; no entry elsewhere is either. By default
         * the whole range; a live pagemap asks the kernel (PagemapScan), so a reader skips what is not there.
         */
        default void presentParts(long from, long to, Part part) throws IOException {
            part.range(from, to);
        }

        /** A real file's channel as a PositionalFile (closing it closes the channel). */
        static PositionalFile of(java.nio.channels.FileChannel ch) {
            return new PositionalFile() {
                @Override
                public int read(ByteBuffer dst, long pos) throws IOException {
                    return ch.read(dst, pos);
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
    }

    /** A range of a file, [from, to) in bytes. */
    @FunctionalInterface
    interface Part {
        void range(long from, long to) throws IOException;
    }

    /** Where it came from, for messages. */
    String description();

    /** True for the running kernel's /proc (PFNs, kpageflags and SysV segments are live): the frame's root check asks it, tools ask what follows. */
    boolean isLive();

    /** Whether its processes run on this machine now, so they can be asked (an Oracle instance, by sqlplus as its owner). */
    default boolean processesRunHere() {
        return isLive();
    }

    /** Whether its SysV segments can be attached by shmid (shmat needs the running kernel); a snapshot has what its processes mapped. */
    default boolean sysvShmAttachable() {
        return isLive();
    }

    /**
     * What a process's file that is not there (NoSuchFileException) means: the process vanished; but a snapshot
     * that kept the process's directory without the file could not read it when it was taken (the kernel hid it even from root).
     */
    default IOException missing(int pid, String file, java.nio.file.NoSuchFileException e) {
        if (!isLive() && exists(pid)) return new java.nio.file.AccessDeniedException(pid + "/" + file, null, "not readable when the snapshot was taken");
        return new ProcessInfo.VanishedException(pid, e);
    }

    /** Process ids present, ascending. */
    List<Integer> pids() throws IOException;

    /** Whole content of a small file; NoSuchFileException when absent. */
    byte[] read(String relativePath) throws IOException;

    default String readString(String relativePath) throws IOException {
        return new String(read(relativePath), StandardCharsets.UTF_8);
    }

    boolean exists(String relativePath);

    PositionalFile open(String relativePath) throws IOException;

    /** Target of a symbolic link ("ipc:[4026531839]" for ns/ipc), or null when this tree does not keep links. */
    default String readLink(String relativePath) throws IOException {
        return null;
    }

    /** Owner uid of a path (a snapshot keeps the owners of the original files), -1 when unknown. */
    default int ownerUid(String relativePath) {
        return -1;
    }

    /** The snapshot's metadata.json content, or null for a live /proc. */
    default String metadataJson() throws IOException {
        return null;
    }

    /** The snapshot's metadata.json, read once; Metadata.NONE for a live /proc. */
    default Metadata metadata() throws IOException {
        return Metadata.NONE;
    }

    // What differs between a live /proc and a snapshot is answered here, so tools never ask which one they read.

    /** The base page size of the machine: saved in a snapshot's metadata, else KernelPageSize of any process's smaps. */
    default long pageSize() throws IOException {
        long saved = metadata().pageSize();
        return saved > 0 ? saved : PageSize.ofAnyProcess(this);
    }

    /** uid to user name on the machine (a snapshot: those it saved, maybe none). */
    default Map<Integer, String> users() throws IOException {
        return metadata().users();
    }

    /** The SysV shared memory segments /proc/sysvipc/shm lists; none when the file is absent (a kernel without SysV IPC). */
    default List<SysvShm.Segment> sysvShm() throws IOException {
        return exists("sysvipc/shm") ? SysvShm.parse(readString("sysvipc/shm")) : List.of();
    }

    /** tmpfs mounts, largest first; null when a snapshot did not record them. */
    default List<Tmpfs.Mount> tmpfs() throws IOException {
        return metadata().tmpfs();
    }

    /**
     * The files of each tmpfs (the largest, and every one a process maps) with their pages in RAM and in
     * swap: measured now on a live /proc, as snap recorded them on a snapshot; null when it recorded none.
     */
    default TmpfsFiles tmpfsFiles() throws IOException {
        String json = tmpfsFilesJson();
        return json == null ? null : TmpfsFiles.fromJson(json);
    }

    /** A snapshot's tmpfs_files.json content, or null (a live /proc, or a snapshot from before snap wrote it). */
    default String tmpfsFilesJson() throws IOException {
        return null;
    }

    /** This process's pid, to leave itself out of a scan; -1 for a snapshot. */
    default int selfPid() {
        return -1;
    }

    /**
     * The IPC namespace of a process ("ipc:[4026531839]", pid may be "self"); null when it cannot be compared
     * with ours: a snapshot's processes ran on another machine, or the link is not readable.
     */
    default String ipcNamespace(String pid) {
        return null;
    }

    /** Whether snap left the SysV segments' ranges out of the pagemaps it saved. */
    default boolean shmPagemapSkipped() throws IOException {
        return metadata().shmPagemapSkipped();
    }

    // A process's files, named as the kernel names them ("maps", "pagemap", "ns/ipc").

    default boolean exists(int pid) {
        return exists(Integer.toString(pid));
    }

    default boolean exists(int pid, String file) {
        return exists(pid + "/" + file);
    }

    default byte[] read(int pid, String file) throws IOException {
        return read(pid + "/" + file);
    }

    default String readString(int pid, String file) throws IOException {
        return readString(pid + "/" + file);
    }

    default PositionalFile open(int pid, String file) throws IOException {
        return open(pid + "/" + file);
    }

    default String readLink(int pid, String file) throws IOException {
        return readLink(pid + "/" + file);
    }

    /** /proc/PID/maps, parsed. */
    default List<Maps.Mapping> maps(int pid) throws IOException {
        return Maps.parse(readString(pid, "maps"));
    }

    @Override
    default void close() throws IOException {
    }

    /** Largest size of a file read at offsets (pagemap of a 57-bit address space, kpageflags of 52-bit physical). */
    long MAX_POSITIONAL_BYTES = 1L << 50;
    /** metadata.json: snap writes kilobytes (mostly users, groups and segments' pids). */
    long MAX_METADATA_BYTES = 16L << 20;
    /** All environ and cmdline of a snapshot together: 20,000 processes of 25 KiB (a real box has far less). */
    long MAX_ARGS_TOTAL_BYTES = 512L << 20;

    /**
     * The most bytes a snapshot's copy of a kernel file may hold when read whole, or -1 for a file the
     * tools do not read whole (then 1 MiB is allowed). Beyond it the file cannot have come from the
     * kernel, and reading it would let a small archive take any amount of memory.
     */
    static long maxBytes(String relativePath) {
        int slash = relativePath.lastIndexOf('/');
        String name = relativePath.substring(slash + 1);
        String dir = slash < 0 ? "" : relativePath.substring(0, slash);
        boolean process = dir.equals("self") || (!dir.isEmpty() && dir.chars().allMatch(c -> c >= '0' && c <= '9'));
        if (process) {
            return switch (name) {
                // fs/exec.c bprm_stack_limits: argv + envp take at most 3/4 of _STK_LIM (6 MiB); room for older kernels
                case "environ", "cmdline" -> 16L << 20;
                // status lists up to NGROUPS_MAX (65536) supplementary groups; stat and statm are one short line
                case "status" -> 1L << 20;
                case "stat", "statm" -> 64L << 10;
                // one line per mapping, vm.max_map_count (65530 by default) of them; smaps adds ~25 lines each
                case "maps" -> 64L << 20;
                case "smaps" -> 256L << 20;
                case "mountinfo" -> 16L << 20;
                default -> -1;
            };
        }
        return switch (relativePath) {
            case "meminfo", "vmstat", "buddyinfo", "swaps", "cmdline" -> 1L << 20;
            case "iomem" -> 4L << 20;
            // per zone and CPU, per cache, per segment (up to 32768 by default), per mount
            case "zoneinfo", "pagetypeinfo", "slabinfo", "sysvipc/shm" -> 16L << 20;
            default -> -1;
        };
    }

    /** A relative path's limit for a whole read: its own, or 1 MiB for a file not known to be larger. */
    static long readLimit(String relativePath) {
        long max = maxBytes(relativePath);
        return max < 0 ? 1L << 20 : max;
    }

    /**
     * The process is gone or going: its file vanished (ENOENT), or it has no mm any more (ESRCH, which
     * fs/proc/base.c proc_mem_open gives for pagemap while the task exits, before it is a zombie).
     */
    static boolean processGone(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return true;
        String m = e instanceof java.nio.file.FileSystemException f ? f.getReason() : e.getMessage();
        return m != null && m.endsWith("No such process");
    }
}
