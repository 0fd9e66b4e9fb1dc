package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** provenance.yaml: hashes as sha256sum computes them, the commit as git reports it, one entry per process. */
class ProvenanceTest {
    @TempDir Path dir;

    @Test
    void fileAndListHashesMatchSha256sum() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data/images"));
        Files.writeString(data.resolve("a.png"), "image a");
        Files.writeString(data.resolve("b.png"), "image b, longer");
        Path list = dir.resolve("data/train.csv");
        Files.writeString(list, "images/a.png,images/b.png\n");
        Map<String, Path> named = new LinkedHashMap<>();
        named.put("images/a.png", data.resolve("a.png"));
        named.put("images/b.png", data.resolve("b.png"));

        Provenance.Input file = Provenance.Input.file("base_checkpoint", data.resolve("a.png"));
        Provenance.Input lst = Provenance.Input.list("train_list", list, named);

        assertThat(file.sha256()).isEqualTo(sha256sum(dir, data.resolve("a.png").toString()).split(" ")[0]);
        assertThat(file.bytes()).isEqualTo(7);
        assertThat(lst.sha256()).isEqualTo(sha256sum(dir, list.toString()).split(" ")[0]);
        assertThat(lst.namedFiles()).isEqualTo(2);
        // named_files_sha256 = SHA-256 of what `sha256sum images/a.png images/b.png` prints in the list's folder
        String manifest = sha256sum(dir.resolve("data"), "images/a.png", "images/b.png");
        assertThat(lst.namedFilesSha256()).isEqualTo(Sha256.of(manifest.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void recordsVersionsCommandAndInputs() {
        Provenance.commandLine(new String[] {"train", "--out", "my run", "--lr", "1e-3"});
        Provenance p = Provenance.capture(List.of());
        Map<String, Object> m = p.toMap();
        assertThat(m.get("command")).isEqualTo("samtune train --out 'my run' --lr 1e-3");
        assertThat(m.get("djl")).isEqualTo("0.36.0");
        assertThat((String) m.get("libtorch")).startsWith("2.7.1").contains("cpu");
        assertThat((String) m.get("java")).startsWith(System.getProperty("java.version"));
        @SuppressWarnings("unchecked")
        Map<String, Object> samtune = (Map<String, Object>) m.get("samtune");
        assertThat((String) samtune.get("version")).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(m).containsKeys("written", "working_directory", "os", "cpu", "cpus", "max_heap_mb", "inputs");
    }

    /** The test runs from this project's checkout: the commit is the one git names. */
    @Test
    void theCommitOfThisCheckoutIsGits() throws Exception {
        String git = run(Path.of(""), "git", "rev-parse", "HEAD");
        org.junit.jupiter.api.Assumptions.assumeTrue(git != null, "git is not installed");
        assertThat(Provenance.commit()).isEqualTo(git.strip());
    }

    @Test
    void readsLooseRefsPackedRefsWorktreesAndDetachedHeads() throws IOException {
        String a = "0123456789abcdef0123456789abcdef01234567";
        String b = "89abcdef0123456789abcdef0123456789abcdef";
        // a checkout with its branch in packed-refs and another branch loose
        Path git = Files.createDirectories(dir.resolve("repo/.git"));
        Files.createDirectories(git.resolve("refs/heads"));
        Files.writeString(git.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(git.resolve("packed-refs"), "# pack-refs with: peeled\n" + a + " refs/heads/main\n");
        Files.writeString(git.resolve("refs/heads/feature"), b + "\n");
        Path code = Files.createDirectories(dir.resolve("repo/target/classes"));
        assertThat(Provenance.Git.describe(code)).containsEntry("commit", a);
        Files.writeString(git.resolve("HEAD"), "ref: refs/heads/feature\n");
        assertThat(Provenance.Git.describe(code)).containsEntry("commit", b);

        // a worktree: .git is a file naming its gitdir, whose commondir is the main repository
        Path wtGit = Files.createDirectories(dir.resolve("repo/.git/worktrees/wt"));
        Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/main\n");
        Files.writeString(wtGit.resolve("commondir"), "../..\n");
        Path wt = Files.createDirectories(dir.resolve("wt"));
        Files.writeString(wt.resolve(".git"), "gitdir: " + wtGit + "\n");
        assertThat(Provenance.Git.describe(wt)).containsEntry("commit", a);

        // detached
        Files.writeString(wtGit.resolve("HEAD"), b + "\n");
        assertThat(Provenance.Git.describe(wt)).containsEntry("commit", b);

        // outside any checkout
        Path bare = Files.createDirectories(Path.of("/tmp").resolve("samtune-no-git-" + ProcessHandle.current().pid()));
        try {
            assertThat(Provenance.Git.describe(bare)).containsEntry("commit", "unknown");
        } finally {
            Files.deleteIfExists(bare);
        }
    }

    /** A build copied out of its checkout still names its commit: the one ./samtune built from. */
    @Test
    void outsideACheckoutTheBuildsCommitIsUsed() throws IOException {
        String c = "fedcba9876543210fedcba9876543210fedcba98";
        java.util.Properties build = new java.util.Properties();
        build.setProperty("version", "9.9.9");
        build.setProperty("commit", c);
        Path bare = Files.createDirectories(Path.of("/tmp").resolve("samtune-built-" + ProcessHandle.current().pid()));
        try {
            assertThat(Provenance.samtune(build, bare)).containsEntry("commit", c)
                    .containsEntry("commit_from", "the build").containsEntry("version", "9.9.9");
            build.setProperty("commit", "${samtune.commit}"); // built by plain mvn: nothing recorded
            assertThat(Provenance.samtune(build, bare)).containsEntry("commit", "unknown");
        } finally {
            Files.deleteIfExists(bare);
        }
        // inside a checkout the checkout's commit wins over the build's
        build.setProperty("commit", c);
        assertThat(Provenance.samtune(build, Path.of("")).get("commit")).isNotEqualTo(c);
    }

    @Test
    void aNewFolderGetsOneEntryAndAContinuedOneAnother() {
        Provenance.capture(List.of()).write(dir, false);
        assertThat(Provenance.read(dir.resolve(Provenance.FILE))).hasSize(1);
        Provenance.capture(List.of()).write(dir, true);
        Provenance.capture(List.of()).write(dir, true);
        assertThat(Provenance.read(dir.resolve(Provenance.FILE))).hasSize(3);
        Provenance.capture(List.of()).write(dir, false);
        assertThat(Provenance.read(dir.resolve(Provenance.FILE))).hasSize(1);
    }

    private static String sha256sum(Path cwd, String... files) throws Exception {
        String[] cmd = new String[files.length + 1];
        cmd[0] = "sha256sum";
        System.arraycopy(files, 0, cmd, 1, files.length);
        String out = run(cwd, cmd);
        org.junit.jupiter.api.Assumptions.assumeTrue(out != null, "sha256sum is not installed");
        return out;
    }

    private static String run(Path cwd, String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toAbsolutePath().toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
