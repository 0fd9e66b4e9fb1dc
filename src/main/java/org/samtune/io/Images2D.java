package org.samtune.io;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.samtune.SamtuneException;

/**
 * PNG, JPEG, BMP and TIFF (the JDK's ImageIO readers) to {@link Image2D}, and PNG out.
 *
 * <p>Grey stays one channel, RGB three; alpha is dropped; a palette becomes RGB (or grey when every palette entry
 * is grey); samples keep their bit depth (8, 16, or what a TIFF stores). Other colour spaces (CMYK JPEG, packed
 * 5-6-5 BMP) are converted to 8-bit sRGB by ImageIO. Only the first image of a multi-page TIFF is read.
 */
public final class Images2D {
    /** Images larger than this many samples are refused before decoding (2^31 − 9, Java's largest array). */
    private static final long MAX_SAMPLES = Integer.MAX_VALUE - 8;
    /**
     * The most pixels one byte of an image file can describe: deflate (PNG, TIFF) expands at most ~1032:1 and a
     * bilevel image packs 8 pixels in a byte; JPEG's smallest code per 8×8 block gives less. A file declaring more
     * pixels than this allows is damaged or hostile, and is refused before the decoder allocates its raster (a
     * 200-byte PNG could otherwise claim 10,000 × 10,000 pixels).
     */
    private static final long MAX_PIXELS_PER_FILE_BYTE = 8 * 1032;
    private static final long ALWAYS_ALLOWED_PIXELS = 1 << 20;

    private Images2D() {}

    public static Image2D read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SamtuneException(file + ": no such file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new SamtuneException(file + ": cannot open for reading");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new FormatException(file, "not a PNG, JPEG, BMP or TIFF image (no image reader recognises its"
                        + " first bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                // Decoded samples (≤ 4 per pixel, as float) must fit an array and the heap before decoding.
                if (w <= 0 || h <= 0 || w * h * 4 > MAX_SAMPLES || w * h * 4 * 8 > Runtime.getRuntime().maxMemory()) {
                    throw new FormatException(file, reader.getFormatName() + " size " + w + "×" + h
                            + " is empty or too large to decode (at most " + MAX_SAMPLES / 4 + " pixels)");
                }
                long fileBytes = Files.size(file);
                if (w * h > ALWAYS_ALLOWED_PIXELS + MAX_PIXELS_PER_FILE_BYTE * fileBytes) {
                    throw new FormatException(file, reader.getFormatName() + " size " + w + "×" + h + " is more than"
                            + " a file of " + fileBytes + " bytes can hold (damaged header?)");
                }
                BufferedImage img = reader.read(0);
                return convert(img);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SamtuneException s) {
                throw s;
            }
            // ImageIO's decoders report corrupt data with assorted exception types.
            throw new FormatException(file, "cannot decode image: " + e, e);
        }
    }

    static Image2D convert(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return palette(img, icm);
        }
        int type = cm.getColorSpace().getType();
        boolean component = cm instanceof ComponentColorModel;
        int channels = type == ColorSpace.TYPE_GRAY ? 1 : type == ColorSpace.TYPE_RGB ? 3 : 0;
        if (channels == 0 || !component && cm.getComponentSize(0) != 8) {
            return sRgb(img);
        }
        float[] data = new float[w * h * channels];
        float[] band = new float[w * h];
        for (int c = 0; c < channels; c++) {
            r.getSamples(0, 0, w, h, c, band);
            for (int i = 0; i < band.length; i++) {
                data[i * channels + c] = band[i];
            }
        }
        int bits = r.getDataBuffer().getDataType() == DataBuffer.TYPE_FLOAT
                || r.getDataBuffer().getDataType() == DataBuffer.TYPE_DOUBLE ? 32 : cm.getComponentSize(0);
        return new Image2D(w, h, channels, bits, data);
    }

    private static Image2D palette(BufferedImage img, IndexColorModel icm) {
        int w = img.getWidth();
        int h = img.getHeight();
        int size = icm.getMapSize();
        boolean grey = true;
        for (int i = 0; i < size; i++) {
            grey &= icm.getRed(i) == icm.getGreen(i) && icm.getRed(i) == icm.getBlue(i);
        }
        int channels = grey ? 1 : 3;
        int[] index = img.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
        float[] data = new float[w * h * channels];
        for (int i = 0; i < index.length; i++) {
            int p = Math.min(index[i], size - 1);
            if (grey) {
                data[i] = icm.getRed(p);
            } else {
                data[3 * i] = icm.getRed(p);
                data[3 * i + 1] = icm.getGreen(p);
                data[3 * i + 2] = icm.getBlue(p);
            }
        }
        return new Image2D(w, h, channels, 8, data);
    }

    private static Image2D sRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] data = new float[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            data[3 * i] = (argb[i] >> 16) & 0xff;
            data[3 * i + 1] = (argb[i] >> 8) & 0xff;
            data[3 * i + 2] = argb[i] & 0xff;
        }
        return new Image2D(w, h, 3, 8, data);
    }

    /**
     * Writes an 8-bit grey, 8-bit RGB or 16-bit grey PNG (by the image's channels and bit depth) atomically.
     * Values are rounded to the nearest integer; a value outside 0..2^bits − 1 is refused.
     */
    public static void writePng(Path file, Image2D image) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new SamtuneException(file + ": a PNG file name ends in .png");
        }
        int bits = image.bitDepth();
        if (!(bits == 8 || bits == 16 && image.channels() == 1)) {
            throw new SamtuneException(file + ": PNG output is 8-bit grey, 8-bit RGB or 16-bit grey; the image is "
                    + bits + "-bit with " + image.channels() + " channel(s)");
        }
        double max = (1 << bits) - 1;
        float[] d = image.data();
        int[] samples = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            double v = Math.rint(d[i]);
            if (!(v >= 0 && v <= max)) {
                int pixel = i / image.channels();
                throw new SamtuneException(file + ": pixel (" + pixel % image.width() + ", " + pixel / image.width()
                        + ") is " + d[i] + "; a " + bits + "-bit PNG holds 0 to " + (long) max);
            }
            samples[i] = (int) v;
        }
        int type = image.channels() == 3 ? BufferedImage.TYPE_3BYTE_BGR
                : bits == 16 ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY;
        BufferedImage img = new BufferedImage(image.width(), image.height(), type);
        WritableRaster r = img.getRaster();
        r.setPixels(0, 0, image.width(), image.height(), samples);
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer for " + img);
            }
        });
    }
}
