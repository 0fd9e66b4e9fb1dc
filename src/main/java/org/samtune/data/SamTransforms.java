package org.samtune.data;

import org.samtune.data.resize.ResizeLongestSide;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.samtune.model.nn.TorchBilinear;

/**
 * SAM's own pre- and post-processing ({@code segment_anything.modeling.Sam.preprocess} and
 * {@code postprocess_masks}), as pure functions on float arrays in C order.
 *
 * <p>Inference pipeline of the official predictor: {@link ResizeLongestSide#applyImage} (longest side to
 * {@code img_size}) → {@link #preprocess} (normalise, zero-pad to img_size²) → model → {@link #postprocessMasks}
 * (low-res logits → original size) → {@link #threshold} (logit &gt; 0).
 */
public final class SamTransforms {
    /** Sam.pixel_mean (RGB, 0–255 scale); equals the ImageNet mean ×255. */
    public static final float[] PIXEL_MEAN = {123.675f, 116.28f, 103.53f};
    /** Sam.pixel_std (RGB, 0–255 scale). */
    public static final float[] PIXEL_STD = {58.395f, 57.12f, 57.375f};
    /** Sam.mask_threshold. */
    public static final float MASK_THRESHOLD = 0.0f;

    private SamTransforms() {}

    /**
     * {@code Sam.preprocess}: (x − pixel_mean) / pixel_std per channel on a (3, h, w) image of 0–255 floats, then
     * zero padding at the bottom and right to (3, imgSize, imgSize).
     */
    public static float[] preprocess(float[] chw, int h, int w, int imgSize) {
        if (h <= 0 || w <= 0 || h > imgSize || w > imgSize) {
            throw new IllegalArgumentException("SAM preprocess: image of " + h + "x" + w
                    + " must be positive and fit in " + imgSize + "x" + imgSize + " (resize its longest side first)");
        }
        if (chw.length != 3 * h * w) {
            throw new IllegalArgumentException("SAM preprocess: expected 3x" + h + "x" + w + " = " + 3 * h * w
                    + " values, got " + chw.length);
        }
        float[] out = new float[3 * imgSize * imgSize];
        for (int c = 0; c < 3; c++) {
            float mean = PIXEL_MEAN[c];
            float std = PIXEL_STD[c];
            for (int y = 0; y < h; y++) {
                int src = (c * h + y) * w;
                int dst = (c * imgSize + y) * imgSize;
                for (int x = 0; x < w; x++) {
                    out[dst + x] = (chw[src + x] - mean) / std;
                }
            }
        }
        return out;
    }

    /** {@link #preprocess(float[], int, int, int)} of an RGB image already resized by {@link ResizeLongestSide}. */
    public static float[] preprocess(UInt8Image rgb, int imgSize) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("SAM preprocess needs an RGB image, got " + rgb.channels()
                    + " channel(s)");
        }
        return preprocess(rgb.toChwFloats(), rgb.height(), rgb.width(), imgSize);
    }

    /**
     * {@code Sam.postprocess_masks}: bilinear (align_corners=False) upsampling of (batch, channels, lowH, lowW)
     * low-res logits (SAM: (B, 1 or 3, 256, 256)) to imgSize², crop to the pre-padding input size (the
     * {@link ResizeLongestSide} size), bilinear to the original image size. Returns logits of
     * (batch, channels, origH, origW); threshold them with {@link #threshold}.
     */
    public static float[] postprocessMasks(float[] lowRes, int batch, int channels, int lowH, int lowW,
            int imgSize, int inputH, int inputW, int origH, int origW) {
        int planes = Math.multiplyExact(batch, channels);
        if (inputH <= 0 || inputW <= 0 || inputH > imgSize || inputW > imgSize) {
            throw new IllegalArgumentException("SAM postprocess: input size " + inputH + "x" + inputW
                    + " must be positive and within " + imgSize + "x" + imgSize);
        }
        float[] full = TorchBilinear.resize(lowRes, batch, channels, lowH, lowW, imgSize, imgSize, false);
        float[] cropped = new float[planes * inputH * inputW];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < inputH; y++) {
                System.arraycopy(full, (p * imgSize + y) * imgSize, cropped, (p * inputH + y) * inputW, inputW);
            }
        }
        // In torch the crop is a strided view of the imgSize² tensor; its strides (not the copy's) pick the kernel.
        long[] viewSizes = {batch, channels, inputH, inputW};
        long[] viewStrides = {(long) channels * imgSize * imgSize, (long) imgSize * imgSize, imgSize, 1};
        return TorchBilinear.resize(cropped, batch, channels, inputH, inputW, origH, origW, false,
                TorchBilinear.channelsLastContiguous(viewSizes, viewStrides));
    }

    /** {@code masks > mask_threshold}: 1 where the logit is above 0, else 0 (NaN gives 0, as in torch). */
    public static byte[] threshold(float[] logits) {
        byte[] out = new byte[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] > MASK_THRESHOLD ? (byte) 1 : (byte) 0;
        }
        return out;
    }

    /** {@link #preprocess(UInt8Image, int)} as a (1, 3, imgSize, imgSize) float32 array in {@code manager}. */
    public static NDArray preprocessToArray(NDManager manager, UInt8Image resizedRgb, int imgSize) {
        return manager.create(preprocess(resizedRgb, imgSize), new Shape(1, 3, imgSize, imgSize));
    }

    /**
     * {@link #postprocessMasks(float[], int, int, int, int, int, int, int, int, int)} on a (B, C, h, w) array
     * (copied to the heap; the result is a new float32 (B, C, origH, origW) array in the same manager).
     */
    public static NDArray postprocessMasks(NDArray lowRes, int imgSize, int inputH, int inputW, int origH,
            int origW) {
        Shape s = lowRes.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("low-res masks must be (B, C, h, w), got " + s);
        }
        int b = Math.toIntExact(s.get(0));
        int c = Math.toIntExact(s.get(1));
        float[] x = lowRes.toType(DataType.FLOAT32, false).toFloatArray();
        float[] y = postprocessMasks(x, b, c, Math.toIntExact(s.get(2)), Math.toIntExact(s.get(3)), imgSize, inputH,
                inputW, origH, origW);
        return lowRes.getManager().create(y, new Shape(b, c, origH, origW));
    }
}
