package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Safetensors;
import org.samtune.model.BlockOrder;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Compute;

/**
 * Cells with the same frozen encoder and preprocessing share the study's disk cache (issue 9): the second seed of
 * a decoder-only cell on a pretrained checkpoint computes no embedding, and the results equal a study without the
 * shared cache.
 */
class StudyEmbeddingCacheTest {
    @TempDir Path dir;

    private static final Pattern COMPUTED = Pattern.compile("embedding cache \\S+: (\\d+) read, (\\d+) computed");

    @Test
    void secondSeedReadsTheFirstSeedsEmbeddingsAndResultsAreUnchanged() throws Exception {
        StudyTestData.write(dir.resolve("data"));
        try (NDManager m = Compute.newManager()) {
            SamModels.Built base = SamModels.build(m, "compact", 0, BlockOrder.OFFICIAL, null, null, 7);
            Safetensors.write(dir.resolve("pre.safetensors"), base.sam().stateDict(), Map.of());
        }
        Path planFile = dir.resolve("plan.yaml");
        Files.writeString(planFile, StudyTestData.onePlan(
                "  seeds: [0, 1]\n  setup: [{name: pre, checkpoint: pre.safetensors}]",
                "{epochs: 2, batchSize: 2, valEvery: 1, warmupIters: 2, augment: false}"));
        Path shared = dir.resolve("shared");
        Path alone = dir.resolve("alone");
        Study.Summary s = run(planFile, shared, true);
        assertThat(s.done()).isEqualTo(2);
        Path cells = shared.resolve("cells/synth/compact-dec-vanilla.pre.none.all");
        long[] first = counts(cells.resolve("seed0/train.log"));
        long[] second = counts(cells.resolve("seed1/train.log"));
        assertThat(first[1]).as("seed 0 computes each training and validation slice once").isPositive();
        assertThat(second[1]).as("seed 1 computes no embedding").isZero();
        assertThat(second[0]).as("seed 1 reads them all").isPositive();
        try (var files = Files.walk(shared.resolve(Study.EMBEDDING_CACHE))) {
            assertThat(files.filter(f -> f.toString().endsWith(".emb")).count()).isEqualTo(first[1]);
        }

        run(planFile, alone, false);
        assertThat(alone.resolve(Study.EMBEDDING_CACHE)).doesNotExist();
        assertThat(Files.readString(shared.resolve(StudyResults.FILE)))
                .isEqualTo(Files.readString(alone.resolve(StudyResults.FILE)));
        for (String seed : new String[] {"seed0", "seed1"}) {
            assertThat(metrics(shared, seed)).isEqualTo(metrics(alone, seed));
        }
    }

    private static Study.Summary run(Path planFile, Path out, boolean cache) {
        return Study.run(planFile, out, new Study.Options(1, cache), new PrintStream(new ByteArrayOutputStream()));
    }

    /** {read, computed} from the cache summary line of a cell's train.log. */
    private static long[] counts(Path log) throws Exception {
        Matcher m = COMPUTED.matcher(Files.readString(log));
        assertThat(m.find()).as(log + " has the cache summary").isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** The cell's training curve (loss and validation per iteration): identical with and without sharing. */
    private static String metrics(Path study, String seed) throws Exception {
        return Files.readString(study.resolve("cells/synth/compact-dec-vanilla.pre.none.all").resolve(seed)
                .resolve("metrics.csv"));
    }
}
