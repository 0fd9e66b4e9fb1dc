package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.NativeHeap;

/** The output format of {@code samtune bench train} on a tiny input (no timing assertions). */
class BenchTrainCommandTest {

    @Test
    void printsOneRowPerStrategy() {
        CliRun r = CliRun.of("bench", "train", "--arch", "compact", "--image-size", "64", "--tune", "decoder",
                "--steps", "2", "--matmul-size", "64", "--matmul-runs", "1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> rows = r.out().lines().filter(l -> l.matches("^(vanilla|adapter|lora) .*")).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("vanilla decoder");
        // strategy, trainable count, step_s, cached_s (frozen encoder), step_matmul, peak_rss_mb, the two steps
        assertThat(rows).allMatch(l -> l.matches(
                "^\\w+ decoder +\\d+ +\\d+\\.\\d\\d +\\d+\\.\\d{3} +\\d+ +[1-9]\\d* +\\d+\\.\\d\\d \\d+\\.\\d\\d$"), "row");
        assertThat(r.out()).contains("bench train: compact 64x64, batch 1").containsPattern("(?m)^matmul_gflops: ")
                .containsPattern("(?m)^loadavg: ").containsPattern("(?m)^native_memory: .+$");

        CliRun enc = CliRun.of("bench", "train", "--arch", "compact", "--image-size", "64", "--tune",
                "encoder+decoder", "--method", "lora", "--steps", "1", "--matmul-size", "64", "--matmul-runs", "1");
        assertThat(enc.code()).as(enc.err()).isZero();
        assertThat(enc.out().lines().filter(l -> l.startsWith("lora encoder+decoder")).toList()).singleElement()
                .matches(l -> l.matches("^lora encoder\\+decoder +\\d+ +\\d+\\.\\d\\d +- .*"));
        // the compact model is SAM's ViT: its encoder training fixed the allocator, and the bench says how
        assertThat(enc.out()).contains("native_memory: " + NativeHeap.state() + "\n");
    }

    @Test
    void badOptionsAreOneLine() {
        CliRun r = CliRun.of("bench", "train", "--arch", "vit_x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(
                "samtune: error: bench train --arch: 'vit_x' is not one of vit_b, vit_l, vit_h, vit_t, compact");
        r = CliRun.of("bench", "train", "--arch", "unet-resnet34");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("samtune: error: bench train: --arch unet-resnet34 is not a SAM");
        r = CliRun.of("bench", "train", "--arch", "compact", "--image-size", "72", "--matmul-size", "8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--image-size: expected a positive multiple of 16");
        r = CliRun.of("bench", "train", "--tune", "everything");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("tune: expected one of decoder, encoder+decoder");
    }
}
