package org.samtune.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;
import org.samtune.data.FewShot;
import org.samtune.io.AtomicFiles;

/**
 * {@code train --shots K}: the K training slices a run uses, drawn from its training list with {@link FewShot}'s
 * rule (the one {@code prepare --shots} uses) and the run's seed, written to {@code RUN/train_Kshot.csv} so the
 * run folder records them; a resumed run reads the same file.
 */
final class FewShotList {
    private FewShotList() {}

    static Path write(TrainConfig c, RunFolder run) {
        Path out = run.file("train_" + c.shots() + "shot.csv");
        if (Files.isRegularFile(out)) {
            return out;
        }
        List<String> picked = draw(c);
        AtomicFiles.writeString(out, String.join("\n", picked) + "\n");
        run.log("few-shot: " + picked.size() + " training slices drawn from " + c.trainList() + " with seed "
                + c.seed() + " (spread over cases), listed in " + out.getFileName());
        return out;
    }

    /** The image files of the drawn slices, resolved as the dataset resolves them. */
    static java.util.Set<Path> images(TrainConfig c) {
        java.util.Set<Path> out = new java.util.HashSet<>();
        for (String line : draw(c)) {
            out.add(Path.of(c.imageFolder()).resolve(line.split(",", -1)[0].strip()));
        }
        return out;
    }

    /** The drawn lines of the training list; a K the list cannot give is refused here, before a run folder exists. */
    static List<String> draw(TrainConfig c) {
        Path list = Path.of(c.trainList());
        List<String> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                String l = line.startsWith("\uFEFF") ? line.substring(1) : line;
                if (!l.isBlank()) {
                    lines.add(l.strip());
                }
            }
        } catch (IOException e) {
            throw new SamtuneException(list + ": cannot read the training list: " + e.getMessage(), e);
        }
        List<String> images = lines.stream().map(l -> l.split(",", -1)[0].strip()).toList();
        int[] pick = FewShot.draw(images, c.shots(), c.seed(), list.toString());
        List<String> picked = new ArrayList<>();
        for (int i : pick) {
            picked.add(lines.get(i));
        }
        return picked;
    }
}
