package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;

/** SamConfig presets and inference of the architecture from checkpoint shapes, including bad checkpoints. */
class SamConfigTest {

    static Map<String, long[]> listing(String name) throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        StateDictKeysTest.listing(name).forEach((k, v) -> {
            String inner = v.substring(1, v.length() - 1);
            long[] s = inner.isEmpty() ? new long[0]
                    : java.util.Arrays.stream(inner.split(",")).mapToLong(Long::parseLong).toArray();
            out.put(k, s);
        });
        return out;
    }

    static Map<String, long[]> shapesOf(SamConfig c) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, long[]> out = new LinkedHashMap<>();
            Sam.buildShapesOnly(m, c).stateArrays().forEach((k, a) -> out.put(k, a.getShape().getShape()));
            return out;
        }
    }

    @Test
    void presetsFollowTheSpec() {
        assertThat(SamConfig.vitB().vit().globalAttnIndexes()).containsExactly(2, 5, 8, 11);
        assertThat(SamConfig.vitL().vit().globalAttnIndexes()).containsExactly(5, 11, 17, 23);
        assertThat(SamConfig.vitH().vit().globalAttnIndexes()).containsExactly(7, 15, 23, 31);
        assertThat(SamConfig.vitH().vit().headDim()).isEqualTo(80);
        assertThat(SamConfig.vitB().decoder().numMaskTokens()).isEqualTo(4);
        assertThat(SamConfig.vitB().withNumClasses(2).decoder().numMaskTokens()).isEqualTo(3);
        assertThat(SamConfig.preset("vit_l")).isEqualTo(SamConfig.vitL());
        assertThatThrownBy(() -> SamConfig.preset("vit_x")).hasMessageContaining("vit_x");
    }

    @Test
    void infersOfficialVitBFromItsKeys() throws IOException {
        SamConfig c = SamConfig.infer(listing("vit_b_keys.txt"), "sam_vit_b_01ec64.pth");
        assertThat(c).isEqualTo(SamConfig.vitB());
        assertThat(c.arch()).isEqualTo("vit_b");
    }

    @Test
    void infersVitLAndVitH() {
        assertThat(SamConfig.infer(shapesOf(SamConfig.vitL()), "l")).isEqualTo(SamConfig.vitL());
        assertThat(SamConfig.infer(shapesOf(SamConfig.vitH()), "h")).isEqualTo(SamConfig.vitH());
    }

    @Test
    void infersFinetuneSamLayouts() throws IOException {
        assertThat(SamConfig.infer(listing("vit_b_finetune_sam_numcls2_keys.txt"), "ft"))
                .isEqualTo(SamConfig.vitB().withNumClasses(2));
        assertThat(SamConfig.infer(listing("lora_keys.txt"), "lora")).isEqualTo(SamConfig.vitB());
        assertThat(SamConfig.infer(listing("adapter_keys.txt"), "adapter")).isEqualTo(SamConfig.vitB());
    }

    @Test
    void inferredSizesFollowAnyCustomShape() {
        var v = SamConfig.vitB().vit();
        SamConfig custom = new SamConfig("custom", new SamConfig.ViT(512, 16, 3, 384, 3, 6, 4.0, 256, true, true,
                true, 7, List.of(2), BlockOrder.OFFICIAL), new SamConfig.Prompt(256, 32, 512, 16),
                SamConfig.defaultDecoder(5));
        assertThat(SamConfig.infer(shapesOf(custom), "c")).isEqualTo(custom);
        assertThat(v.gridSize()).isEqualTo(64);
    }

    @Test
    void mobileSamIsReportedAsTinyVit() throws IOException {
        Map<String, long[]> t = listing("vit_t_keys.txt");
        assertThatThrownBy(() -> SamConfig.infer(t, "mobile_sam.pt"))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("mobile_sam.pt").hasMessageContaining("vit_t");
        // its prompt encoder and decoder are SAM's, readable from the same keys
        assertThat(SamConfig.inferDecoder(t, "mobile_sam.pt")).isEqualTo(SamConfig.defaultDecoder(3));
    }

    @Test
    void missingKeyNamesFileAndKey() throws IOException {
        Map<String, long[]> t = listing("vit_b_keys.txt");
        t.remove("mask_decoder.mask_tokens.weight");
        assertThatThrownBy(() -> SamConfig.infer(t, "broken.pth"))
                .isInstanceOf(SamtuneException.class)
                .hasMessage("broken.pth: key mask_decoder.mask_tokens.weight missing (needed to infer the SAM architecture)");
    }

    @Test
    void nonSquareGridIsRejected() throws IOException {
        Map<String, long[]> t = listing("vit_b_keys.txt");
        t.put("image_encoder.pos_embed", new long[] {1, 64, 32, 768});
        assertThatThrownBy(() -> SamConfig.infer(t, "odd.pth"))
                .isInstanceOf(SamtuneException.class)
                .hasMessageStartingWith("odd.pth: image_encoder.pos_embed [1, 64, 32, 768]");
    }

    @Test
    void headDimThatDoesNotDivideIsRejected() throws IOException {
        Map<String, long[]> t = listing("vit_b_keys.txt");
        t.put("image_encoder.blocks.0.attn.rel_pos_h", new long[] {27, 50});
        assertThatThrownBy(() -> SamConfig.infer(t, "odd.pth"))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("rel_pos_h head dim 50");
    }
}
