package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.NativeHeap;

/** {@code samtune bench pretrain} at a small size: three rows (supervised, mae, prompts); bad flags exit 2. */
class BenchPretrainCommandTest {
    @Test
    void measuresThePretrainingStepsBesideASupervisedOne() {
        CliRun r = CliRun.of("bench", "pretrain", "--arch", "compact", "--image-size", "64", "--batch", "2",
                "--steps", "1", "--matmul-size", "64", "--matmul-runs", "1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> rows = r.out().lines().filter(l -> l.matches("^(supervised|mae|prompts) .*")).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("supervised");
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            assertThat(Long.parseLong(f[1])).as(row).isPositive();
            assertThat(Double.parseDouble(f[2])).as(row).isPositive();
            assertThat(Double.parseDouble(f[5])).as(row).isPositive();
        }
        assertThat(rows.get(0).trim().split("\\s+")[3]).isEqualTo("1.00");
        assertThat(r.out()).contains("matmul_gflops:").contains("loadavg:")
                .contains("native_memory: " + NativeHeap.state() + "\n");
        assertThat(CliRun.of("bench", "--help").out()).contains("pretrain");
    }

    @Test
    void badFlagsAreOneLine() {
        CliRun r = CliRun.of("bench", "pretrain", "--arch", "unet-plain");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("samtune: error: bench pretrain: --arch unet-plain is not a SAM")
                .doesNotContain("\n");
        r = CliRun.of("bench", "pretrain", "--arch", "compact", "--image-size", "72");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--image-size: expected a positive multiple of 16");
    }
}
