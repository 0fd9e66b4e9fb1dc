package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code --precision} on a verb: a bad value is one line and exit 2; bf16 runs where the CPU has native bf16 and is
 * refused with one line (exit 2) where it has not; either way the process's precision is back to fp32 after.
 */
class PrecisionCliTest {

    @Test
    void badValueIsOneLine() {
        CliRun r = CliRun.of("bench", "encoder", "--arch", "vit_t", "--size", "64", "--precision", "fp16");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().trim()).isEqualTo("samtune: error: --precision: expected fp32 or bf16, got 'fp16'");
    }

    @Test
    void bf16RunsOnlyWithNativeSupport() throws Exception {
        String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                .findFirst().orElse("");
        boolean nativeBf16 = flags.contains(" avx512_bf16") || flags.contains(" amx_bf16");
        try {
            CliRun r = CliRun.of("bench", "encoder", "--arch", "vit_t", "--size", "64", "--runs", "1",
                    "--matmul-size", "64", "--matmul-runs", "1", "--threads", "1", "--precision", "bf16");
            if (nativeBf16) {
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).contains("compute: cpu, 1 threads, bf16, attention fused");
            } else {
                assertThat(r.code()).isEqualTo(2);
                assertThat(r.err().trim()).startsWith("samtune: error: --precision bf16: this CPU has no native bf16");
            }
        } finally {
            org.samtune.model.nn.Compute.usePrecision(org.samtune.model.nn.Precision.FP32);
        }
    }
}
