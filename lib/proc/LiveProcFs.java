package lib.proc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The running kernel's /proc: what a snapshot keeps in metadata.json is asked of this machine. */
public final class LiveProcFs extends DirProcFs {
    private long pageSize;

    public LiveProcFs() {
        super(Path.of("/proc"), null);
    }

    @Override
    public boolean isLive() {
        return true;
    }

    @Override
    public String metadataJson() {
        return null;
    }

    @Override
    public Metadata metadata() {
        return Metadata.NONE;
    }

    @Override
    public long pageSize() throws IOException {
        if (pageSize == 0) pageSize = PageSize.live();
        return pageSize;
    }

    @Override
    public Map<Integer, String> users() {
        return Passwd.users();
    }

    /** Measured now: statvfs of each tmpfs mount point of our own mount namespace. */
    @Override
    public List<Tmpfs.Mount> tmpfs() throws IOException {
        List<Tmpfs.Mount> out = new ArrayList<>();
        for (Tmpfs.Mount m : Tmpfs.parseMountinfo(readString("self/mountinfo"))) out.add(Tmpfs.measure(m));
        out.sort(Comparator.comparingLong(Tmpfs.Mount::fsSizeBytes).reversed());
        return out;
    }

    /** Walked and measured now (TmpfsFiles.scan): the largest files of each tmpfs and those any process but us maps. */
    @Override
    public TmpfsFiles tmpfsFiles() throws IOException {
        List<Integer> pids = new ArrayList<>(pids());
        pids.remove((Integer) selfPid());
        return TmpfsFiles.scan(this, pids, readString("self/mountinfo"), pageSize());
    }

    /** A pagemap whose presentParts skips what is not there (PagemapScan.openLive). */
    @Override
    public PositionalFile open(String relativePath) throws IOException {
        if (relativePath.endsWith("/pagemap")) return PagemapScan.openLive(root().resolve(relativePath), pageSize());
        return super.open(relativePath);
    }

    @Override
    public String ipcNamespace(String pid) {
        try {
            return readLink(pid + "/ns/ipc");
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public int selfPid() {
        return (int) ProcessHandle.current().pid();
    }
}
