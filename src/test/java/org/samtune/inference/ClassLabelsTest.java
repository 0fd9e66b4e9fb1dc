package org.samtune.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Tolerance;

/**
 * The one rule from class logits to labels against PyTorch (tools/make_inference_goldens.py, torch 2.13 CPU):
 * segment-anything's postprocess_masks written with torch ops, then torch.argmax. Upsampled logits within
 * |a − b| ≤ 1e-5 + 1e-4·|b|; labels equal everywhere except where torch's two best classes are closer than that
 * tolerance (a float rounding there may pick either), and such pixels must be rare.
 */
class ClassLabelsTest {

    static Map<String, TensorData> goldens() {
        try {
            return Npy.readNpz(Path.of(ClassLabelsTest.class.getResource("/inference/class_labels.npz").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void upsampleThenArgmaxMatchesTorch() {
        Map<String, TensorData> g = goldens();
        int cases = 0;
        for (int k = 0; g.containsKey("c" + k + "_x"); k++, cases++) {
            TensorData x = g.get("c" + k + "_x");
            long[] meta = g.get("c" + k + "_meta").toLongs();
            int classes = (int) x.shape()[1];
            int low = (int) x.shape()[2];
            int img = (int) meta[0];
            int vh = (int) meta[1];
            int vw = (int) meta[2];
            int oh = (int) meta[3];
            int ow = (int) meta[4];
            float[] up = org.samtune.data.SamTransforms.postprocessMasks(x.toFloats(), 1, classes, low, low, img,
                    vh, vw, oh, ow);
            float[] torchUp = g.get("c" + k + "_up").toFloats();
            Tolerance.assertClose("case " + k + " upsampled logits", up, torchUp, Tolerance.ATOL, Tolerance.RTOL);

            int[] labels = ClassLabels.atOriginalSize(x.toFloats(), classes, low, img, vh, vw, oh, ow);
            long[] expected = g.get("c" + k + "_y").toLongs();
            assertThat(labels).hasSize(oh * ow);
            int plane = oh * ow;
            int nearTies = 0;
            for (int p = 0; p < plane; p++) {
                if (labels[p] != expected[p]) {
                    float a = torchUp[labels[p] * plane + p];
                    float b = torchUp[(int) expected[p] * plane + p];
                    assertThat(Math.abs(a - b)).as("case %d pixel %d: label %d, torch %d", k, p, labels[p],
                            expected[p]).isLessThanOrEqualTo((float) (Tolerance.ATOL + Tolerance.RTOL * Math.abs(b)));
                    nearTies++;
                }
            }
            assertThat(nearTies).as("case %d near ties", k).isLessThanOrEqualTo(plane / 1000);

            long[] lowExpected = g.get("c" + k + "_low").toLongs();
            int[] lowLabels = ClassLabels.argmax(x.toFloats(), classes, low * low);
            for (int p = 0; p < low * low; p++) {
                assertThat(lowLabels[p]).as("case %d low-res pixel %d", k, p).isEqualTo((int) lowExpected[p]);
            }
        }
        assertThat(cases).isEqualTo(5);
    }

    @Test
    void tiesGoToTheFirstClassAsTorch() {
        float[] logits = {1, 2, 3, /* class 1 */ 1, 5, 3, /* class 2 */ 1, 5, 0};
        assertThat(ClassLabels.argmax(logits, 3, 3)).containsExactly(0, 1, 0);
    }
}
