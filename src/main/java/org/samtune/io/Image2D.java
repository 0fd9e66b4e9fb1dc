package org.samtune.io;

/**
 * A 2-D image: {@code channels} samples per pixel (1 grey, 3 RGB), interleaved, rows top to bottom:
 * {@code data[(y·width + x)·channels + c]}. Values are the file's own integer samples (0..255 for 8 bits,
 * 0..65535 for 16 bits; signed or float TIFF samples as stored), {@code bitDepth} tells which.
 */
public record Image2D(int width, int height, int channels, int bitDepth, float[] data) {

    public Image2D {
        if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)
                || (long) width * height * channels != data.length) {
            throw new IllegalArgumentException("image " + width + "×" + height + "×" + channels + " does not match "
                    + data.length + " samples (channels are 1 or 3)");
        }
    }

    public float get(int x, int y, int c) {
        return data[(y * width + x) * channels + c];
    }

    /** The largest value the bit depth holds, e.g. 255 or 65535 (1 for 32-bit float samples). */
    public double maxValue() {
        return bitDepth >= 32 ? 1 : (1L << bitDepth) - 1;
    }

    /**
     * One channel: this image if already grey; the common value where R = G = B everywhere (a grey image stored
     * as RGB); otherwise the ITU-R 601 luma 0.299·R + 0.587·G + 0.114·B (PIL's {@code convert("L")} before
     * rounding).
     */
    public Image2D grey() {
        if (channels == 1) {
            return this;
        }
        int n = width * height;
        float[] g = new float[n];
        boolean equal = true;
        for (int i = 0; i < n && equal; i++) {
            equal = data[3 * i] == data[3 * i + 1] && data[3 * i] == data[3 * i + 2];
        }
        for (int i = 0; i < n; i++) {
            float r = data[3 * i];
            g[i] = equal ? r : (float) (0.299 * r + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2]);
        }
        return new Image2D(width, height, 1, bitDepth, g);
    }

    /** Three channels: this image if RGB, else the grey value repeated (what SAM's 3-channel input expects). */
    public Image2D rgb() {
        if (channels == 3) {
            return this;
        }
        float[] c = new float[data.length * 3];
        for (int i = 0; i < data.length; i++) {
            c[3 * i] = data[i];
            c[3 * i + 1] = data[i];
            c[3 * i + 2] = data[i];
        }
        return new Image2D(width, height, 3, bitDepth, c);
    }
}
