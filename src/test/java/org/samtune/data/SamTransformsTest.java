package org.samtune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;
import org.samtune.data.resize.TorchvisionLabelResize;

/** SAM's preprocess / postprocess_masks against the sam-tiny PyTorch fixtures, finetune-SAM's against torchvision. */
class SamTransformsTest {

    @Test
    void preprocessMatchesSam() {
        TensorData raw = Fixtures.npy("sam-tiny", "raw_image"); // (3, 96, 128) uint8
        TensorData expected = Fixtures.npy("sam-tiny", "raw_image_preprocessed"); // (3, 128, 128)
        float[] got = SamTransforms.preprocess(raw.toFloats(), 96, 128, 128);
        // same float32 operations as torch: bit for bit
        Tolerance.assertClose("Sam.preprocess", got, expected.toFloats(), 0, 0);
    }

    @Test
    void postprocessMasksMatchesSam() {
        float[] low = Fixtures.npy("sam-tiny", "e2e_box_low_res_logits").toFloats(); // (1, 3, 32, 32)
        float[] expected = Fixtures.npy("sam-tiny", "e2e_box_postprocessed_logits").toFloats(); // (1, 3, 60, 80)
        TensorData masks = Fixtures.npy("sam-tiny", "e2e_box_masks"); // (1, 3, 60, 80) bool as uint8
        float[] got = SamTransforms.postprocessMasks(low, 1, 3, 32, 32, 128, 96, 128, 60, 80);
        Tolerance.assertClose("postprocess_masks", got, expected, 1e-6, 0);
        assertThat(Tolerance.maxAbsDiff(got, expected)).as("bit-exact for 3 channels").isZero();
        byte[] bin = SamTransforms.threshold(got);
        float[] want = masks.toFloats();
        for (int i = 0; i < bin.length; i++) {
            assertThat((float) bin[i]).as("mask pixel " + i).isEqualTo(want[i]);
        }
    }

    @Test
    void postprocessOfOneMaskAgreesWithTheThreeMaskRun() {
        // multimask_output=False gives C = 1, which torch runs through its channels-last kernel: same values to
        // within float rounding of the three-channel (generic kernel) run
        float[] low = Fixtures.npy("sam-tiny", "e2e_box_low_res_logits").toFloats();
        float[] expected = Fixtures.npy("sam-tiny", "e2e_box_postprocessed_logits").toFloats();
        for (int c = 0; c < 3; c++) {
            float[] one = java.util.Arrays.copyOfRange(low, c * 32 * 32, (c + 1) * 32 * 32);
            float[] got = SamTransforms.postprocessMasks(one, 1, 1, 32, 32, 128, 96, 128, 60, 80);
            float[] want = java.util.Arrays.copyOfRange(expected, c * 60 * 80, (c + 1) * 60 * 80);
            Tolerance.assertClose("single-mask postprocess, mask " + c, got, want, 1e-6, 0);
        }
    }

    @Test
    void ndarrayFormsMatchTheFloatForms() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            float[] low = Fixtures.npy("sam-tiny", "e2e_box_low_res_logits").toFloats();
            ai.djl.ndarray.NDArray lowArr = m.create(low, new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            ai.djl.ndarray.NDArray post = SamTransforms.postprocessMasks(lowArr, 128, 96, 128, 60, 80);
            assertThat(post.getShape().getShape()).containsExactly(1, 3, 60, 80);
            Tolerance.assertClose("ndarray postprocess", post,
                    Fixtures.npy("sam-tiny", "e2e_box_postprocessed_logits"), 0, 0);
            TensorData raw = Fixtures.npy("sam-tiny", "raw_image");
            byte[] hwc = new byte[3 * 96 * 128];
            float[] chw = raw.toFloats();
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 96 * 128; i++) {
                    hwc[i * 3 + c] = (byte) chw[c * 96 * 128 + i];
                }
            }
            ai.djl.ndarray.NDArray pre = SamTransforms.preprocessToArray(m, new UInt8Image(96, 128, 3, hwc), 128);
            assertThat(pre.getShape().getShape()).containsExactly(1, 3, 128, 128);
            Tolerance.assertClose("ndarray preprocess", pre.toFloatArray(),
                    Fixtures.npy("sam-tiny", "raw_image_preprocessed").toFloats(), 0, 0);
        }
    }

    @Test
    void preprocessRejectsImagesLargerThanTheModelInput() {
        assertThatThrownBy(() -> SamTransforms.preprocess(new float[3 * 130 * 10], 130, 10, 128))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fit in 128x128");
        assertThatThrownBy(() -> SamTransforms.preprocess(new float[7], 2, 2, 128))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 7");
    }

    @Test
    void finetuneSamPreprocessingMatchesTorchvision() {
        Map<String, TensorData> npz = KernelGoldens.load("finetune_sam_pre.npz");
        int n = KernelGoldens.caseCount(npz);
        assertThat(n).isEqualTo(3);
        for (int k = 0; k < n; k++) {
            UInt8Image x = KernelGoldens.image(npz.get("c" + k + "_x"));
            TensorData y = npz.get("c" + k + "_y");
            int size = (int) y.shape()[1];
            FinetuneSamPreprocessing.Normalization norm = npz.get("c" + k + "_norm").toLongs()[0] == 0
                    ? FinetuneSamPreprocessing.Normalization.SAM : FinetuneSamPreprocessing.Normalization.MEDSAM;
            float[] got = FinetuneSamPreprocessing.image(x, size, norm);
            Tolerance.assertClose("finetune-SAM image case " + k + " " + norm, got, y.toFloats(), 1e-6, 0);

            UInt8Image m = FinetuneSamPreprocessing.mask(KernelGoldens.image(npz.get("c" + k + "_m")), size);
            assertThat(m.pixels()).as("mask case " + k).isEqualTo(KernelGoldens.image(npz.get("c" + k + "_m_y")).pixels());

            // ground truth for the loss: torchvision 0.14 Resize((S/4, S/4)) on the long mask (no antialias)
            int[] labels = new int[m.pixels().length];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = m.pixels()[i] & 0xff;
            }
            int[] gt = TorchvisionLabelResize.resize(labels, 1, size, size, size / 4, size / 4,
                    TorchvisionLabelResize.Antialias.TORCHVISION_0_15);
            assertThat(gt).as("gt case " + k).containsExactly(KernelGoldens.toInts(npz.get("c" + k + "_gt_y")));
        }
    }

    @Test
    void medsamOnAConstantImageGivesZerosNotNaN() {
        float[] chw = new float[3 * 4];
        java.util.Arrays.fill(chw, 0.5f);
        float[] out = FinetuneSamPreprocessing.normalize(chw, FinetuneSamPreprocessing.Normalization.MEDSAM);
        assertThat(out).containsOnly(0f);
    }
}
