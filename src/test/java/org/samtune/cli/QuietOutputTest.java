package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.testing.ChildJvm;
import org.samtune.testing.Fixtures;

/**
 * What a user sees besides samtune's own lines: no libtorch deprecation warning (native code writes it to file
 * descriptor 2, so only a child process shows it) and no raw escape codes from the first build.
 */
class QuietOutputTest {
    @TempDir Path dir;

    @Test
    void loadingAndRunningAModelPrintsNoLibtorchWarning() throws Exception {
        float[] grey = new float[64 * 48];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (i * 37) % 251;
        }
        Path png = dir.resolve("slice.png");
        Images2D.writePng(png, new Image2D(64, 48, 1, 8, grey));
        // Loading a checkpoint and initialising the mask tokens copy Java arrays into parameters, which is where
        // DJL's NDArray.set(float[]) entered libtorch's deprecated AutoNonVariableTypeMode.
        ChildJvm.Result r = ChildJvm.run(dir, null, Main.class.getName(), "predict", "--checkpoint",
                Fixtures.file("sam-tiny", "tiny_sam.pth").toString(), "--image", png.toString(), "--point", "30,20",
                "--out", dir.resolve("mask.png").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("AutoNonVariableTypeMode").doesNotContain("Warning:")
                .doesNotContain("\u001b");
        assertThat(dir.resolve("mask.png")).exists();
    }

    @Test
    void firstBuildPrintsNoEscapeCodes() throws Exception {
        Path home = fakeCheckout("printf '\\033[0m\\033[0m'; printf '\\033[0m' >&2; mkdir -p target;"
                + " echo /nowhere.jar > target/classpath.txt");
        Process p = launch(home);
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(all).isZero();
        assertThat(all).doesNotContain("\u001b").contains("samtune: building").contains("java ran");
    }

    @Test
    void aFailedBuildShowsMavensLinesWithoutEscapeCodes() throws Exception {
        Path home = fakeCheckout("printf '\\033[1;31m[ERROR]\\033[m COMPILATION ERROR Foo.java:[3,1]\\n'; exit 1");
        Process p = launch(home);
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(all).doesNotContain("\u001b").contains("[ERROR] COMPILATION ERROR Foo.java:[3,1]")
                .contains("samtune: build failed").doesNotContain("java ran");
    }

    /** A copy of the launcher beside an unbuilt project, with {@code mvn} and {@code java} replaced by scripts. */
    private Path fakeCheckout(String mvnBody) throws IOException {
        Path home = dir.resolve("checkout");
        Files.createDirectories(home.resolve("src/main"));
        Files.writeString(home.resolve("pom.xml"), "<project/>");
        Files.copy(Path.of("samtune"), home.resolve("samtune"));
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        script(bin.resolve("mvn"), mvnBody);
        script(bin.resolve("java"), "echo java ran");
        return home;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process launch(Path home) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("samtune").toString(), "--version")
                .redirectErrorStream(true);
        pb.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        return pb.start();
    }
}
