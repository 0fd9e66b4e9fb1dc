package org.samtune.report;

import org.samtune.data.UInt8Image;
import org.samtune.io.Image2D;

/**
 * A binary mask drawn over its image for a quick visual check: mask pixels are blended half-and-half with
 * {@link #FILL} (SAM's demo blue), and the mask's contour (mask pixels with a 4-neighbour outside the mask or on
 * the image border) is drawn opaque in {@link #CONTOUR}.
 */
public final class MaskOverlay {
    public static final int[] FILL = {30, 144, 255};
    public static final int[] CONTOUR = {255, 215, 0};
    public static final double ALPHA = 0.5;

    private MaskOverlay() {}

    /** An 8-bit RGB image; {@code mask} is row-major, non-zero inside. */
    public static Image2D draw(UInt8Image image, byte[] mask) {
        UInt8Image rgb = image.toRgb();
        int w = rgb.width();
        int h = rgb.height();
        if (mask.length != w * h) {
            throw new IllegalArgumentException("mask of " + mask.length + " pixels for a " + w + "×" + h + " image");
        }
        float[] out = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                boolean in = mask[i] != 0;
                boolean edge = in && (x == 0 || y == 0 || x == w - 1 || y == h - 1 || mask[i - 1] == 0
                        || mask[i + 1] == 0 || mask[i - w] == 0 || mask[i + w] == 0);
                for (int c = 0; c < 3; c++) {
                    int v = rgb.get(y, x, c);
                    double o = edge ? CONTOUR[c] : in ? (1 - ALPHA) * v + ALPHA * FILL[c] : v;
                    out[3 * i + c] = (float) Math.rint(o);
                }
            }
        }
        return new Image2D(w, h, 3, 8, out);
    }
}
