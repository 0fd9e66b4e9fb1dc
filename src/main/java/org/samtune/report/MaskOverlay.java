package org.samtune.report;

import org.samtune.data.UInt8Image;
import org.samtune.io.Image2D;

/**
 * A binary mask drawn over its image for a quick visual check: mask pixels are blended half-and-half with
 * {@link #FILL} (SAM's demo blue), and the mask's contour (mask pixels with a 4-neighbour outside the mask or on
 * the image border) is drawn opaque in {@link #CONTOUR}. The prompts that produced the mask are drawn on top, as
 * segment-anything's demo notebooks show them: foreground points {@link #FOREGROUND} (green), background points
 * {@link #BACKGROUND} (red), each a filled disc with a white ring so it stays visible on any tissue, and boxes as a
 * {@link #BOX} outline two pixels wide. A multi-class label map ({@link #drawLabels}) gets one colour per class.
 */
public final class MaskOverlay {
    public static final int[] FILL = {30, 144, 255};
    public static final int[] CONTOUR = {255, 215, 0};
    public static final double ALPHA = 0.5;
    public static final int[] FOREGROUND = {0, 200, 0};
    public static final int[] BACKGROUND = {220, 0, 0};
    public static final int[] RING = {255, 255, 255};
    public static final int[] BOX = {0, 255, 0};
    /** Class colours 1, 2, … (matplotlib's tab10 without its grey), repeated for more classes. */
    public static final int[][] CLASS_COLOURS = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
        {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {188, 189, 34}, {23, 190, 207}};

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

    /**
     * {@link #draw(UInt8Image, byte[])} plus the prompts, in pixels of the image: points x0, y0, x1, y1, … with
     * labels 1 (foreground) or 0 (background), and a box x0, y0, x1, y1; any may be null.
     */
    public static Image2D draw(UInt8Image image, byte[] mask, double[] pointsXY, int[] pointLabels, double[] boxXYXY) {
        Image2D out = draw(image, mask);
        drawPrompts(out, pointsXY, pointLabels, boxXYXY);
        return out;
    }

    /**
     * A class-index map (0 background, 1 … classes − 1) over its image: each class blended with its
     * {@link #CLASS_COLOURS} colour, its boundary opaque in that colour, then the prompts as in
     * {@link #draw(UInt8Image, byte[], double[], int[], double[])}.
     */
    public static Image2D drawLabels(UInt8Image image, int[] labels, double[] pointsXY, int[] pointLabels,
                                     double[] boxXYXY) {
        UInt8Image rgb = image.toRgb();
        int w = rgb.width();
        int h = rgb.height();
        if (labels.length != w * h) {
            throw new IllegalArgumentException("label map of " + labels.length + " pixels for a " + w + "×" + h
                    + " image");
        }
        float[] out = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int k = labels[i];
                boolean edge = k != 0 && (x == 0 || y == 0 || x == w - 1 || y == h - 1 || labels[i - 1] != k
                        || labels[i + 1] != k || labels[i - w] != k || labels[i + w] != k);
                int[] colour = k == 0 ? null : CLASS_COLOURS[(k - 1) % CLASS_COLOURS.length];
                for (int c = 0; c < 3; c++) {
                    int v = rgb.get(y, x, c);
                    double o = colour == null ? v : edge ? colour[c] : (1 - ALPHA) * v + ALPHA * colour[c];
                    out[3 * i + c] = (float) Math.rint(o);
                }
            }
        }
        Image2D result = new Image2D(w, h, 3, 8, out);
        drawPrompts(result, pointsXY, pointLabels, boxXYXY);
        return result;
    }

    /** Point markers scale with the image: a radius of 1/100 of its shorter side, at least 3 pixels. */
    static int markerRadius(int w, int h) {
        return Math.max(3, Math.min(w, h) / 100);
    }

    private static void drawPrompts(Image2D img, double[] pointsXY, int[] pointLabels, double[] box) {
        int w = img.width();
        int h = img.height();
        if (box != null) {
            int x0 = (int) Math.floor(box[0]);
            int y0 = (int) Math.floor(box[1]);
            int x1 = (int) Math.ceil(box[2]) - 1;
            int y1 = (int) Math.ceil(box[3]) - 1;
            for (int t = 0; t < 2; t++) {
                for (int x = x0; x <= x1; x++) {
                    put(img, x, y0 + t, BOX);
                    put(img, x, y1 - t, BOX);
                }
                for (int y = y0; y <= y1; y++) {
                    put(img, x0 + t, y, BOX);
                    put(img, x1 - t, y, BOX);
                }
            }
        }
        if (pointsXY != null) {
            int r = markerRadius(w, h);
            for (int p = 0; p < pointLabels.length; p++) {
                double cx = pointsXY[2 * p];
                double cy = pointsXY[2 * p + 1];
                int[] fill = pointLabels[p] == 1 ? FOREGROUND : BACKGROUND;
                for (int y = (int) Math.floor(cy) - r - 1; y <= (int) Math.ceil(cy) + r + 1; y++) {
                    for (int x = (int) Math.floor(cx) - r - 1; x <= (int) Math.ceil(cx) + r + 1; x++) {
                        // a prompt (x, y) names pixel (x, y); SAM adds 0.5 itself to reach its centre
                        double d = Math.hypot(x - cx, y - cy);
                        if (d <= r) {
                            put(img, x, y, fill);
                        } else if (d <= r + 1.5) {
                            put(img, x, y, RING);
                        }
                    }
                }
            }
        }
    }

    private static void put(Image2D img, int x, int y, int[] colour) {
        if (x < 0 || y < 0 || x >= img.width() || y >= img.height()) {
            return;
        }
        int i = 3 * (y * img.width() + x);
        for (int c = 0; c < 3; c++) {
            img.data()[i + c] = colour[c];
        }
    }
}
