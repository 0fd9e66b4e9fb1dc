package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.testing.Fixtures;

/**
 * {@code train --setup}: Setup 2 takes MedSAM's normalisation and a whole ViT-B SAM (checked on names and shapes of
 * storage-less models: no ViT-B is allocated); Setup 3 picks adapters in encoder and decoder.
 */
class SetupsTest {

    static Map<String, long[]> shapesOf(String arch) {
        Map<String, long[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Sam.buildShapesOnly(m, SamConfig.preset(arch)).stateArrays()
                    .forEach((k, a) -> out.put(k, a.getShape().getShape()));
        }
        return out;
    }

    @Test
    void setup2AcceptsViTBShapesOnly() {
        Map<String, long[]> vitB = Setups.vitBShapes();
        assertThat(vitB).containsKey("image_encoder.blocks.11.attn.qkv.weight");
        Setups.requireVitB(shapesOf("vit_b"), vitB, "medsam_vit_b.pth");
        assertThatThrownBy(() -> Setups.requireVitB(shapesOf("vit_l"), vitB, "sam_vit_l_0b3195.pth"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("sam_vit_l_0b3195.pth")
                .hasMessageContaining("--setup 2 needs a whole ViT-B SAM checkpoint");
        Map<String, long[]> encoderOnly = new LinkedHashMap<>(shapesOf("vit_b"));
        encoderOnly.keySet().removeIf(k -> k.startsWith("mask_decoder."));
        assertThatThrownBy(() -> Setups.requireVitB(encoderOnly, vitB, "enc.pth"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("mask_decoder.");
        // a real file that is not ViT-B (the tiny SAM)
        assertThatThrownBy(() -> Setups.requireVitB(Fixtures.file("sam-tiny", "tiny_sam.pth")))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("tiny_sam.pth");
    }

    @Test
    void presetsSetTheStudysChoices() {
        TrainConfig.Builder b2 = TrainConfig.builder();
        Setups.apply(2, b2, true, null, false, false);
        assertThat(b2.build().normalize()).isEqualTo(TrainConfig.Normalize.MEDSAM);
        assertThatThrownBy(() -> Setups.apply(2, TrainConfig.builder(), true, "sam", false, false))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("--normalize medsam");
        assertThatThrownBy(() -> Setups.apply(2, TrainConfig.builder(), false, null, false, false))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("--checkpoint");

        TrainConfig.Builder b3 = TrainConfig.builder();
        Setups.apply(3, b3, true, null, false, false);
        assertThat(b3.build().plan().tune()).isEqualTo(org.samtune.peft.TuningPlan.Tune.ENCODER_DECODER);
        assertThat(b3.build().plan().method()).isEqualTo(org.samtune.peft.TuningPlan.Method.ADAPTER);
        TrainConfig.Builder b3lora = TrainConfig.builder().method(org.samtune.peft.TuningPlan.Method.LORA);
        Setups.apply(3, b3lora, true, null, false, true);
        assertThat(b3lora.build().plan().method()).isEqualTo(org.samtune.peft.TuningPlan.Method.LORA);
        assertThatThrownBy(() -> Setups.apply(4, TrainConfig.builder(), true, null, false, false))
                .isInstanceOf(SamtuneException.class).hasMessage("--setup: expected 1, 2 or 3, got 4");
    }
}
