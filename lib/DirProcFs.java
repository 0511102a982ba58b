package lib;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A /proc tree in a directory: the live /proc or an extracted snapshot. */
public final class DirProcFs implements ProcFs {
    private final Path root;
    private final Path metadata;
    private final boolean live;

    public DirProcFs(Path root, Path metadata) {
        this.root = root;
        this.metadata = metadata;
        this.live = root.toAbsolutePath().normalize().equals(Path.of("/proc"));
    }

    public Path root() {
        return root;
    }

    @Override
    public String description() {
        return root.toString();
    }

    @Override
    public boolean isLive() {
        return live;
    }

    @Override
    public List<Integer> pids() throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (isNumber(name)) {
                    pids.add(Integer.parseInt(name));
                }
            }
        }
        Collections.sort(pids);
        return pids;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 9) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    @Override
    public byte[] read(String relativePath) throws IOException {
        return Files.readAllBytes(root.resolve(relativePath));
    }

    @Override
    public boolean exists(String relativePath) {
        return Files.exists(root.resolve(relativePath), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public PositionalFile open(String relativePath) throws IOException {
        return PositionalFile.of(FileChannel.open(root.resolve(relativePath), StandardOpenOption.READ));
    }

    @Override
    public String readLink(String relativePath) throws IOException {
        return Files.readSymbolicLink(root.resolve(relativePath)).toString();
    }

    @Override
    public int ownerUid(String relativePath) {
        try {
            return (Integer) Files.getAttribute(root.resolve(relativePath), "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    @Override
    public String metadataJson() throws IOException {
        if (live || metadata == null || !Files.isRegularFile(metadata)) return null;
        return Files.readString(metadata);
    }
}
