package org.samtune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;

/** One rule for 2-D images: datasets read 16-bit images as predict does (min–max), masks keep their values. */
class SliceImagesTest {
    @TempDir Path dir;

    @Test
    void sixteenBitImagesAreScaledMinMaxAsPredictDoes() {
        float[] d = new float[30 * 20];
        for (int i = 0; i < d.length; i++) {
            d[i] = 1000 + 5 * i; // 12-bit-like data: clipping at 255 would make every pixel white
        }
        Path p = dir.resolve("img16.png");
        Images2D.writePng(p, new Image2D(30, 20, 1, 16, d));
        int[] size = new int[2];
        byte[] rgb = SliceImages.readRgb(p, size);
        assertThat(size).containsExactly(30, 20);
        assertThat(rgb).containsExactly(Rgb8.of(Images2D.read(p)).pixels());
        assertThat(rgb[0] & 0xff).isZero();
        assertThat(rgb[rgb.length - 1] & 0xff).isEqualTo(255);
        // pixel 300: floor(255 · 1500 / 2995 + 0.5) in all three channels
        int v = (int) Math.floor(255.0 * 1500 / 2995 + 0.5);
        assertThat(new int[] {rgb[900] & 0xff, rgb[901] & 0xff, rgb[902] & 0xff}).containsExactly(v, v, v);
    }

    @Test
    void eightBitImagesAreTakenAsTheyAre() {
        float[] d = new float[4 * 3];
        for (int i = 0; i < d.length; i++) {
            d[i] = 20 * i;
        }
        Path p = dir.resolve("img8.png");
        Images2D.writePng(p, new Image2D(4, 3, 1, 8, d));
        byte[] rgb = SliceImages.readRgb(p, new int[2]);
        for (int i = 0; i < d.length; i++) {
            assertThat(rgb[3 * i] & 0xff).isEqualTo(20 * i);
            assertThat(rgb[3 * i + 2] & 0xff).isEqualTo(20 * i);
        }
    }

    @Test
    void sixteenBitMasksKeepTheirClassIndicesOrFailNamingThePixel() {
        float[] d = new float[6 * 4];
        for (int i = 0; i < d.length; i++) {
            d[i] = i % 3;
        }
        Path ok = dir.resolve("mask16.png");
        Images2D.writePng(ok, new Image2D(6, 4, 1, 16, d));
        byte[] m = SliceImages.readGrey(ok, new int[2]);
        for (int i = 0; i < d.length; i++) {
            assertThat(m[i]).isEqualTo((byte) (i % 3));
        }
        d[9] = 300;
        Path bad = dir.resolve("bad16.png");
        Images2D.writePng(bad, new Image2D(6, 4, 1, 16, d));
        assertThatThrownBy(() -> SliceImages.readGrey(bad, new int[2])).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("bad16.png").hasMessageContaining("300").hasMessageContaining("(3, 1)");
    }
}
