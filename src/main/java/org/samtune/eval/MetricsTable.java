package org.samtune.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.samtune.io.AtomicFiles;

/**
 * Per-class results of one evaluation: one row per (case, slice or whole volume, class), the means over rows,
 * a CSV writer and an aligned text table for the terminal.
 *
 * <p>Means follow MONAI's {@code do_metric_reduction("mean")}: NaN values (undefined, e.g. a class absent from
 * both prediction and truth) are left out and counted separately; +∞ is kept, so one missed structure makes the
 * mean distance +∞ (visible, not hidden).
 */
public final class MetricsTable {

    /** Whole-volume rows have {@code slice == VOLUME}. */
    public static final int VOLUME = -1;

    /** The class index of the mean across classes (written as an empty class_index in CSV). */
    public static final int ALL_CLASSES = -1;

    /** One row: {@code slice} is the slice index along the evaluation axis, or {@link #VOLUME}. */
    public record Row(String caseId, int slice, int classIndex, String className, ClassMetrics metrics) {}

    /**
     * The mean of each metric over the rows of one class and one scope; {@code counts[m]} is the number of
     * non-NaN values that entered {@code means[m]}.
     */
    public record Mean(int classIndex, String className, int rows, double[] means, int[] counts) {}

    private final List<Row> rows = new ArrayList<>();

    public void add(Row row) {
        rows.add(row);
    }

    /** Adds one row per class (index i+1 ↔ {@code metrics.get(i)}). */
    public void addAll(String caseId, int slice, List<String> classNames, List<ClassMetrics> metrics) {
        for (int i = 0; i < metrics.size(); i++) {
            add(new Row(caseId, slice, i + 1, classNames.get(i), metrics.get(i)));
        }
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Means per class over whole-volume rows ({@code slices=false}) or over slice rows ({@code slices=true}). */
    public List<Mean> meansPerClass(boolean slices) {
        Map<Integer, List<Row>> byClass = new LinkedHashMap<>();
        for (Row r : rows) {
            if ((r.slice() != VOLUME) == slices) {
                byClass.computeIfAbsent(r.classIndex(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Mean> out = new ArrayList<>();
        byClass.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            int m = ClassMetrics.NAMES.length;
            double[] sum = new double[m];
            int[] count = new int[m];
            for (Row r : e.getValue()) {
                double[] v = r.metrics().values();
                for (int k = 0; k < m; k++) {
                    if (!Double.isNaN(v[k])) {
                        sum[k] += v[k];
                        count[k]++;
                    }
                }
            }
            double[] mean = new double[m];
            for (int k = 0; k < m; k++) {
                mean[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
            }
            out.add(new Mean(e.getKey(), e.getValue().get(0).className(), e.getValue().size(), mean, count));
        });
        return out;
    }

    /**
     * The mean across classes of the per-class means ({@link #meansPerClass}) — every class weighs the same,
     * whatever its number of rows, as nnU-Net's and MONAI's "mean over classes". A class whose mean is NaN
     * (never defined) is left out and {@code counts[m]} says how many classes entered; +∞ is kept. Returned with
     * class index {@link #ALL_CLASSES} and class name {@code mean}; null when there are no rows in that scope.
     */
    public Mean meanOverClasses(boolean slices) {
        List<Mean> perClass = meansPerClass(slices);
        if (perClass.isEmpty()) {
            return null;
        }
        int m = ClassMetrics.NAMES.length;
        double[] sum = new double[m];
        int[] count = new int[m];
        for (Mean c : perClass) {
            for (int k = 0; k < m; k++) {
                if (!Double.isNaN(c.means()[k])) {
                    sum[k] += c.means()[k];
                    count[k]++;
                }
            }
        }
        double[] mean = new double[m];
        for (int k = 0; k < m; k++) {
            mean[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
        }
        return new Mean(ALL_CLASSES, "mean", perClass.size(), mean, count);
    }

    /** The rows as CSV: {@code case,slice,class_index,class,dice,iou,hd95_mm,assd_mm,nsd,pred_voxels,truth_voxels}. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("case,slice,class_index,class");
        for (String n : ClassMetrics.NAMES) {
            sb.append(',').append(n);
        }
        sb.append(",pred_voxels,truth_voxels\n");
        for (Row r : rows) {
            sb.append(csvField(r.caseId())).append(',').append(r.slice() == VOLUME ? "volume" : r.slice())
                    .append(',').append(r.classIndex()).append(',').append(csvField(r.className()));
            for (double v : r.metrics().values()) {
                sb.append(',').append(number(v));
            }
            sb.append(',').append(r.metrics().predVoxels()).append(',').append(r.metrics().truthVoxels())
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * The means as CSV: {@code scope,class_index,class,rows,dice,dice_n,iou,iou_n,...}; after each scope's classes
     * one row {@code scope,,mean,<classes>,...}, the mean across classes ({@code rows} = classes, {@code *_n} =
     * classes with a value).
     */
    public String meansCsv() {
        StringBuilder sb = new StringBuilder("scope,class_index,class,rows");
        for (String n : ClassMetrics.NAMES) {
            sb.append(',').append(n).append(',').append(n).append("_n");
        }
        sb.append('\n');
        for (boolean slices : new boolean[] {false, true}) {
            List<Mean> all = new ArrayList<>(meansPerClass(slices));
            Mean across = meanOverClasses(slices);
            if (across != null) {
                all.add(across);
            }
            for (Mean m : all) {
                sb.append(slices ? "slice" : "volume").append(',')
                        .append(m.classIndex() == ALL_CLASSES ? "" : Integer.toString(m.classIndex())).append(',')
                        .append(csvField(m.className())).append(',').append(m.rows());
                for (int k = 0; k < m.means().length; k++) {
                    sb.append(',').append(number(m.means()[k])).append(',').append(m.counts()[k]);
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    public void writeCsv(Path file) {
        AtomicFiles.writeString(file, toCsv());
    }

    public void writeMeansCsv(Path file) {
        AtomicFiles.writeString(file, meansCsv());
    }

    /**
     * An aligned text table of the means per class (whole volumes, then slices when there are slice rows) and,
     * with two classes or more, their mean across classes: a value followed by {@code (n=…)} when some rows (or
     * classes) were NaN and left out.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (boolean slices : new boolean[] {false, true}) {
            List<Mean> means = meansPerClass(slices);
            if (means.isEmpty()) {
                continue;
            }
            List<String[]> table = new ArrayList<>();
            String[] header = new String[3 + ClassMetrics.NAMES.length];
            header[0] = "class";
            header[1] = "index";
            header[2] = slices ? "slices" : "cases";
            System.arraycopy(ClassMetrics.NAMES, 0, header, 3, ClassMetrics.NAMES.length);
            table.add(header);
            for (Mean m : means) {
                String[] line = new String[header.length];
                line[0] = m.className();
                line[1] = Integer.toString(m.classIndex());
                line[2] = Integer.toString(m.rows());
                for (int k = 0; k < m.means().length; k++) {
                    String v = display(m.means()[k]);
                    line[3 + k] = m.counts()[k] == m.rows() ? v : v + " (n=" + m.counts()[k] + ")";
                }
                table.add(line);
            }
            if (means.size() > 1) {
                Mean across = meanOverClasses(slices);
                String[] line = new String[header.length];
                line[0] = "mean (" + means.size() + " classes)";
                line[1] = "";
                line[2] = "";
                for (int k = 0; k < across.means().length; k++) {
                    String v = display(across.means()[k]);
                    line[3 + k] = across.counts()[k] == means.size() ? v : v + " (n=" + across.counts()[k] + ")";
                }
                table.add(line);
            }
            sb.append(slices ? "Mean per class over slices\n" : "Mean per class over volumes\n");
            appendAligned(sb, table);
        }
        return sb.toString();
    }

    private static void appendAligned(StringBuilder sb, List<String[]> table) {
        int cols = table.get(0).length;
        int[] width = new int[cols];
        for (String[] line : table) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        for (int li = 0; li < table.size(); li++) {
            String[] line = table.get(li);
            StringBuilder l = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                if (c > 0) {
                    l.append("  ");
                }
                // text left-aligned, numbers right-aligned
                String fmt = c == 0 ? "%-" + width[c] + "s" : "%" + width[c] + "s";
                l.append(String.format(Locale.ROOT, fmt, line[c]));
            }
            sb.append(l.toString().stripTrailing()).append('\n');
            if (li == 0) {
                int total = 0;
                for (int w : width) {
                    total += w;
                }
                sb.append("-".repeat(total + 2 * (cols - 1))).append('\n');
            }
        }
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String display(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return number(v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String csvField(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
