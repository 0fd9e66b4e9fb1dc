package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.testing.Fixtures;

/** {@code samtune pretrain mae} on the command line: help, one-line errors with exit 2, nothing half-written. */
class PretrainCommandTest {
    @TempDir Path dir;

    @Test
    void helpListsTheVerbAndItsFlags() {
        CliRun r = CliRun.of("pretrain", "mae", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--images").contains("--mask-ratio").contains("--encoder-from")
                .contains("--resume").contains("docs/setups.md");
        assertThat(CliRun.of("--help").out()).contains("pretrain");
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        CliRun none = CliRun.of("pretrain", "mae", "--arch", "compact", "--out", dir.resolve("r0").toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err().strip()).startsWith("samtune: error: pretrain mae: --images is required")
                .doesNotContain("\n");

        Path blank = Files.createDirectories(dir.resolve("blank"));
        Images2D.writePng(blank.resolve("zero.png"), new Image2D(20, 20, 1, 8, new float[400]));
        Path run = dir.resolve("r1");
        CliRun empty = CliRun.of("pretrain", "mae", "--checkpoint",
                Fixtures.file("sam-tiny", "tiny_sam.pth").toString(), "--images", blank.toString(), "--out",
                run.toString());
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("samtune: error: no images found").contains("empty");
        assertThat(run.resolve("config.yaml")).doesNotExist();

        CliRun ratio = CliRun.of("pretrain", "mae", "--images", blank.toString(), "--arch", "compact",
                "--mask-ratio", "1.5", "--out", dir.resolve("r2").toString());
        assertThat(ratio.code()).isEqualTo(2);
        assertThat(ratio.err()).contains("--mask-ratio: expected a fraction in (0, 1), got 1.5");
    }
}
