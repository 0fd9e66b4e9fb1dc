package org.samtune.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.samtune.train.SyntheticDataAccess;

/** A small prepared dataset (discs = class 1, squares = class 2) laid out as {@code samtune prepare} does. */
final class StudyTestData {
    private StudyTestData() {}

    static Path write(Path dir, String... classNames) throws IOException {
        SyntheticDataAccess.write(dir, "train", 6, 48, 1);
        SyntheticDataAccess.write(dir, "val", 3, 48, 2);
        SyntheticDataAccess.write(dir, "test", 3, 48, 3);
        String[] names = classNames.length == 0 ? new String[] {"disc", "square"} : classNames;
        StringBuilder yaml = new StringBuilder("classes:\n- index: 0\n  name: background\n");
        for (int i = 0; i < names.length; i++) {
            yaml.append("- index: ").append(i + 1).append("\n  name: ").append(names[i]).append('\n');
        }
        Files.writeString(dir.resolve("dataset.yaml"), yaml.toString());
        return dir;
    }

    /** Two decoder-only compact strategies (frozen encoder: cheap), two seeds, a very short training. */
    static String plan(String dataDir, String extraAxes) {
        return """
                datasets:
                  - {name: synth, dir: %s}
                strategies:
                  - {arch: compact, tune: decoder, method: vanilla}
                  - {arch: compact, tune: decoder, method: lora}
                axes:
                  seeds: [0, 1]
                %s
                training: {epochs: 2, batchSize: 2, valEvery: 1, warmupIters: 2, augment: false, encoderBlocks: [0, 1]}
                """.formatted(dataDir, extraAxes);
    }

    /** One decoder-only compact strategy on {@code data}, with the given axes (indented lines) and training. */
    static String onePlan(String axes, String training) {
        return """
                datasets:
                  - {name: synth, dir: data}
                strategies:
                  - {arch: compact, tune: decoder, method: vanilla}
                axes:
                %s
                training: %s
                """.formatted(axes, training);
    }
}
