package org.samtune.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.samtune.SamtuneException;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;

/**
 * Reads dataset slices through the one 2-D image reader ({@link Images2D}: PNG, JPEG, BMP, TIFF; values from the
 * raster, alpha dropped, palettes looked up) the way finetune-SAM's PIL calls do for 8-bit files: images with
 * {@code convert('RGB')}, masks with {@code convert('L')} (PIL's ITU-R 601-2 weights
 * {@code (R·19595 + G·38470 + B·7471 + 0x8000) >> 16}).
 *
 * <p>16-bit images follow the same rule as {@code predict} ({@link Rgb8}): scaled min–max per image. PIL's
 * {@code I;16 → L} clips at 255, which turns 12-bit scanner data stored in 16 bits into a white image; min–max keeps
 * the contrast. finetune-SAM's own datasets are 8-bit, so its parity is not affected. 16-bit masks keep their
 * values (class indices 0..255), neither clipped nor rescaled.
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

    /**
     * The image as interleaved 8-bit RGB (row-major, 3 bytes per pixel), by {@link Rgb8}'s rule: 8-bit images as
     * they are (grey replicated, as PIL's {@code convert('RGB')}), deeper ones scaled min–max per image.
     */
    public static byte[] readRgb(Path file, int[] sizeOut) {
        UInt8Image rgb = Rgb8.of(Images2D.read(file));
        sizeOut[0] = rgb.width();
        sizeOut[1] = rgb.height();
        return rgb.pixels();
    }

    /**
     * A label mask as 8-bit values, PIL's {@code convert('L')} for 8-bit files (colour masks through PIL's luma).
     * A deeper grey mask (16-bit PNG) keeps its values, which must be whole numbers 0..255: they are class
     * indices, which neither clipping nor rescaling may change.
     */
    public static byte[] readGrey(Path file, int[] sizeOut) {
        Image2D img = Images2D.read(file);
        int w = img.width();
        int h = img.height();
        sizeOut[0] = w;
        sizeOut[1] = h;
        float[] d = img.data();
        byte[] out = new byte[w * h];
        if (img.channels() == 1) {
            for (int i = 0; i < out.length; i++) {
                float v = d[i];
                if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
                    throw new SamtuneException(file + ": mask value " + v + " at pixel (" + i % w + ", " + i / w
                            + "); a " + img.bitDepth() + "-bit mask must hold class indices 0..255");
                }
                out[i] = (byte) (int) v;
            }
            return out;
        }
        if (img.bitDepth() != 8) {
            throw new SamtuneException(file + ": a colour mask must be 8-bit, this one is " + img.bitDepth()
                    + "-bit; save class indices as a grey PNG");
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) luma((int) d[3 * i], (int) d[3 * i + 1], (int) d[3 * i + 2]);
        }
        return out;
    }

    /** PIL's RGB → L. */
    public static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
}
