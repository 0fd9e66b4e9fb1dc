package org.samtune.data.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.Golden;

class PromptSamplerTest {

    @ParameterizedTest
    @ValueSource(strings = {"rect", "disc", "ell", "noise"})
    void distanceTransformEqualsOpenCv(String shape) {
        TensorData mask = Golden.npy("dist_" + shape + "_mask");
        long[] s = mask.shape();
        byte[] m = Golden.bytes("dist_" + shape + "_mask");
        float[] actual = ChamferDistance.l2Mask5(m, (int) s[1], (int) s[0]);
        assertThat(actual).containsExactly(Golden.npy("dist_" + shape).toFloats());
    }

    @Test
    void distanceTransformOnKnownShapes() {
        // 5×5 block in a 7×7 zero frame: centre is 3 steps from the frame (3.0), a corner pixel 1.0, and the pixel
        // next to a corner diagonally inside is min(2·1, 1.4) = 1.4 (chamfer weight b, not √2).
        byte[] m = new byte[49];
        for (int y = 1; y <= 5; y++) {
            for (int x = 1; x <= 5; x++) {
                m[y * 7 + x] = 1;
            }
        }
        float[] d = ChamferDistance.l2Mask5(m, 7, 7);
        assertThat(d[3 * 7 + 3]).isEqualTo(3f);
        assertThat(d[1 * 7 + 1]).isEqualTo(1f);
        assertThat(d[2 * 7 + 2]).isEqualTo(2f);
        assertThat(d[0]).isZero();
        // knight's move: a single zero pixel at (0,0) in a 3×3 foreground → d(2,1) = 2.1969 (c) in 16.16 fixed point
        byte[] k = new byte[9];
        Arrays.fill(k, (byte) 1);
        k[0] = 0;
        float[] dk = ChamferDistance.l2Mask5(k, 3, 3);
        assertThat(dk[1 * 3 + 2]).isEqualTo(Math.round(2.1969f * 65536) / 65536f);
        assertThat(dk[1 * 3 + 1]).isEqualTo(Math.round(1.4f * 65536) / 65536f);
    }

    /** Three components: A 12 px (first in raster order), B 20 px, C 12 px (later); D 1 px. */
    private static byte[] fourComponents(int w, int h) {
        byte[] m = new byte[w * h];
        fill(m, w, 1, 1, 4, 3);    // A: 4×3 = 12
        fill(m, w, 10, 1, 5, 4);   // B: 5×4 = 20
        fill(m, w, 1, 10, 3, 4);   // C: 3×4 = 12
        m[15 * w + 15] = 1;        // D: 1
        return m;
    }

    private static void fill(byte[] m, int w, int x0, int y0, int bw, int bh) {
        for (int y = y0; y < y0 + bh; y++) {
            for (int x = x0; x < x0 + bw; x++) {
                m[y * w + x] = 1;
            }
        }
    }

    @Test
    void componentsAreEightConnectedAndOrderedLikeTheReference() {
        int w = 20, h = 20;
        byte[] m = fourComponents(w, h);
        m[4 * w + 5] = 1; // touches A only diagonally (A ends at (4,3)) → joins A with 8-connectivity: A = 13
        ConnectedComponents cc = ConnectedComponents.label(m, w, h);
        assertThat(cc.count()).isEqualTo(4);
        assertThat(cc.labelAt(1, 1)).isEqualTo(1);
        assertThat(cc.labelAt(5, 4)).isEqualTo(1);
        assertThat(cc.area(1)).isEqualTo(13);
        // B(20) > A(13) > C(12) > D(1)
        assertThat(cc.byAreaDescending()).containsExactly(cc.labelAt(10, 1), 1, cc.labelAt(1, 10), cc.labelAt(15, 15));
        // ties: equal areas → the later label first (sorted ascending by (ratio, label), then reversed)
        ConnectedComponents tie = ConnectedComponents.label(fourComponents(w, h), w, h);
        assertThat(tie.byAreaDescending()).containsExactly(tie.labelAt(10, 1), tie.labelAt(1, 10), 1, tie.labelAt(15, 15));
    }

    @Test
    void pointsLieInTheMostInteriorPixelsOfTheLargestComponents() {
        int w = 20, h = 20;
        byte[] m = fourComponents(w, h);
        ConnectedComponents cc = ConnectedComponents.label(m, w, h);
        List<Integer> top3 = cc.byAreaDescending().subList(0, 3);
        for (int seed = 0; seed < 200; seed++) {
            PromptSampler.Points p = PromptSampler.points(m, w, h, PromptSampler.Regions.largest(3), new Random(seed));
            assertThat(p.labels()).containsOnly(1f);
            int[] perComponent = new int[cc.count() + 1];
            for (int i = 0; i < PromptSampler.MAX_POINTS; i++) {
                int x = (int) p.coords()[2 * i];
                int y = (int) p.coords()[2 * i + 1];
                int label = cc.labelAt(x, y);
                assertThat(top3).contains(label);
                int[] interior = PromptSampler.interiorPixels(cc.mask(label), w, h);
                assertThat(interior).contains(y * w + x);
                if (i < PromptSampler.PROMPT_POINTS) {
                    perComponent[label]++;
                }
            }
            // padding repeats the fifth point
            for (int i = PromptSampler.PROMPT_POINTS; i < PromptSampler.MAX_POINTS; i++) {
                assertThat(p.coords()[2 * i]).isEqualTo(p.coords()[2 * (PromptSampler.PROMPT_POINTS - 1)]);
                assertThat(p.coords()[2 * i + 1]).isEqualTo(p.coords()[2 * (PromptSampler.PROMPT_POINTS - 1) + 1]);
            }
            // random composition of 5 over 3 components: each gets at least one
            for (int label : top3) {
                assertThat(perComponent[label]).isPositive();
            }
            // the ground truth becomes the union of the chosen components: D is gone
            assertThat(p.mask()[15 * w + 15]).isZero();
            assertThat(sum(p.mask())).isEqualTo(20 + 12 + 12);
        }
    }

    @Test
    void interiorThresholdPicksTheCentreOfABlock() {
        // a 7×7 block: distances 1..4 (ring by ring: 24, 16, 8, 1 pixels); 10% of 49 → index 4 → value 3 → the 9
        // pixels of the two innermost rings.
        int w = 9, h = 9;
        byte[] m = new byte[w * h];
        fill(m, w, 1, 1, 7, 7);
        int[] interior = PromptSampler.interiorPixels(m, w, h);
        assertThat(interior).hasSize(9);
        for (int idx : interior) {
            assertThat(idx % w).isBetween(3, 5);
            assertThat(idx / w).isBetween(3, 5);
        }
    }

    @Test
    void boxesContainTheirComponentsAndStayInsideTheImage() {
        int w = 20, h = 20;
        byte[] m = fourComponents(w, h);
        ConnectedComponents cc = ConnectedComponents.label(m, w, h);
        List<Integer> order = cc.byAreaDescending();
        for (int seed = 0; seed < 200; seed++) {
            PromptSampler.Boxes b = PromptSampler.boxes(m, w, h, PromptSampler.Regions.largest(3), new Random(seed));
            assertThat(b.count()).isEqualTo(3);
            for (int r = 0; r < 3; r++) {
                float x0 = b.boxes()[4 * r], y0 = b.boxes()[4 * r + 1], x1 = b.boxes()[4 * r + 2], y1 = b.boxes()[4 * r + 3];
                assertThat(x0).isBetween(0f, (float) w);
                assertThat(x1).isBetween(0f, (float) w);
                assertThat(y0).isBetween(0f, (float) h);
                assertThat(y1).isBetween(0f, (float) h);
                byte[] comp = cc.mask(order.get(r));
                for (int i = 0; i < comp.length; i++) {
                    if (comp[i] != 0) {
                        assertThat(i % w).isBetween((int) Math.ceil(x0), (int) Math.floor(x1));
                        assertThat(i / w).isBetween((int) Math.ceil(y0), (int) Math.floor(y1));
                    }
                }
            }
            // B is 5 wide (x 10..14): jitter ≤ 0.1·4 per side
            assertThat(b.boxes()[0]).isBetween(10 - 0.4f, 10f);
            assertThat(b.boxes()[2]).isBetween(14f, 14 + 0.4f);
        }
        // two components with k = 3: the last box is repeated
        byte[] two = new byte[w * h];
        fill(two, w, 2, 2, 3, 3);
        fill(two, w, 10, 10, 2, 2);
        PromptSampler.Boxes b = PromptSampler.boxes(two, w, h, PromptSampler.Regions.largest(3), new Random(1));
        assertThat(Arrays.copyOfRange(b.boxes(), 8, 12)).containsExactly(Arrays.copyOfRange(b.boxes(), 4, 8));
        assertThat(sum(b.mask())).isEqualTo(13);
    }

    @Test
    void boxJitterIsClippedToWidthAndHeightNotMinusOne() {
        int w = 10, h = 10;
        byte[] m = new byte[w * h];
        fill(m, w, 0, 0, 10, 10);
        float[] box = PromptSampler.jitteredBox(m, w, h, new Random(3));
        assertThat(box[0]).isEqualTo(0f);
        assertThat(box[1]).isEqualTo(0f);
        assertThat(box[2]).isBetween(9f, 10f);
        assertThat(box[3]).isBetween(9f, 10f);
    }

    @Test
    void emptyMaskGivesPaddingPromptsAndAnEmptyTarget() {
        byte[] empty = new byte[64];
        PromptSampler.Points p = PromptSampler.points(empty, 8, 8, PromptSampler.Regions.largest(3), new Random(0));
        assertThat(p.labels()).containsOnly(-1f);
        assertThat(p.coords()).containsOnly(0f);
        assertThat(sum(p.mask())).isZero();
        PromptSampler.Boxes b = PromptSampler.boxes(empty, 8, 8, PromptSampler.Regions.largest(3), new Random(0));
        assertThat(b.boxes()).hasSize(12).containsOnly(0f);
    }

    @Test
    void randomSumToIsAPositiveCompositionOfFive() {
        Random rng = new Random(9);
        for (int terms = 1; terms <= 4; terms++) {
            for (int i = 0; i < 100; i++) {
                int[] parts = PromptSampler.randomSumTo(5, terms, rng);
                assertThat(parts).hasSize(terms);
                assertThat(Arrays.stream(parts).sum()).isEqualTo(5);
                assertThat(Arrays.stream(parts).min().getAsInt()).isPositive();
            }
        }
    }

    @Test
    void regionSpellings() {
        assertThat(PromptSampler.Regions.parse("largest_3")).isEqualTo(PromptSampler.Regions.largest(3));
        assertThat(PromptSampler.Regions.parse("random").random()).isTrue();
        assertThatThrownBy(() -> PromptSampler.Regions.parse("largest_x")).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("largest_K");
        assertThatThrownBy(() -> PromptSampler.Regions.parse("hybrid")).isInstanceOf(SamtuneException.class);
    }

    private static int sum(byte[] m) {
        int s = 0;
        for (byte b : m) {
            s += b;
        }
        return s;
    }
}
