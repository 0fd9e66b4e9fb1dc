package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.Provenance;
import org.samtune.io.Sha256;

/** A run folder says what made it: provenance.yaml from train, one more entry from train --resume. */
class RunProvenanceTest {
    @TempDir Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void trainAndResumeRecordCommandVersionsAndInputHashes() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 3, 32, 5);
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--train-list", csv.toString(), "--val-list", csv.toString(), "--arch",
                "compact", "--num-classes", "3", "--targets", "multi_all", "--batch", "2", "--epochs", "2",
                "--val-every", "1", "--seed", "1", "--warmup-iters", "1", "--checkpoint-every", "1",
                "--max-iterations", "2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<Object> entries = Provenance.read(out.resolve(Provenance.FILE));
        assertThat(entries).hasSize(1);
        Map<String, Object> first = (Map<String, Object>) entries.get(0);
        assertThat((String) first.get("command")).startsWith("samtune train --train-list " + csv)
                .endsWith("--out " + out);
        assertThat(first.get("djl")).isEqualTo("0.36.0");
        assertThat((String) first.get("libtorch")).startsWith("2.7.1");
        assertThat(((Map<String, Object>) first.get("samtune")).get("commit")).isEqualTo(Provenance.commit());
        List<Map<String, Object>> inputs = (List<Map<String, Object>>) first.get("inputs");
        assertThat(inputs).extracting(m -> m.get("role")).containsExactly("train_list", "val_list");
        Map<String, Object> train = inputs.get(0);
        assertThat(train.get("sha256")).isEqualTo(Sha256.of(Files.readAllBytes(csv)));
        assertThat(train.get("named_files")).isEqualTo(6); // 3 images and 3 masks
        assertThat((String) train.get("named_files_sha256")).matches("[0-9a-f]{64}");

        String before = (String) train.get("named_files_sha256");
        CliRun resumed = CliRun.of("train", "--resume", out.toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        entries = Provenance.read(out.resolve(Provenance.FILE));
        assertThat(entries).hasSize(2);
        Map<String, Object> second = (Map<String, Object>) entries.get(1);
        assertThat(second.get("command")).isEqualTo("samtune train --resume " + out);
        assertThat(((List<Map<String, Object>>) second.get("inputs")).get(0).get("named_files_sha256"))
                .isEqualTo(before);
    }
}
