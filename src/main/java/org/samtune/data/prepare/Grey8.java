package org.samtune.data.prepare;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.samtune.SamtuneException;

/**
 * How a volume's intensities become 8-bit grey for PNG slices, decided once per volume so every slice of a case
 * shares one mapping: a CT window ({@link Intensity.Window}, e.g. the {@code brain} preset 40/80 HU) or, by
 * default, {@link Intensity#percentileClip} at the 0.5th–99.5th percentiles of the whole volume; the [0, 1] result
 * times 255, rounded half up.
 *
 * @param window the CT window, or null for percentile clipping
 * @param preset the window preset's name, or null
 */
public record Grey8(Intensity.Window window, String preset) {

    public static final double LOW_PERCENT = 0.5;
    public static final double HIGH_PERCENT = 99.5;

    public static final Grey8 DEFAULT_PERCENTILES = new Grey8(null, null);

    /** {@code null} → percentiles; a preset name ({@link Intensity#preset}); or {@code level,width} in HU. */
    public static Grey8 parse(String text) {
        if (text == null) {
            return DEFAULT_PERCENTILES;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.contains(",")) {
            try {
                return new Grey8(Intensity.preset(t), t);
            } catch (SamtuneException e) {
                throw new SamtuneException("--window: " + e.getMessage() + " (e.g. 40,80), got '" + text + "'");
            }
        }
        String[] f = t.split(",");
        try {
            if (f.length == 2) {
                return new Grey8(new Intensity.Window(Double.parseDouble(f[0].trim()),
                        Double.parseDouble(f[1].trim())), null);
            }
        } catch (NumberFormatException | SamtuneException e) {
            // reported below
        }
        throw new SamtuneException("--window: expected a preset name or LEVEL,WIDTH in HU with WIDTH > 0 (e.g. 40,80),"
                + " got '" + text + "'");
    }

    public boolean isWindow() {
        return window != null;
    }

    /** The intensities mapped to 0 and 255 for this volume. */
    public double[] bounds(float[] voxels) {
        if (isWindow()) {
            return new double[] {window.lowHu(), window.highHu()};
        }
        return Intensity.percentiles(voxels, LOW_PERCENT, HIGH_PERCENT);
    }

    /** 8-bit grey values 0..255 (as floats, ready for {@code Image2D}). */
    public float[] apply(float[] voxels) {
        float[] unit = isWindow() ? Intensity.window(voxels, window)
                : Intensity.percentileClip(voxels, LOW_PERCENT, HIGH_PERCENT, false);
        float[] out = new float[unit.length];
        for (int i = 0; i < unit.length; i++) {
            out[i] = (float) Math.floor(unit[i] * 255.0 + 0.5);
        }
        return out;
    }

    /** For dataset.yaml. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (isWindow()) {
            m.put("mode", "window");
            if (preset != null) {
                m.put("preset", preset);
            }
            m.put("level_hu", window.levelHu());
            m.put("width_hu", window.widthHu());
        } else {
            m.put("mode", "percentile min-max");
            m.put("percentiles", new double[] {LOW_PERCENT, HIGH_PERCENT});
        }
        m.put("to_uint8", "round(clip((v - lo) / (hi - lo), 0, 1) * 255)");
        return m;
    }
}
