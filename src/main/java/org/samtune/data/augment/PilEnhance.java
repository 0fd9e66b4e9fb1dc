package org.samtune.data.augment;

import org.samtune.data.SliceImages;

/**
 * PIL's 8-bit colour operations on interleaved RGB, bit for bit: {@code ImageOps.equalize}, the
 * {@code ImageEnhance} brightness / contrast / colour blends and torchvision's HSV hue shift. These are what
 * torchvision's {@code RandomEqualize} and {@code ColorJitter} call on PIL images.
 */
public final class PilEnhance {
    private PilEnhance() {}

    /** {@code ImageOps.equalize}: per band, a cumulative-histogram lookup table (in place). */
    public static void equalize(byte[] rgb) {
        for (int band = 0; band < 3; band++) {
            long[] h = new long[256];
            for (int i = band; i < rgb.length; i += 3) {
                h[rgb[i] & 0xff]++;
            }
            long total = 0;
            long last = 0;
            int nonZero = 0;
            for (long count : h) {
                if (count != 0) {
                    total += count;
                    last = count;
                    nonZero++;
                }
            }
            int[] lut = new int[256];
            long step = nonZero <= 1 ? 0 : (total - last) / 256;
            if (step == 0) {
                continue; // identity table
            }
            long n = step / 2;
            for (int i = 0; i < 256; i++) {
                lut[i] = (int) Math.min(n / step, 255); // Image.point clips table entries to 8 bits
                n += h[i];
            }
            for (int i = band; i < rgb.length; i += 3) {
                rgb[i] = (byte) lut[rgb[i] & 0xff];
            }
        }
    }

    /** {@code ImageEnhance.Brightness}: blend with black. */
    public static void brightness(byte[] rgb, double factor) {
        float alpha = (float) factor;
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = blend(0, rgb[i] & 0xff, alpha);
        }
    }

    /** {@code ImageEnhance.Contrast}: blend with the image's mean grey level, rounded. */
    public static void contrast(byte[] rgb, double factor) {
        long[] hist = new long[256];
        for (int i = 0; i < rgb.length; i += 3) {
            hist[SliceImages.luma(rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff)]++;
        }
        double sum = 0;
        long count = 0;
        for (int v = 0; v < 256; v++) {
            sum += (double) v * hist[v];
            count += hist[v];
        }
        int mean = count == 0 ? 0 : (int) (sum / count + 0.5);
        float alpha = (float) factor;
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = blend(mean, rgb[i] & 0xff, alpha);
        }
    }

    /** {@code ImageEnhance.Color}: blend with the grey version (a no-op on grey images). */
    public static void saturation(byte[] rgb, double factor) {
        float alpha = (float) factor;
        for (int i = 0; i < rgb.length; i += 3) {
            int grey = SliceImages.luma(rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff);
            for (int k = 0; k < 3; k++) {
                rgb[i + k] = blend(grey, rgb[i + k] & 0xff, alpha);
            }
        }
    }

    /**
     * torchvision's {@code adjust_hue} on PIL: RGB → PIL HSV, hue byte += uint8(factor·255) (wrapping), → RGB.
     * Grey pixels have saturation 0 and come back unchanged.
     */
    public static void hue(byte[] rgb, double factor) {
        int shift = ((int) (factor * 255)) & 0xff; // numpy's uint8 cast of a negative value wraps on x86
        for (int i = 0; i < rgb.length; i += 3) {
            int r = rgb[i] & 0xff;
            int g = rgb[i + 1] & 0xff;
            int b = rgb[i + 2] & 0xff;
            int maxc = Math.max(r, Math.max(g, b));
            int minc = Math.min(r, Math.min(g, b));
            if (maxc == minc) {
                continue; // s = 0: hsv2rgb returns (v, v, v)
            }
            float cr = maxc - minc;
            float s = cr / maxc;
            float rc = (maxc - r) / cr;
            float gc = (maxc - g) / cr;
            float bc = (maxc - b) / cr;
            float h;
            if (r == maxc) {
                h = bc - gc;
            } else if (g == maxc) {
                h = (float) (2.0 + rc - bc);
            } else {
                h = (float) (4.0 + gc - rc);
            }
            h = (float) ((h / 6.0 + 1.0) % 1.0);
            int uh = clip8((int) (h * 255.0));
            int us = clip8((int) (s * 255.0));
            int v = maxc;
            uh = (uh + shift) & 0xff;
            if (us == 0) {
                rgb[i] = rgb[i + 1] = rgb[i + 2] = (byte) v;
                continue;
            }
            int sector = (int) Math.floor((float) uh * 6.0 / 255.0);
            float f = (float) ((float) uh * 6.0 / 255.0 - (float) sector);
            float fs = (float) (us / 255.0);
            int p = clip8((int) Math.round((double) (float) (v * (1.0 - fs))));
            int q = clip8((int) Math.round((double) (float) (v * (1.0 - fs * f))));
            int t = clip8((int) Math.round((double) (float) (v * (1.0 - fs * (1.0 - f)))));
            int[] out = switch (sector % 6) {
                case 0 -> new int[] {v, t, p};
                case 1 -> new int[] {q, v, p};
                case 2 -> new int[] {p, v, t};
                case 3 -> new int[] {p, q, v};
                case 4 -> new int[] {t, p, v};
                default -> new int[] {v, p, q};
            };
            rgb[i] = (byte) out[0];
            rgb[i + 1] = (byte) out[1];
            rgb[i + 2] = (byte) out[2];
        }
    }

    /** PIL's {@code ImagingBlend} for 8-bit bands: float interpolation, clipped, truncated. */
    private static byte blend(int in1, int in2, float alpha) {
        float temp = in1 + alpha * (in2 - in1);
        if (temp <= 0f) {
            return 0;
        }
        if (temp >= 255f) {
            return (byte) 255;
        }
        return (byte) (int) temp;
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
