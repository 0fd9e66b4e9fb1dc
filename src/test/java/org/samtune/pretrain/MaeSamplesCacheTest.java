package org.samtune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.data.FinetuneSamPreprocessing.Normalization;

class MaeSamplesCacheTest {
    @TempDir
    Path dir;

    private Path image(String name, long seed) throws Exception {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(37, 29, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 29; y++) {
            for (int x = 0; x < 37; x++) {
                img.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void aCachedImageGivesTheSamePixelsAsDecodingItAgain() throws Exception {
        Path a = image("a.png", 1);
        Path b = image("b.png", 2);
        MaeSamples cached = new MaeSamples(32, Normalization.SAM, true, Long.MAX_VALUE);
        MaeSamples uncached = new MaeSamples(32, Normalization.SAM, true, 0);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (Path p : new Path[] {a, b}) {
                long seed = epoch * 31L + p.hashCode();
                assertThat(cached.load(p, new Random(seed))).containsExactly(uncached.load(p, new Random(seed)));
            }
        }
        assertThat(cached.cached()).isEqualTo(2);
        assertThat(uncached.cached()).isZero();
        // without augmentation the caller gets a copy: changing it does not change the next load
        MaeSamples plain = new MaeSamples(32, Normalization.SAM, false, Long.MAX_VALUE);
        float[] first = plain.load(a, new Random(0));
        float[] copy = first.clone();
        first[0] += 1000;
        assertThat(plain.load(a, new Random(0))).containsExactly(copy);
    }

    @Test
    void stopsCachingAtItsBudget() throws Exception {
        Path a = image("a.png", 1);
        Path b = image("b.png", 2);
        // room for one 3 x 32 x 32 image
        MaeSamples samples = new MaeSamples(32, Normalization.SAM, true, 3 * 32 * 32 + 10);
        samples.load(a, new Random(0));
        samples.load(b, new Random(0));
        samples.load(b, new Random(1));
        assertThat(samples.cached()).isEqualTo(1);
    }
}
