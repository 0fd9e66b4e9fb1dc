package org.samtune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.train.LrSchedule;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * MAE's masking, patchify, per-patch normalisation, loss (and its gradient), cosine schedule and decoder position
 * embedding against numbers computed with PyTorch 2.13 / numpy by tools/make_mae_goldens.py.
 */
class MaeNumericsTest {
    private static final String SET = "mae";

    private static NDArray array(NDManager m, String name) {
        TensorData t = Fixtures.npy(SET, name);
        return m.create(t.toFloats(), new Shape(t.shape()));
    }

    @Test
    void maskFromNoiseEqualsArgsortMasking() {
        float[] noise = Fixtures.npy(SET, "noise").toFloats();
        // exact: the mask is 0/1
        assertThat(MaeMasking.mask(noise, 2, 12, 0.75)).containsExactly(Fixtures.npy(SET, "mask").toFloats());
        assertThat(MaeMasking.mask(noise, 2, 12, 0.5)).containsExactly(Fixtures.npy(SET, "mask_r05").toFloats());
    }

    @Test
    void maskHidesTheRatioOfEveryImage() {
        Random rng = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            int patches = 1 + rng.nextInt(300);
            double ratio = rng.nextDouble() * 0.95;
            float[] mask = MaeMasking.mask(MaeMasking.noise(3, patches, rng), 3, patches, ratio);
            for (int s = 0; s < 3; s++) {
                int hidden = 0;
                for (int i = 0; i < patches; i++) {
                    hidden += (int) mask[s * patches + i];
                }
                assertThat(hidden).isEqualTo(patches - (int) (patches * (1 - ratio)));
            }
        }
        assertThat(MaeMasking.keptPatches(4096, 0.75)).isEqualTo(1024);
        assertThat(MaeMasking.keptPatches(256, 0.75)).isEqualTo(64);
    }

    @Test
    void patchifyNormaliseAndLossMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray imgs = array(m, "imgs");
            NDArray patches = MaeTargets.patchify(imgs, 16);
            // patchify is a permutation: bit for bit
            assertThat(patches.toFloatArray()).containsExactly(Fixtures.npy(SET, "patches").toFloats());
            // per-patch statistics over 768 values, float32 sums: 1e-5 absolute + 1e-4 relative
            Tolerance.assertClose("normalised target", MaeTargets.normalise(patches), Fixtures.npy(SET, "target_norm"));

            NDArray mask = array(m, "mask");
            NDArray pred = array(m, "pred");
            pred.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = MaeTargets.loss(pred, imgs, mask, 16, true);
                Tolerance.assertClose("loss (norm_pix_loss)", new float[] {loss.getFloat()},
                        Fixtures.npy(SET, "loss_norm").toFloats(), Tolerance.ATOL, Tolerance.RTOL);
                gc.backward(loss);
            }
            Tolerance.assertClose("d loss / d pred", pred.getGradient(), Fixtures.npy(SET, "grad_pred"), 1e-7, 1e-4);
            pred.setRequiresGradient(false);
            Tolerance.assertClose("loss (plain pixels)",
                    new float[] {MaeTargets.loss(pred, imgs, mask, 16, false).getFloat()},
                    Fixtures.npy(SET, "loss_plain").toFloats(), Tolerance.ATOL, Tolerance.RTOL);
        }
    }

    @Test
    void constantPatchNormalisesToZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray target = MaeTargets.normalise(MaeTargets.patchify(array(m, "imgs"), 16));
            // image 1, patch row 0, column 1 (index 1) holds one value: (x - mean) / sqrt(var + 1e-6) stays at the
            // float32 rounding of the mean (PyTorch gives the same order), the epsilon keeps it from blowing up
            float[] p = target.get("1,1,:").toFloatArray();
            for (float v : p) {
                assertThat(Math.abs(v)).isLessThan(1e-3f);
            }
        }
    }

    @Test
    void cosineScheduleMatchesMaeAdjustLearningRate() {
        TensorData expected = Fixtures.npy(SET, "lr");
        float[] want = expected.toFloats();
        LrSchedule s = LrSchedule.warmupCosine(1e-3, 2 * 6, 10 * 6, 1e-5);
        float[] got = new float[want.length];
        for (int i = 0; i < got.length; i++) {
            got[i] = (float) s.lrForStep(i);
            if (i > 0) {
                assertThat(s.lrAfterStep(i - 1)).isEqualTo(s.lrForStep(i));
            }
        }
        // rates are computed in double on both sides; compared at float precision
        Tolerance.assertClose("lr per iteration", got, want, 1e-12, 1e-6);
    }

    @Test
    void decoderPositionEmbeddingIsMaesSinCos() {
        Tolerance.assertClose("2-D sin-cos position embedding", MaeDecoder.sinCos2d(32, 4),
                Fixtures.npy(SET, "pos_embed").toFloats(), 1e-6, 1e-6);
    }
}
