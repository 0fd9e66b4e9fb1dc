package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;

/**
 * SSLSAM-style weights: an image encoder saved alone (with or without SAM's {@code image_encoder.} prefix) is
 * recognised and combines with a whole SAM checkpoint; fixtures are cut from the tiny SAM at test time.
 */
class EncoderCheckpointTest {
    @TempDir Path dir;

    static StateDict tiny() {
        return Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth"));
    }

    /** The tiny SAM's encoder with every value doubled (so it is told apart), prefixed or bare. */
    static Path encoderFile(Path dir, boolean prefixed) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        tiny().tensors().forEach((k, t) -> {
            if (k.startsWith("image_encoder.")) {
                float[] v = t.toFloats();
                for (int i = 0; i < v.length; i++) {
                    v[i] = 2 * v[i] + 0.5f;
                }
                out.put(prefixed ? k : k.substring("image_encoder.".length()), TensorData.ofFloats(v, t.shape()));
            }
        });
        Path f = dir.resolve(prefixed ? "encoder_prefixed.safetensors" : "encoder_bare.safetensors");
        Safetensors.write(f, new StateDict(out, f.toString()), Map.of());
        return f;
    }

    @Test
    void recognisesWhatACheckpointHolds() {
        assertThat(EncoderCheckpoint.holds(tiny())).isEqualTo(EncoderCheckpoint.Holds.WHOLE_SAM);
        assertThat(EncoderCheckpoint.holds(Checkpoints.load(encoderFile(dir, true))))
                .isEqualTo(EncoderCheckpoint.Holds.ENCODER_ONLY);
        StateDict bare = Checkpoints.load(encoderFile(dir, false));
        assertThat(EncoderCheckpoint.holds(bare)).isEqualTo(EncoderCheckpoint.Holds.BARE_ENCODER);
        assertThat(EncoderCheckpoint.encoderOf(bare).keys()).allMatch(k -> k.startsWith("image_encoder."))
                .hasSize((int) tiny().keys().stream().filter(k -> k.startsWith("image_encoder.")).count());
        StateDict other = new StateDict(Map.of("fc.weight", TensorData.ofFloats(new float[4], 2, 2)), "resnet.pth");
        assertThat(EncoderCheckpoint.holds(other)).isEqualTo(EncoderCheckpoint.Holds.OTHER);
        assertThatThrownBy(() -> EncoderCheckpoint.encoderOf(other)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("resnet.pth").hasMessageContaining("holds no SAM image encoder");
    }

    @Test
    void encoderFromReplacesTheEncoderOnly() {
        for (boolean prefixed : new boolean[] {true, false}) {
            Path enc = encoderFile(dir, prefixed);
            StateDict encSd = EncoderCheckpoint.encoderOf(Checkpoints.load(enc));
            StateDict base = tiny();
            try (NDManager m = NDManager.newBaseManager()) {
                SamModels.Built b = SamModels.build(m, null, 0, BlockOrder.OFFICIAL,
                        Fixtures.file("sam-tiny", "tiny_sam.pth"), enc, 1);
                assertThat(b.notFromCheckpoint()).isEmpty();
                StateDict got = b.sam().stateDict();
                for (String k : base.keys()) {
                    float[] want = (k.startsWith("image_encoder.") ? encSd : base).get(k).toFloats();
                    assertThat(got.get(k).toFloats()).as(k).containsExactly(want);
                }
            }
        }
    }

    @Test
    void encoderThatDoesNotFitIsRefused() {
        Map<String, TensorData> out = new LinkedHashMap<>(EncoderCheckpoint.encoderOf(tiny()).tensors());
        out.put("image_encoder.blocks.0.mlp.lin1.weight", TensorData.ofFloats(new float[10 * 48], 10, 48));
        Path f = dir.resolve("wrong.safetensors");
        Safetensors.write(f, new StateDict(out, f.toString()), Map.of());
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> SamModels.build(m, null, 0, BlockOrder.OFFICIAL,
                    Fixtures.file("sam-tiny", "tiny_sam.pth"), f, 1)).isInstanceOf(SamtuneException.class)
                    .hasMessageContaining("wrong.safetensors").hasMessageContaining("image encoder does not fit")
                    .hasMessageContaining("encoder tensors differ").hasMessageContaining("mlp.lin");
        }
    }
}
