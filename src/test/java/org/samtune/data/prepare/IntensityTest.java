package org.samtune.data.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;
import org.samtune.testing.Fixtures;

/** Expected values computed by hand; the percentiles also checked with numpy 1.24 np.percentile. */
class IntensityTest {

    @Test
    void ctWindows() {
        // Soft tissue 40/400: −160..240 HU → 0..1.
        assertThat(Intensity.window(new float[] {-1000, -160, 40, 140, 240, 3000}, Intensity.SOFT_TISSUE))
                .containsExactly(0f, 0f, 0.5f, 0.75f, 1f, 1f);
        // Lung −600/1500: −1350..150.
        assertThat(Intensity.window(new float[] {-600, -975, 150}, Intensity.LUNG)).containsExactly(0.5f, 0.25f, 1f);
        // Brain 40/80: 0..80.
        assertThat(Intensity.window(new float[] {20, -5}, Intensity.BRAIN)).containsExactly(0.25f, 0f);
        // Bone 400/1800: −500..1300.
        assertThat(Intensity.window(new float[] {850}, Intensity.BONE)).containsExactly(0.75f);
        // Liver 60/150: −15..135.
        assertThat(Intensity.window(new float[] {22.5f}, Intensity.LIVER)).containsExactly(0.25f);
        // Custom 50/100 onto 0..255: 25 HU is a quarter of the way.
        assertThat(Intensity.window(new float[] {25, Float.NaN}, new Intensity.Window(50, 100), 255))
                .containsExactly(63.75f, Float.NaN);
        assertThat(Intensity.preset("Lung")).isEqualTo(Intensity.LUNG);
        assertThatThrownBy(() -> Intensity.preset("abdomen")).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("bone, brain, liver, lung, soft-tissue");
        assertThatThrownBy(() -> new Intensity.Window(40, 0)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("width > 0");
    }

    @Test
    void percentilesAsNumpyLinear() {
        float[] v = {4, 1, 3, 2};
        // np.percentile([4,1,3,2], [0,25,50,100]) = [1, 1.75, 2.5, 4]
        assertThat(Intensity.percentiles(v, 0, 25, 50, 100)).containsExactly(1, 1.75, 2.5, 4);
        float[] ramp = new float[101];
        for (int i = 0; i <= 100; i++) {
            ramp[i] = i;
        }
        assertThat(Intensity.percentiles(ramp, 0.5, 99.5)).containsExactly(0.5, 99.5);
        assertThat(Intensity.percentile(new float[] {Float.NaN, 1, 3}, 50)).isEqualTo(2);
        // np.percentile(np.arange(1000, dtype=np.float32)**1.5, [0.5, 99.5, 37.3])
        float[] pow = new float[1000];
        for (int i = 0; i < pow.length; i++) {
            pow[i] = (float) Math.pow(i, 1.5);
        }
        assertThat(Intensity.percentiles(pow, 0.5, 99.5, 37.3)).satisfies(p -> {
            assertThat(p[0]).isCloseTo(11.1644381, within(1e-5));
            assertThat(p[1]).isCloseTo(31338.8361, within(2e-3));
            assertThat(p[2]).isCloseTo(7193.02824, within(1e-3));
        });
        assertThatThrownBy(() -> Intensity.percentile(new float[] {Float.NaN}, 50))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Intensity.percentile(v, 101)).isInstanceOf(SamtuneException.class);
    }

    @Test
    void percentileClipping() {
        float[] ramp = new float[101];
        for (int i = 0; i <= 100; i++) {
            ramp[i] = i;
        }
        float[] out = Intensity.percentileClip(ramp);
        // lo 0.5, hi 99.5: (x − 0.5) / 99.
        assertThat(out[0]).isEqualTo(0f);
        assertThat(out[25]).isEqualTo((float) (24.5 / 99));
        assertThat(out[50]).isEqualTo(0.5f);
        assertThat(out[100]).isEqualTo(1f);
        // Foreground only (MedSAM): percentiles over {1, 2, 3, 4, 5}; 25th = 2, 75th = 4; zeros stay 0.
        float[] fg = {0, 0, 0, 1, 2, 3, 4, 5};
        assertThat(Intensity.percentileClip(fg, 25, 75, true)).containsExactly(0, 0, 0, 0, 0, 0.5f, 1, 1);
        assertThat(Intensity.percentileClip(fg, 0, 100, true)).containsExactly(0, 0, 0, 0, 0.25f, 0.5f, 0.75f, 1);
        // Over all values instead: 25th of the 8 values is h = 1.75 → 0; 75th h = 5.25 → 3.25.
        assertThat(Intensity.percentileClip(fg, 25, 75, false)[5]).isEqualTo((float) (3 / 3.25));
        // A constant image has no range: all 0.
        assertThat(Intensity.percentileClip(new float[] {7, 7, 7})).containsExactly(0, 0, 0);
        assertThat(Intensity.percentileClip(new float[] {0, 0}, 1, 99, true)).containsExactly(0, 0);
        assertThatThrownBy(() -> Intensity.percentileClip(ramp, 90, 10, false)).isInstanceOf(SamtuneException.class);
    }

    @Test
    void zScore() {
        // mean 2.5, population std √1.25.
        float[] z = Intensity.zScore(new float[] {1, 2, 3, 4}, false);
        double s = Math.sqrt(1.25);
        assertThat(z).containsExactly((float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s));
        // Non-zero only: mean 3, std 1 over {2, 4}; zeros stay.
        assertThat(Intensity.zScore(new float[] {0, 0, 2, 4}, true)).containsExactly(0, 0, -1, 1);
        // std 0 divides by 1.
        assertThat(Intensity.zScore(new float[] {5, 5}, false)).containsExactly(0, 0);
    }

    @Test
    void perVolumeOnColin27() {
        Volume v = Nifti.read(Fixtures.data("colin27/ch2.nii.gz"));
        Volume n = v.withData(Intensity.percentileClip(v.data(), 0.5, 99.5, true));
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        long ones = 0;
        double sum = 0;
        for (float x : n.data()) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            ones += x == 1f ? 1 : 0;
            sum += x;
        }
        assertThat(min).isEqualTo(0f);
        assertThat(max).isEqualTo(1f);
        // numpy on the same voxels (MedSAM's pre_MR.py steps): percentiles of voxels > 0 are 10 and 188;
        // 21008 voxels reach 1; the sum is 1546711.247; the centre voxel (33) becomes 23/178.
        assertThat(ones).isEqualTo(21008);
        assertThat(sum).isCloseTo(1546711.247191011, within(0.05));
        assertThat(n.get(90, 108, 90)).isEqualTo((float) (23.0 / 178));
        assertThat(n.sameGrid(v)).isTrue();
    }
}
