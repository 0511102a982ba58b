package lib.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Resolves a program's path as exec would, and checks that no one but root and one trusted uid could
 * have chosen what it resolves to: every directory the lookup passes through (from /, through every
 * symbolic link) and the file itself must be owned by root or that uid and writable by no group and
 * no other user. Running the real path it returns leaves others no window to swap a step.
 */
public final class TrustedPath {
    private TrustedPath() {
    }

    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    // the kernel's own limit on symbolic links in one lookup (MAXSYMLINKS, fs/namei.c)
    private static final int MAX_LINKS = 40;

    /** Why a path cannot be trusted, in one line naming the step at fault. */
    public static final class Untrusted extends Exception {
        public Untrusted(String message) {
            super(message);
        }
    }

    /**
     * The real path of the regular file at path, when the file and every directory its lookup passes
     * through belong to root or owner (owner 0: root only) and are writable by neither group nor others.
     */
    public static Path resolve(String path, int owner) throws Untrusted {
        if (path == null || !path.startsWith("/")) throw new Untrusted(path + " is not an absolute path");
        Deque<String> todo = new ArrayDeque<>(List.of(path.split("/")));
        Path cur = Path.of("/");
        checkStep(cur, attributes(cur), owner);
        int links = 0;
        int mode = S_IFDIR;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.isEmpty() || name.equals(".")) continue;
            if ((mode & S_IFMT) != S_IFDIR) throw new Untrusted(cur + " is not a directory");
            if (name.equals("..")) {
                // cur is a real directory: its parent was checked on the way down
                if (cur.getParent() != null) cur = cur.getParent();
                continue;
            }
            Path next = cur.resolve(name);
            Map<String, Object> a = attributes(next);
            mode = (Integer) a.get("mode");
            if ((mode & S_IFMT) == S_IFLNK) {
                if (++links > MAX_LINKS) throw new Untrusted(path + ": too many symbolic links");
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (IOException e) {
                    throw new Untrusted(next + ": " + e.getMessage());
                }
                List<String> parts = List.of(target.split("/"));
                for (int k = parts.size() - 1; k >= 0; k--) todo.addFirst(parts.get(k));
                if (target.startsWith("/")) cur = Path.of("/");
                mode = S_IFDIR; // cur (the link's directory, or /) is a checked directory
                continue;
            }
            checkStep(next, a, owner);
            cur = next;
        }
        if ((mode & S_IFMT) != S_IFREG) throw new Untrusted(cur + " is not a regular file");
        return cur;
    }

    /** A system program (setsid, setpriv, env) from /usr/bin or /bin, owned by root and writable by no one else. */
    public static Path system(String name) throws Untrusted {
        Untrusted why = null;
        for (String dir : List.of("/usr/bin", "/bin")) {
            if (!Files.exists(Path.of(dir, name), LinkOption.NOFOLLOW_LINKS)) continue;
            try {
                return resolve(dir + "/" + name, 0);
            } catch (Untrusted e) {
                if (why == null) why = e;
            }
        }
        throw why != null ? why : new Untrusted(name + " is in neither /usr/bin nor /bin");
    }

    private static Map<String, Object> attributes(Path p) throws Untrusted {
        try {
            return Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new Untrusted(p + " does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new Untrusted(p + ": " + e.getMessage());
        }
    }

    private static void checkStep(Path p, Map<String, Object> a, int owner) throws Untrusted {
        int uid = (Integer) a.get("uid"), mode = (Integer) a.get("mode");
        if (uid != 0 && uid != owner) {
            throw new Untrusted(p + " is owned by uid " + uid + (owner == 0 ? ", not root" : ", neither root nor uid " + owner));
        }
        if ((mode & 02) != 0) throw new Untrusted(p + " is writable by others");
        if ((mode & 020) != 0) throw new Untrusted(p + " is writable by its group (gid " + a.get("gid") + ")");
    }
}
