package org.samtune.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;
import org.samtune.model.nn.Precision;

/**
 * {@code results.csv}: one row per cell × test case × class with Dice, IoU, HD95, ASSD and NSD, and the columns
 * that say which cell (dataset, strategy axes with the precision, seed, the cell's folder relative to the study). Written in the
 * plan's cell order and each cell's test-list order, with fixed number formatting, so two identical studies give
 * identical files; read back by the ranking and the report (a moved study folder reports again).
 */
public final class StudyResults {

    public static final String FILE = "results.csv";
    static final String HEADER = "dataset,strategy,arch,tune,method,setup,prompt,shots,precision,seed,cell,case,"
            + "class_index,class,dice,iou,hd95_mm,assd_mm,nsd";
    /** The header of studies made before the precision axis (every cell float32); still read. */
    static final String HEADER_FP32_ONLY = "dataset,strategy,arch,tune,method,setup,prompt,shots,seed,cell,case,"
            + "class_index,class,dice,iou,hd95_mm,assd_mm,nsd";

    /** One row; metrics are NaN where undefined and +∞ where one side is empty (as {@code samtune eval}). */
    public record Row(String dataset, String strategy, StrategyKey key, long seed, String cell, String caseId,
                      int classIndex, String className, double dice, double iou, double hd95Mm, double assdMm,
                      double nsd) {}

    private StudyResults() {}

    public static void write(Path file, List<Row> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) {
            StrategyKey k = r.key();
            sb.append(String.join(",", csv(r.dataset()), csv(r.strategy()), csv(k.arch()), csv(k.tune()),
                    csv(k.method()), csv(k.setup()), csv(k.prompt()), csv(k.shots()), csv(k.precision().id()),
                    Long.toString(r.seed()),
                    csv(r.cell()), csv(r.caseId()), Integer.toString(r.classIndex()), csv(r.className()),
                    number(r.dice()), number(r.iou()), number(r.hd95Mm()), number(r.assdMm()), number(r.nsd())))
                    .append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    public static List<Row> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read the study results: " + e.getMessage(), e);
        }
        boolean old = !lines.isEmpty() && lines.get(0).equals(HEADER_FP32_ONLY);
        if (lines.isEmpty() || !(old || lines.get(0).equals(HEADER))) {
            throw new SamtuneException(file + ": not a samtune results.csv (expected the header " + HEADER + ")");
        }
        int fields = old ? 18 : 19;
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            List<String> f = new ArrayList<>(Csv.split(lines.get(i)));
            if (f.size() != fields) {
                throw new SamtuneException(file + ": line " + (i + 1) + ": expected " + fields + " fields, got "
                        + f.size());
            }
            if (old) {
                f.add(8, Precision.FP32.id());
            }
            Precision precision;
            try {
                precision = Precision.parse(f.get(8));
            } catch (SamtuneException e) {
                throw new SamtuneException(file + ": line " + (i + 1) + ": precision: expected fp32 or bf16, got '"
                        + f.get(8) + "'", e);
            }
            try {
                rows.add(new Row(f.get(0), f.get(1), new StrategyKey(f.get(2), f.get(3), f.get(4), f.get(5),
                        f.get(6), f.get(7), precision), Long.parseLong(f.get(9)), f.get(10),
                        f.get(11), Integer.parseInt(f.get(12)), f.get(13), parse(f.get(14)), parse(f.get(15)),
                        parse(f.get(16)), parse(f.get(17)), parse(f.get(18))));
            } catch (NumberFormatException e) {
                throw new SamtuneException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return rows;
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

    static double parse(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    static String csv(String s) {
        return Csv.quote(s);
    }
}
