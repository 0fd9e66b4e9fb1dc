package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.model.EncoderFlops;
import org.samtune.model.TinyViTConfig;

/** The output format of {@code samtune bench encoder} on a tiny input (no timing assertions). */
class BenchCommandTest {

    @Test
    void printsEveryFigure() {
        CliRun r = CliRun.of("bench", "encoder", "--arch", "vit_t", "--size", "64",
                "--runs", "2", "--matmul-size", "64", "--matmul-runs", "2", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> keys = r.out().lines().map(l -> l.substring(0, l.indexOf(':'))).toList();
        assertThat(keys).containsExactly("encoder", "compute", "runs_ms", "forward_ms", "gflop", "gflops", "matmul_gflops",
                "ratio", "peak_rss_mb", "rss_mb", "loadavg");
        assertThat(r.out()).contains("encoder: vit_t 64x64").contains("1 threads");
        assertThat(r.out()).contains("compute: cpu, 1 threads, fp32, attention fused (TorchScript helper)");
        assertThat(r.out()).containsPattern("(?m)^runs_ms: \\d+\\.\\d \\d+\\.\\d$");
        TinyViTConfig v = TinyViTConfig.vitT();
        TinyViTConfig c = new TinyViTConfig(64, 3, 1000, v.embedDims(), v.depths(), v.numHeads(), v.windowSizes(),
                v.mlpRatio(), v.mbconvExpandRatio(), v.localConvSize());
        assertThat(r.out()).contains(String.format(java.util.Locale.ROOT, "gflop: %.2f ", EncoderFlops.tinyViT(c) / 1e9));
        assertThat(r.out()).containsPattern("(?m)^peak_rss_mb: [1-9]\\d*\\.\\d \\(VmHWM\\)$");
    }

    @Test
    void badOptionsAreOneLine() {
        CliRun r = CliRun.of("bench", "encoder", "--arch", "vit_x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim()).isEqualTo("samtune: error: bench encoder --arch: 'vit_x' is not one of vit_b, "
                + "vit_l, vit_h, vit_t, compact");
        r = CliRun.of("bench", "encoder", "--arch", "unet-plain");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("samtune: error: bench encoder: --arch unet-plain is not a SAM");
        r = PredictCommandTest.run("bench", "encoder", "--size", "100");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("multiple of 16 for vit_b, got 100");
    }
}
