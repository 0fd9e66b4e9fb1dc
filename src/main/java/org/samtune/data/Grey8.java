package org.samtune.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.samtune.SamtuneException;

/**
 * How a volume's intensities become 8-bit grey for a PNG slice, decided once per volume so every slice of a case
 * shares one mapping: either a CT window (level/width in HU, e.g. the {@code brain} preset 40/80) or, by default,
 * the 0.5th–99.5th percentiles of the whole volume mapped min–max onto 0..255. Values outside clip; the result is
 * rounded half up.
 *
 * @param level window centre (HU), or NaN in percentile mode
 * @param width window width (HU), or NaN in percentile mode
 * @param lowPercent lower percentile (percentile mode)
 * @param highPercent upper percentile (percentile mode)
 * @param preset the preset's name, or null
 */
public record Grey8(double level, double width, double lowPercent, double highPercent, String preset) {

    /** Common CT windows, level and width in HU (radiology teaching values). */
    public static final Map<String, double[]> PRESETS = presets();

    public static final Grey8 DEFAULT_PERCENTILES = new Grey8(Double.NaN, Double.NaN, 0.5, 99.5, null);

    private static Map<String, double[]> presets() {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("brain", new double[] {40, 80});
        m.put("subdural", new double[] {75, 215});
        m.put("stroke", new double[] {40, 40});
        m.put("bone", new double[] {400, 1800});
        m.put("lung", new double[] {-600, 1500});
        m.put("mediastinum", new double[] {50, 350});
        m.put("abdomen", new double[] {50, 400});
        m.put("liver", new double[] {30, 150});
        return java.util.Collections.unmodifiableMap(m);
    }

    public boolean isWindow() {
        return !Double.isNaN(width);
    }

    /** {@code null} → percentiles; a preset name; or {@code level,width}. */
    public static Grey8 parse(String text) {
        if (text == null) {
            return DEFAULT_PERCENTILES;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        double[] p = PRESETS.get(t);
        if (p != null) {
            return new Grey8(p[0], p[1], Double.NaN, Double.NaN, t);
        }
        String[] f = t.split(",");
        try {
            if (f.length == 2) {
                double level = Double.parseDouble(f[0].trim());
                double width = Double.parseDouble(f[1].trim());
                if (width > 0 && Double.isFinite(level) && Double.isFinite(width)) {
                    return new Grey8(level, width, Double.NaN, Double.NaN, null);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SamtuneException("--window: expected a preset " + PRESETS.keySet()
                + " or LEVEL,WIDTH with WIDTH > 0 (e.g. 40,80), got '" + text + "'");
    }

    /** The intensity bounds [lo, hi] mapped to 0 and 255 for this volume. */
    public double[] bounds(float[] voxels) {
        if (isWindow()) {
            return new double[] {level - width / 2, level + width / 2};
        }
        float[] sorted = voxels.clone();
        Arrays.sort(sorted);
        return new double[] {percentile(sorted, lowPercent), percentile(sorted, highPercent)};
    }

    public byte[] apply(float[] voxels) {
        double[] b = bounds(voxels);
        double lo = b[0];
        double range = b[1] - b[0];
        byte[] out = new byte[voxels.length];
        if (!(range > 0)) {
            // a constant volume (or percentiles that coincide): everything at or above lo is white
            for (int i = 0; i < voxels.length; i++) {
                out[i] = (byte) (voxels[i] > lo ? 255 : 0);
            }
            return out;
        }
        for (int i = 0; i < voxels.length; i++) {
            double x = (voxels[i] - lo) / range;
            x = x < 0 ? 0 : x > 1 ? 1 : x;
            out[i] = (byte) (int) Math.floor(x * 255 + 0.5);
        }
        return out;
    }

    /** For dataset.yaml. */
    public Map<String, Object> describe(float[] voxels) {
        Map<String, Object> m = new LinkedHashMap<>();
        double[] b = bounds(voxels);
        if (isWindow()) {
            m.put("mode", "window");
            if (preset != null) {
                m.put("preset", preset);
            }
            m.put("level", level);
            m.put("width", width);
        } else {
            m.put("mode", "percentile min-max");
            m.put("percentiles", new double[] {lowPercent, highPercent});
        }
        m.put("to_uint8", "clip((v - lo) / (hi - lo), 0, 1) * 255, rounded");
        m.put("lo_hi", b);
        return m;
    }

    /** numpy.percentile (linear) of sorted values. */
    static double percentile(float[] sorted, double percent) {
        double pos = percent / 100.0 * (sorted.length - 1);
        int below = (int) Math.floor(pos);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (sorted[above] - (double) sorted[below]) * (pos - below);
    }
}
