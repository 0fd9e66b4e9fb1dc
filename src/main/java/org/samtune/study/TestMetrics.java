package org.samtune.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;

/** Reads a cell's {@code test-metrics.csv} (the table {@code samtune eval --run} writes) into study rows. */
final class TestMetrics {
    private TestMetrics() {}

    static List<StudyResults.Row> read(Path file, StudyCell cell, String strategyLabel) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("case,slice,class_index,class,dice,iou,hd95_mm,assd_mm,nsd")) {
            throw new SamtuneException(file + ": not a samtune metrics table (header " + (lines.isEmpty() ? "missing"
                    : lines.get(0)) + ")");
        }
        List<StudyResults.Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                continue;
            }
            List<String> f = Csv.split(lines.get(i));
            if (f.size() < 9) {
                throw new SamtuneException(file + ": line " + (i + 1) + ": expected at least 9 fields");
            }
            try {
                rows.add(new StudyResults.Row(cell.dataset(), strategyLabel, cell.strategy(), cell.seed(),
                        cell.relativeDir(), f.get(0), Integer.parseInt(f.get(2)), f.get(3),
                        StudyResults.parse(f.get(4)), StudyResults.parse(f.get(5)), StudyResults.parse(f.get(6)),
                        StudyResults.parse(f.get(7)), StudyResults.parse(f.get(8))));
            } catch (NumberFormatException e) {
                throw new SamtuneException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return rows;
    }
}
