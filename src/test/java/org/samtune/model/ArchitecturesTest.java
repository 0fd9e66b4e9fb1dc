package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;
import org.samtune.model.nn.Compute;
import org.samtune.testing.Fixtures;

/** The registry's lookups: SAM-only verbs, and "custom" (a ViT of other shapes) as one entry built from its checkpoint. */
class ArchitecturesTest {

    @Test
    void customIsDetectedAndBuiltFromTheCheckpointOnly() {
        StateDict tiny = Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        assertThat(Architectures.detect(tiny)).isSameAs(Architectures.CUSTOM);
        assertThat(Architectures.forCheckpoint("custom", "--arch")).isSameAs(Architectures.CUSTOM);
        assertThat(Architectures.forCheckpoint("vit_b", "--arch")).isSameAs(Architectures.VIT_B);
        assertThat(Architectures.ALL).doesNotContain(Architectures.CUSTOM);
        assertThatThrownBy(() -> Architectures.get("custom", "--arch")).isInstanceOf(SamtuneException.class)
                .hasMessageStartingWith("--arch: 'custom' is not one of vit_b");
        try (NDManager m = Compute.newManager()) {
            Sam sam = Architectures.CUSTOM.create(m, tiny, 0, BlockOrder.OFFICIAL);
            assertThat(sam.config).isEqualTo(SamConfig.infer(tiny));
            assertThatThrownBy(() -> Architectures.CUSTOM.create(m, null, 0, BlockOrder.OFFICIAL))
                    .isInstanceOf(SamtuneException.class)
                    .hasMessageStartingWith("--arch custom: the shapes come from a checkpoint");
        }
    }

    @Test
    void samOnlyLookupListsTheSamArchitectures() {
        assertThat(Architectures.samNames()).isEqualTo("vit_b, vit_l, vit_h, vit_t, compact");
        assertThat(Architectures.getSam("compact", "--arch", "bench")).isSameAs(Architectures.COMPACT);
        assertThatThrownBy(() -> Architectures.getSam("unet-plain", "--arch", "bench"))
                .hasMessageStartingWith("bench: --arch unet-plain is not a SAM");
        assertThatThrownBy(() -> Architectures.getSam("vit_x", "--arch", "bench"))
                .hasMessage("--arch: 'vit_x' is not one of vit_b, vit_l, vit_h, vit_t, compact");
    }
}
