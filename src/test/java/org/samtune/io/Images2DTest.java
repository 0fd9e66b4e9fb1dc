package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.testing.Fixtures;

class Images2DTest {
    @TempDir
    Path tmp;

    // Expected numbers from PIL 9.4.0 (np.asarray(Image.open(...))).
    @Test
    void brainSlicePng() {
        Image2D img = Images2D.read(Fixtures.data("images2d/BrainT1Slice.png"));
        // Stored as 8-bit RGB with R = G = B.
        assertThat(new int[] {img.width(), img.height(), img.channels(), img.bitDepth()})
                .containsExactly(181, 217, 3, 8);
        assertThat(channelSums(img)).containsExactly(2673952, 2673952, 2673952);
        assertThat(img.get(90, 100, 0)).isEqualTo(130f);
        Image2D grey = img.grey();
        assertThat(grey.channels()).isEqualTo(1);
        assertThat(channelSums(grey)).containsExactly(2673952);
        assertThat(grey.rgb().data()).isEqualTo(img.data());
    }

    @Test
    void retinaJpegAgreesWithLibjpeg() {
        Image2D img = Images2D.read(Fixtures.data("images2d/retina.jpg"));
        assertThat(new int[] {img.width(), img.height(), img.channels(), img.bitDepth()})
                .containsExactly(1411, 1411, 3, 8);
        // PIL 9.4.0 (libjpeg-turbo, islow IDCT) channel sums and pixel (700, 700). The JDK's decoder gave the same
        // bytes for every pixel of this baseline 4:2:0 JPEG (max |diff| 0 when checked against PIL's array).
        assertThat(channelSums(img)).containsExactly(317419532L, 126513143L, 91812157L);
        assertThat(new float[] {img.get(700, 700, 0), img.get(700, 700, 1), img.get(700, 700, 2)})
                .containsExactly(183, 42, 24);
    }

    @Test
    void filesWrittenByPil() throws URISyntaxException {
        Path dir = Path.of(Images2DTest.class.getResource("/images2d/grey16.png").toURI()).getParent();
        for (String name : new String[] {"grey16.png", "grey16.tif"}) {
            Image2D img = Images2D.read(dir.resolve(name));
            assertThat(new int[] {img.width(), img.height(), img.channels(), img.bitDepth()}).as(name)
                    .containsExactly(7, 5, 1, 16);
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 7; x++) {
                    assertThat(img.get(x, y, 0)).as(name).isEqualTo(1000 * x + 7 * y + 3);
                }
            }
        }
        Image2D bmp = Images2D.read(dir.resolve("grey8.bmp"));
        Image2D tif = Images2D.read(dir.resolve("rgb8.tif"));
        Image2D pal = Images2D.read(dir.resolve("palette.png"));
        assertThat(bmp.channels()).isEqualTo(1);
        assertThat(tif.channels()).isEqualTo(3);
        assertThat(pal.channels()).isEqualTo(3);
        int[][] palette = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                int g8 = (40 * x + 9 * y) % 256;
                assertThat(bmp.get(x, y, 0)).isEqualTo(g8);
                assertThat(new float[] {tif.get(x, y, 0), tif.get(x, y, 1), tif.get(x, y, 2)})
                        .containsExactly(g8, 255 - g8, (x * y * 11) % 256);
                int[] p = palette[(x + y) % 4];
                assertThat(new float[] {pal.get(x, y, 0), pal.get(x, y, 1), pal.get(x, y, 2)})
                        .containsExactly(p[0], p[1], p[2]);
            }
        }
    }

    @Test
    void pngRoundTrips() {
        float[] g16 = new float[12 * 9];
        float[] rgb = new float[12 * 9 * 3];
        for (int i = 0; i < g16.length; i++) {
            g16[i] = (i * 613) % 65536;
        }
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (i * 37) % 256;
        }
        Image2D grey16 = new Image2D(12, 9, 1, 16, g16);
        Image2D grey8 = new Image2D(12, 9, 1, 8, Arrays.copyOf(rgb, g16.length));
        Image2D rgb8 = new Image2D(12, 9, 3, 8, rgb);
        for (Image2D img : new Image2D[] {grey16, grey8, rgb8}) {
            Path f = tmp.resolve("x" + img.channels() + "-" + img.bitDepth() + ".png");
            Images2D.writePng(f, img);
            assertThat(Images2D.read(f)).usingRecursiveComparison().isEqualTo(img);
        }
    }

    @Test
    void syntheticSixteenBitTiffAndPaletteGrey() throws IOException {
        BufferedImage b = new BufferedImage(6, 4, BufferedImage.TYPE_USHORT_GRAY);
        int[] v = new int[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = 65535 - i * 2711;
        }
        b.getRaster().setPixels(0, 0, 6, 4, v);
        Path f = tmp.resolve("g.tif");
        assertThat(ImageIO.write(b, "tif", f.toFile())).isTrue();
        Image2D img = Images2D.read(f);
        assertThat(img.bitDepth()).isEqualTo(16);
        for (int i = 0; i < v.length; i++) {
            assertThat(img.data()[i]).isEqualTo(v[i]);
        }
        // A 1-bit black/white PNG has a grey palette: one channel, 0 and 255.
        BufferedImage bw = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
        bw.getRaster().setPixels(0, 0, 3, 1, new int[] {1, 0, 1});
        Path p = tmp.resolve("bw.png");
        ImageIO.write(bw, "png", p.toFile());
        assertThat(Images2D.read(p).data()).containsExactly(255, 0, 255);
    }

    @Test
    void errors() throws IOException {
        assertThatThrownBy(() -> Images2D.read(tmp.resolve("none.png"))).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("none.png: no such file");
        Path text = Files.writeString(tmp.resolve("notes.png"), "not an image at all");
        assertThatThrownBy(() -> Images2D.read(text)).isInstanceOf(FormatException.class)
                .hasMessageContaining("notes.png: not a PNG, JPEG, BMP or TIFF image");
        byte[] png = Files.readAllBytes(Fixtures.data("images2d/BrainT1Slice.png"));
        Path cut = tmp.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> Images2D.read(cut)).isInstanceOf(FormatException.class)
                .hasMessageContaining("cut.png: cannot decode image");
        byte[] jpg = Files.readAllBytes(Fixtures.data("images2d/retina.jpg"));
        Path cutJpg = tmp.resolve("cut.jpg");
        Files.write(cutJpg, Arrays.copyOf(jpg, 300));
        assertThatThrownBy(() -> Images2D.read(cutJpg)).isInstanceOf(FormatException.class)
                .hasMessageContaining("cut.jpg");
        Image2D bad = new Image2D(2, 1, 1, 8, new float[] {3, 256});
        assertThatThrownBy(() -> Images2D.writePng(tmp.resolve("bad.png"), bad)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("pixel (1, 0) is 256.0; a 8-bit PNG holds 0 to 255");
        assertThat(tmp.resolve("bad.png")).doesNotExist();
        assertThatThrownBy(() -> Images2D.writePng(tmp.resolve("x.jpg"), bad.grey()))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("ends in .png");
        Image2D rgb16 = new Image2D(1, 1, 3, 16, new float[] {1, 2, 3});
        assertThatThrownBy(() -> Images2D.writePng(tmp.resolve("c.png"), rgb16)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("16-bit with 3 channel(s)");
    }

    /** Seeded byte flips and truncations of a PNG, a JPEG and a BMP: each reads or fails as SamtuneException. */
    @Test
    void damagedImagesFailCleanly() throws IOException {
        BufferedImage crop = ImageIO.read(Fixtures.data("images2d/retina.jpg").toFile()).getSubimage(600, 600, 64, 48);
        BufferedImage rgb = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(crop, 0, 0, null);
        Path jpg = tmp.resolve("small.jpg");
        Path bmp = tmp.resolve("small.bmp");
        ImageIO.write(rgb, "jpg", jpg.toFile());
        ImageIO.write(rgb, "bmp", bmp.toFile());
        byte[][] bases = {Files.readAllBytes(Fixtures.data("images2d/BrainT1Slice.png")), Files.readAllBytes(jpg),
            Files.readAllBytes(bmp)};
        String[] ext = {"png", "jpg", "bmp"};
        int read = 0;
        int refused = 0;
        for (int b = 0; b < bases.length; b++) {
            for (int m = 0; m < 150; m++) {
                java.util.Random rnd = new java.util.Random(77L * b + m);
                byte[] x = bases[b].clone();
                if (rnd.nextBoolean()) {
                    x = Arrays.copyOf(x, rnd.nextInt(x.length));
                } else {
                    for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                        x[rnd.nextInt(Math.min(x.length, 600))] ^= (byte) (1 + rnd.nextInt(255));
                    }
                }
                Path f = tmp.resolve("m" + b + "-" + m + "." + ext[b]);
                Files.write(f, x);
                try {
                    Image2D img = Images2D.read(f);
                    assertThat(img.data().length).isEqualTo(img.width() * img.height() * img.channels());
                    read++;
                } catch (SamtuneException e) {
                    assertThat(e.getMessage()).startsWith(f.toString());
                    refused++;
                } finally {
                    Files.delete(f);
                }
            }
        }
        assertThat(read).isPositive();
        assertThat(refused).isPositive();
    }

    static long[] channelSums(Image2D img) {
        long[] s = new long[img.channels()];
        for (int i = 0; i < img.data().length; i++) {
            s[i % img.channels()] += (long) img.data()[i];
        }
        return s;
    }
}
