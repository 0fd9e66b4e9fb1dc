package org.samtune.data;

import org.samtune.data.prepare.Grey8;

import java.util.Objects;

/**
 * An 8-bit image as PIL and numpy hold it: {@code height × width × channels} bytes, rows top to bottom, channels
 * interleaved (HWC). One channel is PIL mode "L" (grey or a label mask), three are "RGB".
 */
public record UInt8Image(int height, int width, int channels, byte[] pixels) {

    public UInt8Image {
        Objects.requireNonNull(pixels, "pixels");
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width + "x"
                    + channels);
        }
        if ((long) height * width * channels != pixels.length) {
            throw new IllegalArgumentException("image of " + height + "x" + width + "x" + channels + " needs "
                    + (long) height * width * channels + " bytes, got " + pixels.length);
        }
    }

    /**
     * A one-channel image from grey values that are already 0–255 (a volume slice mapped by {@link Grey8}), each
     * rounded to the nearest integer and clamped to 0..255; row-major, {@code width} values per row.
     */
    public static UInt8Image fromGrey(float[] values, int width, int height) {
        if (values.length != (long) width * height) {
            throw new IllegalArgumentException(values.length + " values for a " + width + "×" + height + " image");
        }
        byte[] grey = new byte[values.length];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = (byte) Math.max(0, Math.min(255, Math.round(values[i])));
        }
        return new UInt8Image(height, width, 1, grey);
    }

    /** The value (0–255) at row y, column x, channel c. */
    public int get(int y, int x, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }

    /** PIL's {@code convert('RGB')} of a grey image: the grey value replicated to three channels. */
    public UInt8Image toRgb() {
        if (channels == 3) {
            return this;
        }
        if (channels != 1) {
            throw new IllegalArgumentException("cannot convert a " + channels + "-channel image to RGB");
        }
        byte[] rgb = new byte[pixels.length * 3];
        for (int i = 0; i < pixels.length; i++) {
            rgb[3 * i] = pixels[i];
            rgb[3 * i + 1] = pixels[i];
            rgb[3 * i + 2] = pixels[i];
        }
        return new UInt8Image(height, width, 3, rgb);
    }

    /** Channel-first floats 0–255 (C, H, W), as {@code torch.as_tensor(np_image).permute(2, 0, 1).float()}. */
    public float[] toChwFloats() {
        float[] out = new float[pixels.length];
        int plane = height * width;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                out[c * plane + i] = pixels[i * channels + c] & 0xff;
            }
        }
        return out;
    }
}
