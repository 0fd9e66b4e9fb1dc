package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;

/** {@code samtune inspect} on the fixture checkpoints (official, LoRA, adapter, MobileSAM) and on bad input. */
class InspectCommandTest {

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void officialTinySam() {
        CliRun r = run("inspect", Fixtures.file("sam-tiny", "tiny_sam.pth").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("architecture:  custom (SAM ViT of other shapes, configured from its checkpoint)")
                .contains("ViT embed 48, depth 2, heads 2 (head dim 24), window 3, global blocks [1], input 128 px")
                .contains("4 mask tokens (3 multimask outputs / classes)")
                .contains("174 keys, 150,076 elements")
                .contains("adapters/LoRA: none")
                .contains("dtypes:        f32 (174)");
        assertThat(r.out()).containsPattern("image_encoder\\s+[0-9,]+");
    }

    @Test
    void loraCheckpoint() {
        CliRun r = run("inspect", Fixtures.file("sam-tiny", "tiny_sam_lora.pth").toString());
        assertThat(r.code()).as(r.err()).isZero();
        // 2 blocks × (A_q, B_q, A_v, B_v) and 7 decoder attentions × (q, v)
        assertThat(r.out()).contains("LoRA:          rank 4; encoder blocks [0, 1]; 14 mask-decoder projections")
                .contains("210 keys");
    }

    @Test
    void adapterCheckpoint() {
        CliRun r = run("inspect", Fixtures.file("sam-tiny", "tiny_sam_adapter.pth").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("adapters:      encoder blocks [0, 1]; two-way blocks [0, 1]");
    }

    @Test
    void mobileSamIsVitT() {
        CliRun r = run("inspect", Fixtures.file("mobilesam-tiny", "mobilesam_tiny.pth").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("architecture:  vit_t (MobileSAM TinyViT")
                .contains("TinyViT stage 0: 2 MBConv blocks, dim 8")
                .contains("TinyViT stage 1: 2 TinyViT blocks, dim 16")
                .contains("i64");
    }

    @Test
    void notASamCheckpoint(@TempDir Path dir) {
        Path f = dir.resolve("resnet.safetensors");
        Safetensors.write(f, new StateDict(Map.of("fc.weight", TensorData.ofFloats(new float[4], 2, 2)), "x"), Map.of());
        CliRun r = run("inspect", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("samtune: error: resnet.safetensors: not a SAM checkpoint")
                .contains("first key: fc.weight");
    }

    @Test
    void missingFile(@TempDir Path dir) {
        CliRun r = run("inspect", dir.resolve("nope.pth").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("samtune: error: ").contains("nope.pth");
    }

    @Test
    void encoderOnlyCheckpointSaysWhatItHolds(@TempDir Path dir) {
        StateDict tiny = org.samtune.checkpoint.Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        Map<String, TensorData> bare = new java.util.LinkedHashMap<>();
        tiny.tensors().forEach((k, t) -> {
            if (k.startsWith("image_encoder.")) {
                bare.put(k.substring("image_encoder.".length()), t);
            }
        });
        Path f = dir.resolve("sslsam_encoder.safetensors");
        Safetensors.write(f, new StateDict(bare, f.toString()), Map.of());
        CliRun r = run("inspect", f.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("holds:         a SAM image encoder only, saved without the image_encoder. prefix")
                .contains("architecture:  custom image encoder").contains("--encoder-from " + f);
        CliRun whole = run("inspect", Fixtures.file("sam-tiny", "tiny_sam.pth").toString());
        assertThat(whole.out()).contains("holds:         a whole SAM (image encoder, prompt encoder, mask decoder)");
    }
}
