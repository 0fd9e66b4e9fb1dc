package org.samtune.data.resize;

import org.samtune.data.UInt8Image;

/**
 * SAM's {@code segment_anything.utils.transforms.ResizeLongestSide}: scales an image so that its longest side is
 * {@code targetLength} (keeping the aspect ratio), and maps prompt coordinates into the resized frame.
 *
 * <p>The image is resized with PIL bilinear ({@code resize(to_pil_image(image), target_size)}), see
 * {@link PilResize#bilinear}. Coordinates are scaled in double precision per axis by new/old size, as numpy does;
 * SAM then casts them to float32.
 */
public record ResizeLongestSide(int targetLength) {

    public ResizeLongestSide {
        if (targetLength <= 0) {
            throw new IllegalArgumentException("ResizeLongestSide target length must be positive, got " + targetLength);
        }
    }

    /** {@code get_preprocess_shape}: {(int)(h·s + 0.5), (int)(w·s + 0.5)} with s = target / max(h, w). */
    public static int[] preprocessShape(int oldH, int oldW, int longSideLength) {
        if (oldH <= 0 || oldW <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + oldH + "x" + oldW);
        }
        double scale = longSideLength * 1.0 / Math.max(oldH, oldW);
        double newH = oldH * scale;
        double newW = oldW * scale;
        return new int[] {(int) (newH + 0.5), (int) (newW + 0.5)};
    }

    /** The (height, width) an image of {@code oldH × oldW} is resized to. */
    public int[] newSize(int oldH, int oldW) {
        return preprocessShape(oldH, oldW, targetLength);
    }

    /** {@code apply_image}: HWC uint8 in, HWC uint8 out (PIL bilinear, antialiased). */
    public UInt8Image applyImage(UInt8Image image) {
        int[] s = newSize(image.height(), image.width());
        return PilResize.bilinear(image, s[0], s[1]);
    }

    /** {@code apply_coords}: (x, y) pairs, flattened, from an {@code oldH × oldW} image into the resized frame. */
    public double[] applyCoords(double[] xy, int oldH, int oldW) {
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException("coordinates must be (x, y) pairs, got " + xy.length + " values");
        }
        int[] s = newSize(oldH, oldW);
        double sx = (double) s[1] / oldW;
        double sy = (double) s[0] / oldH;
        double[] out = new double[xy.length];
        for (int i = 0; i < xy.length; i += 2) {
            out[i] = xy[i] * sx;
            out[i + 1] = xy[i + 1] * sy;
        }
        return out;
    }

    /** {@code apply_boxes}: (x0, y0, x1, y1) boxes, flattened; each corner mapped like a point. */
    public double[] applyBoxes(double[] boxes, int oldH, int oldW) {
        if (boxes.length % 4 != 0) {
            throw new IllegalArgumentException("boxes must be (x0, y0, x1, y1) quadruples, got " + boxes.length
                    + " values");
        }
        return applyCoords(boxes, oldH, oldW);
    }
}
