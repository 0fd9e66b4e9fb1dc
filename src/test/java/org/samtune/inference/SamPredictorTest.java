package org.samtune.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.model.BlockOrder;
import org.samtune.model.PretrainedSam;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.resize.ResizeLongestSide;
import org.samtune.data.UInt8Image;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * SamPredictor end to end against PyTorch (segment-anything @ dca509f, fixtures/sam-tiny e2e_box_*): the 96×128
 * input image (a 60×80 original already resized by ResizeLongestSide) and a box in the input frame through the
 * tiny model loaded from tiny_sam.pth → postprocessed logits at 60×80. Tolerance |a − b| ≤ 1e-5 + 1e-4·|b|.
 */
class SamPredictorTest {
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

    /** raw_image.npy (3, 96, 128) uint8 CHW → HWC. */
    static UInt8Image rawImage() {
        TensorData t = Fixtures.npy("sam-tiny", "raw_image");
        float[] chw = t.toFloats();
        int h = (int) t.shape()[1];
        int w = (int) t.shape()[2];
        byte[] hwc = new byte[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                hwc[3 * i + c] = (byte) (int) chw[c * h * w + i];
            }
        }
        return new UInt8Image(h, w, 3, hwc);
    }

    static double[] e2eBox() {
        float[] b = Fixtures.npy("sam-tiny", "e2e_box").toFloats();
        return new double[] {b[0], b[1], b[2], b[3]};
    }

    @Test
    void detectsTheTinyCheckpointAsACustomViT() {
        assertThat(SamModels.detectArch(org.samtune.checkpoint.Checkpoints.load(
                Fixtures.file("sam-tiny", "tiny_sam.pth")))).isEqualTo("custom");
        assertThat(sam.config.imgSize()).isEqualTo(128);
    }

    @Test
    void boxEndToEndMatchesPyTorch() {
        try (SamPredictor p = new SamPredictor(sam)) {
            p.setTransformedImage(rawImage(), 60, 80);
            assertThat(p.inputSize()).containsExactly(96, 128);
            SamPredictor.Prediction r = p.predictTransformed(null, null, e2eBox(), null, true);
            assertThat(r.numMasks()).isEqualTo(3);
            assertThat(r.height()).isEqualTo(60);
            assertThat(r.width()).isEqualTo(80);
            TensorData golden = Fixtures.npy("sam-tiny", "e2e_box_postprocessed_logits");
            Tolerance.assertClose("e2e_box_postprocessed_logits", r.masks(), golden.toFloats(), Tolerance.ATOL,
                    Tolerance.RTOL);
            Tolerance.assertClose("e2e_box_iou", r.iou(), Fixtures.npy("sam-tiny", "e2e_box_iou").toFloats(),
                    Tolerance.ATOL, Tolerance.RTOL);
            Tolerance.assertClose("e2e_box_low_res_logits", r.lowResLogits(),
                    Fixtures.npy("sam-tiny", "e2e_box_low_res_logits").toFloats(), Tolerance.ATOL, Tolerance.RTOL);
            System.out.printf("e2e_box postprocessed logits: max |diff| %.3g over %d values%n",
                    Tolerance.maxAbsDiff(r.masks(), golden.toFloats()), golden.toFloats().length);

            // Thresholded masks equal PyTorch's except where the golden logit is within tolerance of 0.
            float[] masks = Fixtures.npy("sam-tiny", "e2e_box_masks").toFloats();
            float[] logits = golden.toFloats();
            int plane = 60 * 80;
            for (int m = 0; m < 3; m++) {
                byte[] bin = r.binary(m);
                for (int i = 0; i < plane; i++) {
                    if (Math.abs(logits[m * plane + i]) > 1e-4) {
                        assertThat(bin[i]).as("mask %d pixel %d", m, i).isEqualTo((byte) masks[m * plane + i]);
                    }
                }
            }
        }
    }

    @Test
    void promptsInOriginalPixelsAreMappedLikeApplyCoords() {
        // A 60×80 original: resizing to 96×128 happens inside setImage; the box given in original pixels must give
        // exactly what the same box mapped by apply_boxes gives through predictTransformed on that resized image.
        UInt8Image original = org.samtune.data.resize.PilResize.bilinear(rawImage(), 60, 80);
        ResizeLongestSide t = new ResizeLongestSide(128);
        double[] box = {10.5, 7.25, 61, 44};
        double[] point = {30, 20};
        try (SamPredictor p = new SamPredictor(sam)) {
            p.setImage(original);
            assertThat(p.originalSize()).containsExactly(60, 80);
            SamPredictor.Prediction direct = p.predict(point, new int[] {1}, box, null, false);
            p.setTransformedImage(t.applyImage(original), 60, 80);
            SamPredictor.Prediction mapped = p.predictTransformed(t.applyCoords(point, 60, 80), new int[] {1},
                    t.applyBoxes(box, 60, 80), null, false);
            assertThat(direct.numMasks()).isEqualTo(1);
            assertThat(direct.masks()).containsExactly(mapped.masks());
            assertThat(direct.iou()).containsExactly(mapped.iou());
        }
    }

    @Test
    void maskInputFromAnEarlierPredictionChangesTheResult() {
        try (SamPredictor p = new SamPredictor(sam)) {
            p.setTransformedImage(rawImage(), 60, 80);
            SamPredictor.Prediction first = p.predictTransformed(null, null, e2eBox(), null, false);
            assertThat(first.lowSize()).isEqualTo(32);
            SamPredictor.Prediction again = p.predictTransformed(null, null, e2eBox(), first.lowResMask(0), false);
            assertThat(again.masks()).hasSameSizeAs(first.masks());
            assertThat(Tolerance.maxAbsDiff(again.masks(), first.masks())).isGreaterThan(0);
        }
    }

    @Test
    void predictWithoutAnImageIsRefused() {
        try (SamPredictor p = new SamPredictor(sam)) {
            assertThatThrownBy(() -> p.predict(null, null, null, null, true))
                    .isInstanceOf(SamtuneException.class).hasMessageContaining("setImage");
        }
    }
}
