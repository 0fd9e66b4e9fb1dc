package org.samtune.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.samtune.SamtuneException;
import org.samtune.model.Sam;
import org.samtune.data.resize.ResizeLongestSide;
import org.samtune.data.SamTransforms;
import org.samtune.data.UInt8Image;

/**
 * Segment-anything's {@code SamPredictor}: computes the image embedding once ({@link #setImage}), then predicts
 * masks for any number of prompt sets ({@link #predict}) without re-running the encoder.
 *
 * <p>Pipeline, as {@code predictor.py}: {@link ResizeLongestSide} (PIL bilinear) → {@code Sam.preprocess} (mean/std,
 * zero pad to img_size²) → image encoder; prompts mapped from the original image frame with
 * {@code apply_coords}/{@code apply_boxes} (float64, then float32) → prompt encoder → mask decoder →
 * {@code postprocess_masks} (bilinear to img_size², crop, bilinear to the original size). Works for any img_size
 * (1024 for released models, 128 for the test fixtures).
 *
 * <p>The embedding lives in the predictor's own manager; {@link #close} releases it.
 */
public final class SamPredictor implements AutoCloseable {
    private final Sam model;
    private final ResizeLongestSide transform;
    private final NDManager manager;
    private NDArray features;
    private int origH;
    private int origW;
    private int inputH;
    private int inputW;

    /**
     * Masks of one prompt set.
     *
     * @param masks        logits (numMasks, height, width) at the original image size, before the 0 threshold
     * @param iou          the decoder's IoU predictions, one per mask
     * @param lowResLogits (numMasks, lowSize, lowSize) decoder logits (lowSize = 4 × embedding grid; 256 for SAM),
     *                     usable as the next call's {@code maskInput}
     */
    public record Prediction(int numMasks, int height, int width, float[] masks, float[] iou, int lowSize,
                             float[] lowResLogits) {
        /** The index of the mask with the highest predicted IoU (the first on ties, as numpy's argmax). */
        public int best() {
            int b = 0;
            for (int i = 1; i < iou.length; i++) {
                if (iou[i] > iou[b]) {
                    b = i;
                }
            }
            return b;
        }

        /** The low-res logits of mask {@code m} (lowSize², row-major): the {@code maskInput} of a refinement call. */
        public float[] lowResMask(int m) {
            int plane = lowSize * lowSize;
            float[] one = new float[plane];
            System.arraycopy(lowResLogits, m * plane, one, 0, plane);
            return one;
        }

        /** Mask {@code m} thresholded at {@link Sam#MASK_THRESHOLD} (1 inside, 0 outside), row-major. */
        public byte[] binary(int m) {
            int plane = height * width;
            float[] one = new float[plane];
            System.arraycopy(masks, m * plane, one, 0, plane);
            return SamTransforms.threshold(one);
        }
    }

    public SamPredictor(Sam model) {
        this.model = model;
        this.transform = new ResizeLongestSide(model.config.imgSize());
        this.manager = model.manager().newSubManager();
    }

    public Sam model() {
        return model;
    }

    /**
     * {@code set_image}: resizes an 8-bit RGB image (HWC) so its longest side is img_size, normalises, pads and
     * runs the image encoder once.
     */
    public void setImage(UInt8Image rgb) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("SamPredictor.setImage needs RGB (3 channels), got " + rgb.channels());
        }
        setTransformedImage(transform.applyImage(rgb), rgb.height(), rgb.width());
    }

    /**
     * {@code set_torch_image}: an RGB image already resized by {@link ResizeLongestSide} (longest side = img_size)
     * and the size of the original it came from (for mapping prompts and masks back).
     */
    public void setTransformedImage(UInt8Image resized, int originalH, int originalW) {
        int img = model.config.imgSize();
        if (Math.max(resized.height(), resized.width()) != img) {
            throw new IllegalArgumentException("set_torch_image: the longest side of the input must be img_size "
                    + img + ", got " + resized.height() + "x" + resized.width());
        }
        resetImage();
        try (NDScope scope = new NDScope()) {
            NDArray input = SamTransforms.preprocessToArray(manager, resized, img);
            NDArray f = model.embedImages(input);
            NDScope.unregister(f);
            features = f;
            f.attach(manager);
        }
        origH = originalH;
        origW = originalW;
        inputH = resized.height();
        inputW = resized.width();
    }

    /** The image embedding (1, C, h, w) of the current image. */
    public NDArray imageEmbedding() {
        requireImage();
        return features;
    }

    public boolean isImageSet() {
        return features != null;
    }

    /** {original height, original width} of the current image. */
    public int[] originalSize() {
        requireImage();
        return new int[] {origH, origW};
    }

    /** {height, width} of the resized image fed to the encoder (before padding). */
    public int[] inputSize() {
        requireImage();
        return new int[] {inputH, inputW};
    }

    /**
     * {@code predict}: prompts in pixels of the ORIGINAL image; every prompt may be null.
     *
     * @param pointsXY       x0, y0, x1, y1, … (N points), or null
     * @param pointLabels    N labels: 1 foreground, 0 background; required with points
     * @param boxXYXY        x0, y0, x1, y1, or null
     * @param maskInput      a (lowSize × lowSize) low-res logit mask from an earlier prediction, or null
     * @param multimaskOutput three masks (true) or one (false)
     */
    public Prediction predict(double[] pointsXY, int[] pointLabels, double[] boxXYXY, float[] maskInput,
                              boolean multimaskOutput) {
        requireImage();
        double[] points = pointsXY == null ? null : transform.applyCoords(pointsXY, origH, origW);
        double[] box = boxXYXY == null ? null : transform.applyBoxes(boxXYXY, origH, origW);
        return predictTransformed(points, pointLabels, box, maskInput, multimaskOutput);
    }

    /**
     * {@code predict_torch} for one image: prompts already in the resized input frame (as
     * {@link ResizeLongestSide#applyCoords} gives them).
     */
    public Prediction predictTransformed(double[] pointsXY, int[] pointLabels, double[] boxXYXY, float[] maskInput,
                                         boolean multimaskOutput) {
        requireImage();
        if ((pointsXY == null) != (pointLabels == null)) {
            throw new IllegalArgumentException("point coordinates and labels must be given together");
        }
        if (pointsXY != null && pointsXY.length != 2 * pointLabels.length) {
            throw new IllegalArgumentException(pointsXY.length / 2 + " points but " + pointLabels.length + " labels");
        }
        if (boxXYXY != null && boxXYXY.length != 4) {
            throw new IllegalArgumentException("a box is x0, y0, x1, y1; got " + boxXYXY.length + " values");
        }
        int low = model.config.prompt().maskInputSize();
        if (maskInput != null && maskInput.length != low * low) {
            throw new IllegalArgumentException("mask input must be " + low + "x" + low + ", got " + maskInput.length
                    + " values");
        }
        try (NDScope scope = new NDScope()) {
            NDArray coords = null;
            NDArray labels = null;
            NDArray boxes = null;
            NDArray masks = null;
            if (pointsXY != null) {
                int n = pointLabels.length;
                coords = manager.create(toFloats(pointsXY), new Shape(1, n, 2));
                labels = manager.create(pointLabels, new Shape(1, n)).toType(DataType.FLOAT32, false);
            }
            if (boxXYXY != null) {
                boxes = manager.create(toFloats(boxXYXY), new Shape(1, 4));
            }
            if (maskInput != null) {
                masks = manager.create(maskInput, new Shape(1, 1, low, low));
            }
            Sam.Prediction p = model.predict(features, coords, labels, boxes, masks, multimaskOutput);
            NDArray up = SamTransforms.postprocessMasks(p.lowResLogits(), model.config.imgSize(), inputH, inputW,
                    origH, origW);
            int numMasks = Math.toIntExact(p.lowResLogits().getShape().get(1));
            return new Prediction(numMasks, origH, origW, up.toFloatArray(),
                    p.iouPredictions().toType(DataType.FLOAT32, false).toFloatArray(), low,
                    p.lowResLogits().toFloatArray());
        }
    }

    /** Forgets the current image and releases its embedding. */
    public void resetImage() {
        if (features != null) {
            features.close();
            features = null;
        }
    }

    @Override
    public void close() {
        resetImage();
        manager.close();
    }

    private void requireImage() {
        if (features == null) {
            throw new SamtuneException("SamPredictor: an image must be set with setImage() before predict()");
        }
    }

    /** {@code torch.as_tensor(numpy_float64, dtype=torch.float)}: round each value to float32. */
    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
