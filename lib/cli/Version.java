package lib.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * --version: the toolbox version and the git commit the tool was built from. A packaged jar carries the commit in
 * a resource that packaging/jars.java writes; a script run from a clone finds it by reading the clone's .git files
 * (HEAD, the ref it names, packed-refs), never by running git. The clone is the directory the ./jbang launcher
 * names in LINUX_MEM_HOME (the folder of the script it runs), or the working directory when it holds our sources. Only a 40- or 64-digit hex string
 * is ever printed from those files.
 */
public final class Version implements CommandLine.IVersionProvider {
    public static final String VERSION = "0.2";
    /** The resource packaging/jars.java writes: version=, commit=. */
    public static final String RESOURCE = "META-INF/linux-mem/build.properties";

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");
    private static final long MAX_REF_FILE = 64 * 1024, MAX_PACKED_REFS = 16 * 1024 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final String tool;

    public Version() {
        this(null);
    }

    /** The version of this tool (Help.install gives every command its tool's). */
    public Version(String tool) {
        this.tool = tool;
    }

    @Override
    public String[] getVersion() {
        String name = tool != null ? tool : spec != null ? spec.root().name() : "linux-mem";
        return new String[]{name + " " + VERSION + " (linux-mem for JBang, " + describeCommit() + ")"};
    }

    /** "commit 1a2b3c4d5e6f" from the jar or the clone, or why it is unknown. */
    public static String describeCommit() {
        String c = fromResource();
        if (c != null) return "commit " + c;
        Path clone = ourClone();
        if (clone != null) {
            c = commitOf(clone);
            if (c != null) return "commit " + c + " of the clone " + clone;
        }
        return "commit unknown: not a packaged jar, nor run from a clone";
    }

    static String fromResource() {
        try (InputStream in = Version.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) return null;
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            String c = p.getProperty("commit", "").trim();
            return SHA.matcher(c).matches() ? c : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Our clone: LINUX_MEM_HOME or the working directory, when it holds lib/cli/Version.java and .git. */
    static Path ourClone() {
        for (String d : new String[]{System.getenv("LINUX_MEM_HOME"), System.getProperty("user.dir")}) {
            if (d == null || d.isEmpty()) continue;
            Path p = Path.of(d).toAbsolutePath().normalize();
            if (Files.isRegularFile(p.resolve("lib/cli/Version.java")) && Files.exists(p.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) return p;
        }
        return null;
    }

    /**
     * The commit HEAD of the clone's repository names, read from .git files: HEAD (a sha, or "ref: refs/..."), then
     * the loose ref in the worktree's git directory or the common one, then packed-refs. Null when not found.
     * A worktree's .git is a file "gitdir: DIR", whose "commondir" file names the shared directory.
     */
    public static String commitOf(Path clone) {
        try {
            Path dotGit = clone.resolve(".git");
            Path gitDir = dotGit;
            if (Files.isRegularFile(dotGit)) {
                String line = small(dotGit).strip();
                if (!line.startsWith("gitdir:")) return null;
                gitDir = clone.resolve(line.substring("gitdir:".length()).strip()).normalize();
            }
            Path common = gitDir;
            Path commonFile = gitDir.resolve("commondir");
            if (Files.isRegularFile(commonFile)) common = gitDir.resolve(small(commonFile).strip()).normalize();
            String head = small(gitDir.resolve("HEAD")).strip();
            if (SHA.matcher(head).matches()) return head;
            if (!head.startsWith("ref:")) return null;
            String ref = head.substring(4).strip();
            if (!ref.startsWith("refs/") || ref.contains("..")) return null;
            for (Path dir : new Path[]{gitDir, common}) {
                Path loose = dir.resolve(ref);
                if (Files.isRegularFile(loose)) {
                    String c = small(loose).strip();
                    return SHA.matcher(c).matches() ? c : null;
                }
            }
            Path packed = common.resolve("packed-refs");
            if (Files.isRegularFile(packed) && Files.size(packed) <= MAX_PACKED_REFS) {
                for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                    int sp = line.indexOf(' ');
                    if (sp > 0 && line.substring(sp + 1).equals(ref) && SHA.matcher(line.substring(0, sp)).matches()) {
                        return line.substring(0, sp);
                    }
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String small(Path p) throws IOException {
        if (Files.size(p) > MAX_REF_FILE) throw new IOException(p + " too large for a git ref");
        return Files.readString(p, StandardCharsets.ISO_8859_1);
    }

    /** Prints the commit of the clone given (packaging/jars.java writes it into the jars). */
    public static void main(String[] args) {
        String c = commitOf(Path.of(args.length > 0 ? args[0] : "."));
        if (c == null) {
            System.err.println("version: no commit found in " + (args.length > 0 ? args[0] : "."));
            System.exit(1);
        }
        System.out.println(c);
    }
}
