import lib.cli.Version;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** --version's commit, read from .git files without running git: loose refs, packed refs, worktrees, detached heads. */
class VersionTest {
    static final String A = "0123456789abcdef0123456789abcdef01234567", B = "89abcdef0123456789abcdef0123456789abcdef";

    @Test
    void looseRefPackedRefDetachedAndWorktree() throws Exception {
        Path d = Files.createTempDirectory("version");
        Path git = Files.createDirectories(d.resolve(".git"));
        Files.writeString(git.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(git.resolve("packed-refs"), "# pack-refs with: peeled fully-peeled sorted\n" + B + " refs/heads/main\n");
        assertEquals(B, Version.commitOf(d));
        Files.createDirectories(git.resolve("refs/heads"));
        Files.writeString(git.resolve("refs/heads/main"), A + "\n");
        assertEquals(A, Version.commitOf(d));
        // a worktree: .git is a file naming its git directory, which names the common one
        Path wt = Files.createDirectories(d.resolve("wt"));
        Path wtGit = Files.createDirectories(git.resolve("worktrees/wt"));
        Files.writeString(wt.resolve(".git"), "gitdir: " + wtGit + "\n");
        Files.writeString(wtGit.resolve("commondir"), "../..\n");
        Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/main\n");
        assertEquals(A, Version.commitOf(wt));
        Files.writeString(wtGit.resolve("HEAD"), B + "\n");
        assertEquals(B, Version.commitOf(wt));
        // anything else is no commit: not a hex string, a ref outside refs/, no .git
        Files.writeString(git.resolve("refs/heads/main"), "secret text\n");
        assertNull(Version.commitOf(d));
        Files.writeString(git.resolve("HEAD"), "ref: ../../etc/passwd\n");
        assertNull(Version.commitOf(d));
        assertNull(Version.commitOf(d.resolve("nowhere")));
    }

    @Test
    void thisCloneAsGitSeesIt() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        while (repo != null && !Files.exists(repo.resolve("lib/cli/Version.java"))) repo = repo.getParent();
        org.junit.jupiter.api.Assumptions.assumeTrue(repo != null && Files.exists(repo.resolve(".git")) && Files.isExecutable(Path.of("/usr/bin/git")),
                "not run from a git clone with /usr/bin/git");
        Process p = new ProcessBuilder("/usr/bin/git", "-C", repo.toString(), "rev-parse", "HEAD").start();
        String expected = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        assertEquals(expected, Version.commitOf(repo));
    }

    /** Through ./jbang from another folder, --version finds the commit of the clone that holds the script. */
    @Test
    void aScriptRunFromElsewhereKnowsItsClonesCommit() throws Exception {
        Path repo = Native.repoRoot();
        String commit = Version.commitOf(repo);
        org.junit.jupiter.api.Assumptions.assumeTrue(commit != null, "not run from a git clone");
        Path elsewhere = Files.createTempDirectory("version-elsewhere");
        try {
            ProcessBuilder pb = new ProcessBuilder(repo.resolve("jbang").toString(), repo.resolve("shmat.java").toString(), "--version")
                    .directory(elsewhere.toFile());
            pb.environment().remove("LINUX_MEM_HOME");
            Tool.Result r = Commands.run(pb, 300);
            assertEquals(0, r.exit(), r.toString());
            assertEquals("shmat " + Version.VERSION + " (linux-mem for JBang, commit " + commit + " of the clone " + repo + ")",
                    r.out().strip(), r.toString());
        } finally {
            Files.delete(elsewhere);
        }
    }
}
