package org.samtune.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.samtune.SamtuneException;

/**
 * Reads 2-D slices (PNG, and whatever else {@code javax.imageio} decodes) the way finetune-SAM's PIL calls do:
 * images with {@code convert('RGB')}, masks with {@code convert('L')}.
 *
 * <p>Pixel values come from the raster, never from {@code BufferedImage.getRGB}, which would push grey images
 * through a colour-space conversion and change their values. Conversions follow PIL: grey is replicated to RGB;
 * alpha is dropped (not composited); palette images are looked up; RGB to L uses PIL's ITU-R 601-2 weights
 * {@code (R·19595 + G·38470 + B·7471 + 0x8000) >> 16}; 16-bit grey is clipped to 255 (PIL's I;16 → L).
 */
public final class SliceImages {
    private SliceImages() {}

    /** Width and height from the file header, without decoding the pixels. */
    public static int[] size(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new SamtuneException(file + ": cannot open the image");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new SamtuneException(file + ": not an image format this build can read (expected PNG)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read the image header: " + e.getMessage(), e);
        }
    }

    /** The image as interleaved 8-bit RGB (row-major, 3 bytes per pixel). */
    public static byte[] readRgb(Path file, int[] sizeOut) {
        BufferedImage img = decode(file);
        int w = img.getWidth();
        int h = img.getHeight();
        sizeOut[0] = w;
        sizeOut[1] = h;
        Raster r = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[w * h * 3];
        int bands = r.getNumBands();
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                int o = (y * w + x) * 3;
                if (cm instanceof IndexColorModel icm) {
                    out[o] = (byte) icm.getRed(px[0]);
                    out[o + 1] = (byte) icm.getGreen(px[0]);
                    out[o + 2] = (byte) icm.getBlue(px[0]);
                } else if (bands < 3) {
                    byte v = (byte) to8(file, r, px[0]);
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                } else {
                    out[o] = (byte) to8(file, r, px[0]);
                    out[o + 1] = (byte) to8(file, r, px[1]);
                    out[o + 2] = (byte) to8(file, r, px[2]);
                }
            }
        }
        return out;
    }

    /** The image as 8-bit grey, PIL's {@code convert('L')} (row-major, one byte per pixel). */
    public static byte[] readGrey(Path file, int[] sizeOut) {
        BufferedImage img = decode(file);
        int w = img.getWidth();
        int h = img.getHeight();
        sizeOut[0] = w;
        sizeOut[1] = h;
        Raster r = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[w * h];
        int bands = r.getNumBands();
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                int v;
                if (cm instanceof IndexColorModel icm) {
                    v = luma(icm.getRed(px[0]), icm.getGreen(px[0]), icm.getBlue(px[0]));
                } else if (bands < 3) {
                    v = to8(file, r, px[0]);
                } else {
                    v = luma(to8(file, r, px[0]), to8(file, r, px[1]), to8(file, r, px[2]));
                }
                out[y * w + x] = (byte) v;
            }
        }
        return out;
    }

    /** PIL's RGB → L. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static int to8(Path file, Raster r, int sample) {
        int bits = r.getSampleModel().getSampleSize(0);
        if (bits <= 8) {
            return sample;
        }
        if (bits == 16) {
            return Math.min(sample, 255);
        }
        throw new SamtuneException(file + ": " + bits + "-bit samples are not supported (expected 8- or 16-bit PNG)");
    }

    private static BufferedImage decode(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot decode the image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new SamtuneException(file + ": not an image format this build can read (expected PNG)");
        }
        return img;
    }
}
