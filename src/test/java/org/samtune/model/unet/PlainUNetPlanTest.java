package org.samtune.model.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * nnU-Net v2's 2-D planner for square inputs ({@code get_pool_and_conv_props}, min bottleneck edge 4, features
 * 32·2^i capped at 512), and its deep-supervision weights ({@code nnUNetTrainer._build_loss}).
 */
class PlainUNetPlanTest {

    @Test
    void stagesAndFeaturesAsNnUNetPlansThem() {
        // 256² → 6 halvings (256 … 8 ≥ 8, then 4): nnU-Net's 2d plans for 256² patches have 7 stages
        assertThat(PlainUNetPlan.forSize(256).features()).containsExactly(32, 64, 128, 256, 512, 512, 512);
        assertThat(PlainUNetPlan.forSize(512).features()).containsExactly(32, 64, 128, 256, 512, 512, 512, 512);
        assertThat(PlainUNetPlan.forSize(32).features()).containsExactly(32, 64, 128, 256);
        assertThat(PlainUNetPlan.forSize(64).stages()).isEqualTo(5);
        // 224 → 5 halvings (224 … 14, then 7 < 8): 6 stages, 224 divisible by 32
        assertThat(PlainUNetPlan.forSize(224).stages()).isEqualTo(6);
        assertThat(PlainUNetPlan.poolings(7)).isEqualTo(0);
        assertThat(PlainUNetPlan.poolings(200)).isEqualTo(5); // 200,100,50,25,13 then 7
    }

    @Test
    void aSideNnUNetWouldPadIsRefusedWithTheNearestValidSides() {
        assertThatThrownBy(() -> PlainUNetPlan.forSize(200)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of 32").hasMessageContaining("192 or 224");
        assertThatThrownBy(() -> PlainUNetPlan.forSize(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deepSupervisionWeightsHalveAndDropTheLowest() {
        // 7 stages → 6 outputs: 1, 1/2, 1/4, 1/8, 1/16, 0 normalised by 1.9375
        double[] w = PlainUNetPlan.forSize(256).deepSupervisionWeights();
        assertThat(w).containsExactly(new double[] {1 / 1.9375, 0.5 / 1.9375, 0.25 / 1.9375, 0.125 / 1.9375,
                0.0625 / 1.9375, 0}, Offset.offset(1e-15));
    }
}
