package org.samtune.data;

/**
 * A loaded training slice: interleaved 8-bit RGB pixels and one class index per pixel (after the target mode).
 * Arrays are row-major, {@code width} pixels per row.
 */
public record Slice2D(String name, int width, int height, byte[] rgb, byte[] labels) {

    public Slice2D {
        if (rgb.length != width * height * 3 || labels.length != width * height) {
            throw new IllegalArgumentException("slice " + name + ": arrays do not match " + width + "x" + height);
        }
    }

    /** The image as the preprocessing code takes it (HWC, 3 channels). */
    public UInt8Image image() {
        return new UInt8Image(height, width, 3, rgb);
    }

    /** The labels as a one-channel image (for resizing with PIL NEAREST). */
    public UInt8Image labelImage() {
        return new UInt8Image(height, width, 1, labels);
    }

    /** The class index of pixel (x, y). */
    public int label(int x, int y) {
        return labels[y * width + x] & 0xff;
    }
}
