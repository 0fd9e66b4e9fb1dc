package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.testing.Fuzz;
import org.samtune.testing.Mutator;

/**
 * Seeded damage to PNG, JPEG, BMP and TIFF files (10,000 mutants of eleven small images: grey 8 and 16 bit, RGB,
 * RGBA, palette) read through {@link Images2D#read}: every mutant decodes into a consistent image or fails with a
 * one-line {@link FormatException} naming the file; no other exception, no OutOfMemoryError, no hang.
 */
class Images2DFuzzTest {
    private static final int MUTANTS = 10_000;

    @TempDir Path tmp;

    @Test
    void mutantsDecodeOrFailCleanly() throws IOException {
        Map<String, byte[]> bases = bases();
        List<String> names = List.copyOf(bases.keySet());
        try (Fuzz fuzz = new Fuzz("2-D image", FormatException.class)) {
            for (int m = 0; m < MUTANTS; m++) {
                Random rnd = new Random(17L * m + 1);
                String name = names.get(rnd.nextInt(names.size()));
                StringBuilder what = new StringBuilder(name + " seed " + m + ": ");
                byte[] mutant = Mutator.mutate(bases.get(name), rnd, 0, 0, what);
                Path f = tmp.resolve("fuzz." + name.substring(0, name.indexOf('-')));
                Files.write(f, mutant);
                fuzz.input(what.toString(), () -> {
                    Image2D img = Images2D.read(f);
                    assertThat((long) img.data().length)
                            .isEqualTo((long) img.width() * img.height() * img.channels());
                    return img;
                }, e -> assertThat(e.getMessage()).startsWith(f.toString()).doesNotContain("\n"));
            }
            assertThat(fuzz.read()).as("mutants decoded").isGreaterThan(MUTANTS / 10);
            assertThat(fuzz.refused()).as("mutants refused").isGreaterThan(MUTANTS / 10);
        }
    }

    /**
     * Found by the fuzzer (slowest input, png-grey8 seed 8812): a damaged header claiming a huge size made the
     * decoder allocate its whole raster before failing. Now refused from the file size; real images that compress
     * well (a blank 2048² bilevel mask) still read.
     */
    @Test
    void aSizeTheFileCannotHoldIsRefusedBeforeDecoding() throws IOException {
        byte[] png = encode(image(BufferedImage.TYPE_BYTE_GRAY), "png");
        java.nio.ByteBuffer.wrap(png).putInt(16, 10_000).putInt(20, 10_000); // IHDR width, height
        Path f = tmp.resolve("huge.png");
        Files.write(f, png);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Images2D.read(f))
                .isInstanceOf(FormatException.class)
                .hasMessage(f + ": png size 10000×10000 is more than a file of " + png.length
                        + " bytes can hold (damaged header?)");

        for (int type : new int[] {BufferedImage.TYPE_BYTE_BINARY, BufferedImage.TYPE_BYTE_GRAY}) {
            Path blank = tmp.resolve("blank.png");
            Files.write(blank, encode(new BufferedImage(2048, 2048, type), "png"));
            assertThat(Images2D.read(blank).width()).isEqualTo(2048);
        }
    }

    private Map<String, byte[]> bases() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("png-grey8", encode(image(BufferedImage.TYPE_BYTE_GRAY), "png"));
        out.put("png-grey16", encode(image(BufferedImage.TYPE_USHORT_GRAY), "png"));
        out.put("png-rgb", encode(image(BufferedImage.TYPE_3BYTE_BGR), "png"));
        out.put("png-rgba", encode(image(BufferedImage.TYPE_4BYTE_ABGR), "png"));
        out.put("png-palette", encode(image(BufferedImage.TYPE_BYTE_INDEXED), "png"));
        out.put("jpg-rgb", encode(image(BufferedImage.TYPE_3BYTE_BGR), "jpeg"));
        out.put("jpg-grey", encode(image(BufferedImage.TYPE_BYTE_GRAY), "jpeg"));
        out.put("bmp-rgb", encode(image(BufferedImage.TYPE_3BYTE_BGR), "bmp"));
        out.put("bmp-palette", encode(image(BufferedImage.TYPE_BYTE_INDEXED), "bmp"));
        out.put("tif-rgb", encode(image(BufferedImage.TYPE_3BYTE_BGR), "tiff"));
        out.put("tif-grey16", encode(image(BufferedImage.TYPE_USHORT_GRAY), "tiff"));
        for (Map.Entry<String, byte[]> e : out.entrySet()) {
            Path f = tmp.resolve("base-" + e.getKey());
            Files.write(f, e.getValue());
            assertThat(Images2D.read(f).width()).as(e.getKey()).isEqualTo(13); // each base decodes
        }
        return out;
    }

    /** 13 × 9 with gradients and edges, so every codec has structure to encode. */
    private static BufferedImage image(int type) {
        BufferedImage img = new BufferedImage(13, 9, type);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 13; x++) {
                int v = (x * 19 + y * 23) % 256;
                img.setRGB(x, y, 0x80000000 | v << 16 | (255 - v) << 8 | (x > 6 ? 255 : 0));
            }
        }
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).as("ImageIO writes " + format).isTrue();
        return out.toByteArray();
    }
}
