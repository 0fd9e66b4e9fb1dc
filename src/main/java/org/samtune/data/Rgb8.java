package org.samtune.data;

import org.samtune.io.Image2D;

/**
 * A 2-D image as the 8-bit RGB SAM's predictor takes ({@code SamPredictor.set_image} expects HWC uint8 RGB).
 *
 * <p>8-bit images are taken as they are (grey replicated to three channels, as PIL's {@code convert('RGB')}).
 * Any other bit depth (16-bit PNG/TIFF, 32-bit TIFF) is scaled min–max per image over all its samples:
 * {@code v8 = round_half_up(255 · (v − min) / (max − min))}; a constant image becomes 0. The scaling uses the
 * image's own range, not the bit depth's, because 12-bit data stored in 16-bit files would otherwise be nearly
 * black.
 */
public final class Rgb8 {
    private Rgb8() {}

    public static UInt8Image of(Image2D image) {
        float[] d = image.data();
        byte[] px = new byte[d.length];
        if (image.bitDepth() == 8) {
            for (int i = 0; i < d.length; i++) {
                px[i] = (byte) Math.max(0, Math.min(255, Math.round(d[i])));
            }
        } else {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float v : d) {
                if (Float.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            double range = max - min;
            for (int i = 0; i < d.length; i++) {
                double t = range > 0 && Float.isFinite(d[i]) ? (d[i] - min) / range : 0;
                px[i] = (byte) (int) Math.floor(255 * t + 0.5);
            }
        }
        return new UInt8Image(image.height(), image.width(), image.channels(), px).toRgb();
    }
}
