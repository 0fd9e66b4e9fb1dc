package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.pretrain.LabelledData;

/**
 * {@code samtune pretrain prompts} on the command line: help, one-line errors with exit 2 and nothing written, and
 * Setup 2's second stage: {@code train --setup 2} fine-tunes a compact (not ViT-B) checkpoint it made.
 */
class PretrainPromptsCommandTest {
    @TempDir Path dir;

    @Test
    void helpListsTheVerbAndItsFlags() {
        CliRun r = CliRun.of("pretrain", "prompts", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--train-list").contains("--val-list").contains("--weights")
                .contains("--tune-prompt-encoder").contains("--resume").contains("docs/setups.md");
        assertThat(CliRun.of("pretrain", "--help").out()).contains("prompts");
    }

    @Test
    void badInputIsOneLineAndExit2() throws Exception {
        Path a = LabelledData.write(dir.resolve("a"), 3, 1, 32, 1, "disc", "square");
        Path run = dir.resolve("run");
        CliRun none = CliRun.of("pretrain", "prompts", "--arch", "compact", "--out", run.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err().strip()).startsWith("samtune: error: pretrain prompts: --train-list is required")
                .doesNotContain("\n");

        CliRun weights = CliRun.of("pretrain", "prompts", "--arch", "compact", "--train-list", a.toString(),
                "--weights", "1,2", "--out", run.toString());
        assertThat(weights.code()).isEqualTo(2);
        assertThat(weights.err().strip())
                .isEqualTo("samtune: error: --weights: expected one weight per --train-list (1), got 2 ([1.0, 2.0])");

        Path b = LabelledData.write(dir.resolve("b"), 3, 1, 32, 2, "disc", "square");
        Files.delete(b.resolveSibling("dataset.yaml"));
        CliRun noYaml = CliRun.of("pretrain", "prompts", "--arch", "compact", "--train-list", a.toString(),
                "--train-list", b.toString(), "--out", run.toString());
        assertThat(noYaml.code()).isEqualTo(2);
        assertThat(noYaml.err().strip()).contains(b.toString()).contains("no dataset.yaml beside the list")
                .doesNotContain("\n");

        CliRun prompt = CliRun.of("pretrain", "prompts", "--arch", "compact", "--train-list", a.toString(),
                "--prompt", "none", "--out", run.toString());
        assertThat(prompt.code()).isEqualTo(2);
        assertThat(prompt.err()).contains("--prompt: expected box or point");
        assertThat(run).doesNotExist();
    }

    @Test
    void setup2FineTunesACompactCheckpointItMade() throws Exception {
        Path a = LabelledData.write(dir.resolve("cortex"), 3, 2, 40, 1, "disc", "square");
        Path b = LabelledData.write(dir.resolve("other"), 2, 1, 40, 2, "disc", "square");
        Path run = dir.resolve("prompts");
        CliRun pre = CliRun.of("pretrain", "prompts", "--arch", "compact", "--train-list", a.toString(),
                "--val-list", a.resolveSibling("val.csv").toString(), "--train-list", b.toString(), "--val-list",
                b.resolveSibling("val.csv").toString(), "--weights", "2,1", "--epochs", "1", "--batch", "4", "--normalize", "sam",
                "--out", run.toString(), "--threads", "2");
        assertThat(pre.code()).as(pre.err()).isZero();
        assertThat(pre.out()).contains("pretrained SAM: " + run.resolve("checkpoints/best.safetensors"));
        assertThat(Files.readString(run.resolve("train.log"))).contains("(cortex ").contains(", other ");

        Path task = LabelledData.write(dir.resolve("task"), 3, 1, 40, 3, "disc", "square");
        CliRun ft = CliRun.of("train", "--setup", "2", "--arch", "compact", "--checkpoint",
                run.resolve("checkpoints/best.safetensors").toString(), "--train-list", task.toString(),
                "--epochs", "1", "--batch", "2", "--out", dir.resolve("ft").toString(), "--threads", "2");
        assertThat(ft.code()).as(ft.err()).isZero();
        assertThat(dir.resolve("ft/config.yaml")).content().contains("arch: compact")
                // Setup 2 takes the normalisation the checkpoint was pretrained with (medsam only for MedSAM's file)
                .contains("normalize: sam");
        CliRun clash = CliRun.of("train", "--setup", "2", "--arch", "compact", "--checkpoint",
                run.resolve("checkpoints/best.safetensors").toString(), "--train-list", task.toString(),
                "--normalize", "medsam", "--out", dir.resolve("ft2").toString());
        assertThat(clash.code()).isEqualTo(2);
        assertThat(clash.err()).contains("--setup 2 uses the normalisation its checkpoint was pretrained with "
                + "(--normalize sam), got --normalize medsam");
        assertThat(dir.resolve("ft2")).doesNotExist();
    }
}
