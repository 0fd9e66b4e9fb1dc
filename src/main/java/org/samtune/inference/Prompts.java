package org.samtune.inference;

/**
 * The prompts of one image in the model's input frame (pixels of the resized, padded {@code img_size²} input, as
 * {@code ResizeLongestSide.apply_coords} gives them): points with their labels (1 foreground, 0 background),
 * boxes (x0, y0, x1, y1 each), or nothing (automatic segmentation: one channel per class).
 *
 * @param pointCoords x0, y0, x1, y1, … or null
 * @param pointLabels one label per point, or null
 * @param boxes       4·k values for k boxes, or null
 */
public record Prompts(float[] pointCoords, float[] pointLabels, float[] boxes) {
    /** No prompt: the decoder's multimask channels are the classes. */
    public static final Prompts NONE = new Prompts(null, null, null);

    public Prompts {
        if ((pointCoords == null) != (pointLabels == null)) {
            throw new IllegalArgumentException("point coordinates and labels must be given together");
        }
        if (pointCoords != null && pointCoords.length != 2 * pointLabels.length) {
            throw new IllegalArgumentException(pointCoords.length / 2 + " points but " + pointLabels.length
                    + " labels");
        }
        if (boxes != null && (boxes.length == 0 || boxes.length % 4 != 0)) {
            throw new IllegalArgumentException("boxes are 4 values each, got " + boxes.length);
        }
    }

    public static Prompts points(float[] coords, float[] labels) {
        return new Prompts(coords, labels, null);
    }

    public static Prompts boxes(float[] boxes) {
        return new Prompts(null, null, boxes);
    }

    public boolean hasPoints() {
        return pointCoords != null;
    }

    public boolean hasBoxes() {
        return boxes != null;
    }

    public boolean isNone() {
        return pointCoords == null && boxes == null;
    }

    int boxCount() {
        return hasBoxes() ? boxes.length / 4 : 0;
    }

    int pointCount() {
        return hasPoints() ? pointLabels.length : 0;
    }

    /**
     * The same prompts for an image of {@code originalHeight × originalWidth} pixels that the preprocessing
     * resized to {@code inputHeight × inputWidth} (the valid part of the model input): coordinates scale by
     * {@code input / original} per axis, as {@code ResizeLongestSide.apply_coords} (and, for a square resize,
     * finetune-SAM's box scaling) do.
     */
    public static Prompts fromOriginal(double[] pointsXY, int[] labels, double[] boxXYXY, int originalHeight,
                                       int originalWidth, int inputHeight, int inputWidth) {
        double sx = inputWidth / (double) originalWidth;
        double sy = inputHeight / (double) originalHeight;
        float[] coords = null;
        float[] lab = null;
        if (pointsXY != null) {
            coords = new float[pointsXY.length];
            lab = new float[labels.length];
            for (int i = 0; i < pointsXY.length; i += 2) {
                coords[i] = (float) (pointsXY[i] * sx);
                coords[i + 1] = (float) (pointsXY[i + 1] * sy);
            }
            for (int i = 0; i < labels.length; i++) {
                lab[i] = labels[i];
            }
        }
        float[] box = null;
        if (boxXYXY != null) {
            box = new float[] {(float) (boxXYXY[0] * sx), (float) (boxXYXY[1] * sy), (float) (boxXYXY[2] * sx),
                (float) (boxXYXY[3] * sy)};
        }
        return new Prompts(coords, lab, box);
    }
}
