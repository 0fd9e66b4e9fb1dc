package org.samtune.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.samtune.study.CellStatus;
import org.samtune.study.Study;
import org.samtune.study.StudyResults;

/**
 * Review of a study folder ({@code samtune study --out STUDY}): its cells (dataset, strategy, seed, state and mean
 * test Dice from {@code results.csv}), each an ordinary run folder whose test slices {@link Review} then shows with
 * truth, prediction and Dice per slice. Only cells whose folders lie below the root are listed: the walk does not
 * follow symbolic links, and every cell is checked against the root as {@link RootFolder#existing} checks a path.
 */
final class StudyReview {
    /** {@code STUDY/cells/<dataset>/<strategy>/seedN}: three levels below {@code cells}. */
    private static final int CELL_DEPTH = 3;

    private final RootFolder root;

    StudyReview(RootFolder root) {
        this.root = root;
    }

    /** The study's cells in folder order, with what results.csv says of each. */
    Map<String, Object> list(String studyRel) {
        Path study = root.existing(studyRel);
        Path cells = study.resolve("cells");
        if (!Files.isRegularFile(study.resolve(Study.PLAN)) || !Files.isDirectory(cells)) {
            throw ServeException.badRequest("'" + studyRel + "' is not a study folder (expected " + Study.PLAN
                    + " and cells/ made by samtune study)");
        }
        Map<String, List<StudyResults.Row>> byCell = new LinkedHashMap<>();
        Path results = study.resolve(StudyResults.FILE);
        if (Files.isRegularFile(results)) {
            for (StudyResults.Row r : StudyResults.read(results)) {
                byCell.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Path dir : cellFolders(cells)) {
            String inStudy = study.relativize(dir).toString().replace('\\', '/');
            Path below = root.existing(root.relative(dir));
            CellStatus status = CellStatus.read(below);
            List<StudyResults.Row> rows = byCell.getOrDefault(inStudy, List.of());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell", inStudy);
            m.put("run", root.relative(below));
            m.put("dataset", dir.getParent().getParent().getFileName().toString());
            m.put("strategy", rows.isEmpty() ? dir.getParent().getFileName().toString() : rows.get(0).strategy());
            m.put("seed", dir.getFileName().toString().substring("seed".length()));
            m.put("state", status == null ? (Files.isRegularFile(below.resolve("config.yaml")) ? "unfinished"
                    : "pending") : status.state());
            m.put("error", status == null ? null : status.error());
            m.put("meanDice", meanDice(rows));
            m.put("testCases", rows.stream().map(StudyResults.Row::caseId).distinct().count());
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("study", root.relative(study));
        m.put("cells", out);
        return m;
    }

    /** Folders named seedN three levels below {@code cells}, not through symbolic links. */
    private static List<Path> cellFolders(Path cells) {
        try (Stream<Path> s = Files.walk(cells, CELL_DEPTH)) {
            return s.filter(p -> cells.relativize(p).getNameCount() == CELL_DEPTH)
                    .filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().matches("seed-?[0-9]+"))
                    .sorted().toList();
        } catch (IOException e) {
            throw ServeException.badRequest(cells.getFileName() + ": cannot list the study's cells: " + e.getMessage());
        }
    }

    /** Mean test Dice over the cell's cases and classes where it is defined; null when there is none. */
    private static Double meanDice(List<StudyResults.Row> rows) {
        double sum = 0;
        int n = 0;
        for (StudyResults.Row r : rows) {
            if (Double.isFinite(r.dice())) {
                sum += r.dice();
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }
}
