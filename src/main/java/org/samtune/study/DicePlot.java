package org.samtune.study;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A box plot with the points over it, as inline SVG: one row per strategy, Dice from 0 to 1 on the x axis. The box
 * spans the quartiles (R-7, as numpy) with the median inside; the whiskers reach the most extreme values within
 * 1.5 interquartile ranges; every value is drawn as a dot (with a deterministic vertical jitter), so small samples
 * are shown as they are.
 */
final class DicePlot {
    private static final int LABEL_W = 260;
    private static final int PLOT_W = 560;
    private static final int ROW_H = 34;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private DicePlot() {}

    static String svg(String title, List<String> labels, List<double[]> values) {
        int h = TOP + ROW_H * labels.size() + BOTTOM;
        int w = LABEL_W + PLOT_W + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">", w, h, w, h));
        sb.append("<title>").append(HtmlPage.esc(title)).append("</title>");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-weight=\"bold\">%s</text>", LABEL_W,
                HtmlPage.esc(title)));
        int axisY = TOP + ROW_H * labels.size();
        for (int t = 0; t <= 10; t++) {
            double x = LABEL_W + PLOT_W * t / 10.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e3e6ea\"/>",
                    x, TOP, x, axisY));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>", x,
                    axisY + 16, t / 10.0));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">Dice</text>",
                LABEL_W + PLOT_W / 2, axisY + 34));
        for (int r = 0; r < labels.size(); r++) {
            double cy = TOP + ROW_H * r + ROW_H / 2.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    LABEL_W - 8, cy + 4, HtmlPage.esc(labels.get(r))));
            double[] v = Arrays.stream(values.get(r)).filter(d -> !Double.isNaN(d)).sorted().toArray();
            if (v.length == 0) {
                continue;
            }
            double[] q = Bootstrap.percentiles(v, 25, 50, 75);
            double iqr = q[2] - q[0];
            double lo = v[0];
            double hi = v[v.length - 1];
            for (double d : v) {
                if (d >= q[0] - 1.5 * iqr) {
                    lo = d;
                    break;
                }
            }
            for (int i = v.length - 1; i >= 0; i--) {
                if (v[i] <= q[2] + 1.5 * iqr) {
                    hi = v[i];
                    break;
                }
            }
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    + "stroke=\"#445\"/>", x(lo), cy, x(hi), cy));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
                    + "fill=\"#cfe0f5\" stroke=\"#445\"/>", x(q[0]), cy - 9, Math.max(1, x(q[2]) - x(q[0])), 18));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    + "stroke=\"#1d232a\" stroke-width=\"2\"/>", x(q[1]), cy - 9, x(q[1]), cy + 9));
            double[] raw = values.get(r);
            for (int i = 0; i < raw.length; i++) {
                if (Double.isNaN(raw[i])) {
                    continue;
                }
                double jitter = ((i * 0.618034) % 1.0 - 0.5) * 14;
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"#d9480f\" "
                        + "fill-opacity=\"0.75\"/>", x(raw[i]), cy + jitter));
            }
        }
        return sb.append("</svg>").toString();
    }

    private static double x(double dice) {
        return LABEL_W + PLOT_W * Math.max(0, Math.min(1, dice));
    }
}
