package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.data.SamTransforms;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * The official {@code Sam.forward([{image, original_size: (60, 80), boxes}], multimask_output=True)} end to end:
 * Sam.preprocess (data.SamTransforms), image encoder, prompt encoder, mask decoder, postprocess_masks and the
 * 0-logit threshold, against the e2e_box_* fixtures. Tolerance |a − b| ≤ 1e-5 + 1e-4·|b|; binary masks may differ
 * only where PyTorch's logit is within that tolerance of 0.
 */
class SamEndToEndTest {

    @Test
    void boxPromptFromRawImageToMasks() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Sam sam = Sam.fromStateDict(m, Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth")),
                    BlockOrder.OFFICIAL);
            float[] raw = SamFixtures.golden("raw_image").toFloats(); // uint8 used as .float()
            float[] pre = SamTransforms.preprocess(raw, 96, 128, sam.config.imgSize());
            Tolerance.assertClose("raw_image_preprocessed", pre, SamFixtures.golden("raw_image_preprocessed").toFloats(),
                    Tolerance.ATOL, Tolerance.RTOL);
            NDArray image = m.create(pre, new Shape(1, 3, 128, 128));
            NDArray emb = sam.embedImages(image);
            Sam.Prediction p = sam.predict(emb, null, null, SamFixtures.array(m, "e2e_box"), null, true);
            Tolerance.assertClose("e2e_box_low_res_logits", p.lowResLogits(), SamFixtures.golden("e2e_box_low_res_logits"));
            Tolerance.assertClose("e2e_box_iou", p.iouPredictions(), SamFixtures.golden("e2e_box_iou"));
            NDArray logits = SamTransforms.postprocessMasks(p.lowResLogits(), 128, 96, 128, 60, 80);
            float[] expected = SamFixtures.golden("e2e_box_postprocessed_logits").toFloats();
            float[] actual = logits.toFloatArray();
            Tolerance.assertClose("e2e_box_postprocessed_logits", actual, expected, Tolerance.ATOL, Tolerance.RTOL);
            byte[] masks = SamTransforms.threshold(actual);
            float[] golden = SamFixtures.golden("e2e_box_masks").toFloats();
            int differ = 0;
            for (int i = 0; i < masks.length; i++) {
                if (masks[i] != golden[i] && Math.abs(expected[i]) > Tolerance.ATOL + Tolerance.RTOL * Math.abs(expected[i])) {
                    differ++;
                }
            }
            assertThat(masks).hasSize(golden.length);
            assertThat(differ).as("mask pixels differing away from the 0 threshold").isZero();
        }
    }
}
