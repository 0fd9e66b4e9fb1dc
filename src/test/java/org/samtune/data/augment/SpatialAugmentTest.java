package org.samtune.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.data.Golden;

class SpatialAugmentTest {
    private static final int C = 3, H = 17, W = 20;

    @Test
    void rotationMatchesTorchvisionNearestWithFillZero() {
        float[] img = Golden.npy("spatial_image").toFloats();
        for (double angle : new double[] {30.0, -45.0, 12.5, 90.0}) {
            String tag = Double.toString(angle).replace(".", "p").replace("-", "m");
            float[] expected = Golden.npy("rotate_" + tag).toFloats();
            float[] actual = RandomRotation.apply(img, C, H, W, RandomRotation.sourceIndex(H, W, angle));
            assertThat(actual).as("rotate %s", angle).containsExactly(expected);
        }
    }

    @Test
    void resizedCropMatchesTorchvisionNearest() {
        float[] img = Golden.npy("spatial_image").toFloats();
        int[][] boxes = {{2, 3, 9, 11}, {0, 0, 17, 20}, {5, 1, 12, 7}};
        for (int[] b : boxes) {
            RandomResizedCrop.Box box = new RandomResizedCrop.Box(b[0], b[1], b[2], b[3]);
            float[] expected = Golden.npy("crop_" + b[0] + "_" + b[1] + "_" + b[2] + "_" + b[3]).toFloats();
            assertThat(RandomResizedCrop.apply(img, C, H, W, box, H, W)).as("crop %s", box).containsExactly(expected);
        }
    }

    @Test
    void cropSamplingFitsTheImageOrFallsBackToTheCentre() {
        Random rng = new Random(11);
        int fallbacks = 0;
        for (int i = 0; i < 2000; i++) {
            RandomResizedCrop.Box b = RandomResizedCrop.sample(1024, 1024, 0.5, 1.5, 3.0 / 4, 4.0 / 3, rng);
            assertThat(b.top()).isBetween(0, 1024 - b.height());
            assertThat(b.left()).isBetween(0, 1024 - b.width());
            double area = (double) b.height() * b.width() / (1024.0 * 1024.0);
            if (b.height() == 1024 && b.width() == 1024) {
                fallbacks++;
            } else {
                assertThat(area).isBetween(0.5 - 0.01, 1.0);
                assertThat((double) b.width() / b.height()).isBetween(3.0 / 4 - 0.01, 4.0 / 3 + 0.01);
            }
        }
        // scale > 1 never fits: the chance that all 10 tries fail is about P(no fit)^10 with P(fit) roughly 0.4
        assertThat(fallbacks).isBetween(1, 200);
        // a wide image whose ratio is outside [3/4, 4/3] falls back to a centred crop with the ratio clamped
        RandomResizedCrop.Box wide = RandomResizedCrop.sample(10, 100, 5, 6, 3.0 / 4, 4.0 / 3, new Random(1));
        assertThat(wide).isEqualTo(new RandomResizedCrop.Box(0, (100 - 13) / 2, 10, 13));
    }

    @Test
    void imageAndLabelsMoveTogetherAndSeedsReproduce() {
        int h = 64, w = 48;
        float[] img = new float[C * h * w];
        byte[] labels = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int label = (x / 8 + y / 8) % 3 + 1; // never 0, so 0 only comes from fill
                labels[y * w + x] = (byte) label;
                for (int c = 0; c < C; c++) {
                    img[(c * h + y) * w + x] = label * 10 + c;
                }
            }
        }
        Augmentation aug = new Augmentation(Augmentation.Settings.finetuneSam());
        for (int seed = 0; seed < 20; seed++) {
            Augmentation.Spatial s = aug.spatial(img, C, h, w, labels, new Random(seed));
            Augmentation.Spatial again = aug.spatial(img, C, h, w, labels, new Random(seed));
            assertThat(again.image()).isEqualTo(s.image());
            assertThat(s.angleDegrees()).isBetween(-45.0, 45.0);
            for (int i = 0; i < h * w; i++) {
                int label = s.labels()[i];
                for (int c = 0; c < C; c++) {
                    float v = s.image()[c * h * w + i];
                    assertThat(v).isEqualTo(label == 0 ? 0f : label * 10 + c);
                }
            }
        }
    }

    @Test
    void intensityIsReproducibleAndOffMeansUntouched() {
        byte[] rgb = Golden.bytes("rgb");
        byte[] a = rgb.clone();
        byte[] b = rgb.clone();
        Augmentation aug = new Augmentation(Augmentation.Settings.finetuneSam());
        aug.intensity(a, new Random(5));
        aug.intensity(b, new Random(5));
        assertThat(a).isEqualTo(b).isNotEqualTo(rgb);
        byte[] c = rgb.clone();
        new Augmentation(Augmentation.Settings.off()).intensity(c, new Random(5));
        assertThat(c).isEqualTo(rgb);
    }
}
