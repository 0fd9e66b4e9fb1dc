package org.samtune.data.prepare;

/**
 * Segments one 2-D slice: {@code slice} is row-major ({@code slice[y·width + x]}, row 0 at the top of the image)
 * in the volume's intensity units; the result holds one class index per pixel in the same order (0 = background).
 */
@FunctionalInterface
public interface SliceSegmenter {
    int[] segment(float[] slice, int width, int height);
}
