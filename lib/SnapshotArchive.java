package lib;

import java.io.IOException;
import java.nio.file.Path;

/** A snapshot archive (DIR.tar.gz written by snap) read in place. Placeholder until the snapshot reader lands. */
final class SnapshotArchive {
    private SnapshotArchive() {
    }

    static ProcFs open(Path archive) throws IOException {
        throw new IOException("reading snapshot archives is not supported yet: extract " + archive + " with tar and pass the directory");
    }
}
