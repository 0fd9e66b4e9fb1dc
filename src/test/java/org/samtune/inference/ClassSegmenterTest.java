package org.samtune.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.BlockOrder;
import org.samtune.model.PretrainedSam;
import org.samtune.model.Sam;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * The inference path (encoder → {@link PromptDecoder} with each prompt kind → {@link ClassLabels}) against the
 * official segment-anything outputs of the tiny model (fixtures/sam-tiny: image.npy is the preprocessed 128²
 * input; *_mm_low_res_logits are {@code multimask_output=True} decoder logits). Tolerance
 * |a − b| ≤ 1e-5 + 1e-4·|b|.
 */
class ClassSegmenterTest {
    static NDManager manager;
    static Sam sam;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        sam = PretrainedSam.load(manager, Fixtures.file("sam-tiny", "tiny_sam.pth"), null, BlockOrder.OFFICIAL);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static ModelInput input(Prompts prompts, int origH, int origW) {
        return new ModelInput(Fixtures.npy("sam-tiny", "image").toFloats(), 128, 128, 128, origH, origW, prompts);
    }

    static float[] golden(String name) {
        return Fixtures.npy("sam-tiny", name).toFloats();
    }

    @Test
    void everyPromptKindDecodesAsSegmentAnything() {
        ClassSegmenter s = new ClassSegmenter(sam);
        assertThat(s.classes()).isEqualTo(3);
        assertThat(s.lowResSize()).isEqualTo(32);
        Tolerance.assertClose("no prompt", s.lowResLogits(input(Prompts.NONE, 128, 128)),
                golden("no_prompt_mm_low_res_logits"), Tolerance.ATOL, Tolerance.RTOL);
        Tolerance.assertClose("box", s.lowResLogits(input(Prompts.boxes(golden("box")), 128, 128)),
                golden("box_mm_low_res_logits"), Tolerance.ATOL, Tolerance.RTOL);
        TensorData labels = Fixtures.npy("sam-tiny", "points2_labels");
        float[] l = new float[labels.toLongs().length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.toLongs()[i];
        }
        Tolerance.assertClose("two points", s.lowResLogits(input(Prompts.points(golden("points2_coords"), l), 128,
                128)), golden("points2_mm_low_res_logits"), Tolerance.ATOL, Tolerance.RTOL);
        float[] l1 = {Fixtures.npy("sam-tiny", "point1_labels").toLongs()[0]};
        Tolerance.assertClose("point and box", s.lowResLogits(input(new Prompts(golden("point1_coords"), l1,
                golden("box")), 128, 128)), golden("point_box_mm_low_res_logits"), Tolerance.ATOL, Tolerance.RTOL);
    }

    @Test
    void labelsAreTheOneRuleOnTheDecoderLogits() {
        ClassSegmenter s = new ClassSegmenter(sam);
        ModelInput in = input(Prompts.NONE, 90, 70);
        float[] torchLow = golden("no_prompt_mm_low_res_logits");
        int[] fromTorch = ClassLabels.atOriginalSize(torchLow, 3, 32, 128, 128, 128, 90, 70);
        int[] ours = s.segment(in);
        assertThat(ours).hasSize(90 * 70);
        int differ = 0;
        for (int p = 0; p < ours.length; p++) {
            differ += ours[p] != fromTorch[p] ? 1 : 0;
        }
        // logits agree to 1e-4 relative; only a pixel at a near tie could flip
        assertThat(differ).isLessThanOrEqualTo(ours.length / 1000);
        assertThat(s.logits(in)).hasSize(3 * 90 * 70);
        int[] low = s.segmentLowRes(in);
        assertThat(low).containsExactly(ClassLabels.argmax(s.lowResLogits(in), 3, 32 * 32));
    }

    @Test
    void promptsFromTheOriginalFrameScaleLikeResizeLongestSide() {
        // a 60×80 original shown to the model as 96×128 (ResizeLongestSide(128)): factor 1.6 on both axes
        Prompts p = Prompts.fromOriginal(new double[] {10, 20}, new int[] {0}, new double[] {1, 2, 30, 40}, 60, 80,
                96, 128);
        assertThat(p.pointCoords()).containsExactly(16f, 32f);
        assertThat(p.pointLabels()).containsExactly(0f);
        assertThat(p.boxes()).containsExactly(1.6f, 3.2f, 48f, 64f);
        // the same as SAM's apply_coords on this pair of sizes
        double[] sam = new org.samtune.data.resize.ResizeLongestSide(128).applyCoords(new double[] {10, 20}, 60, 80);
        assertThat(new double[] {p.pointCoords()[0], p.pointCoords()[1]}).containsExactly(sam[0], sam[1]);
    }
}
