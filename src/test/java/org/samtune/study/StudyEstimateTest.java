package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code study --dry-run}: every cell gets its iterations (batches per epoch × epochs) and a positive time from
 * short runs of its strategy (one measurement per dataset × strategy, shared by its seeds), and nothing is left
 * behind. Times themselves are not asserted (no timed unit tests); the measured runs are counted instead.
 */
class StudyEstimateTest {
    @TempDir Path dir;

    @Test
    void listsEveryCellFromShortRunsAndLeavesNothing() throws Exception {
        StudyTestData.write(dir.resolve("data"));
        Path planFile = dir.resolve("plan.yaml");
        Files.writeString(planFile, StudyTestData.plan("data", ""));
        StudyGrid grid = StudyGrid.expand(StudyPlan.read(planFile), dir, "plan.yaml");
        Path scratch = dir.resolve("study").resolve(".dry-run");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        List<StudyEstimate.Line> lines = StudyEstimate.estimate(grid, scratch, new PrintStream(progress, true,
                StandardCharsets.UTF_8));

        assertThat(lines).extracting(StudyEstimate.Line::cell).containsExactlyElementsOf(grid.cells());
        // 6 training slices in batches of 2, 2 epochs
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.iterations()).isEqualTo(3 * 2);
            assertThat(l.seconds()).isPositive().isFinite();
        });
        // one measurement per strategy: the two seeds of a strategy get the same estimate
        assertThat(lines.get(0).seconds()).isEqualTo(lines.get(1).seconds());
        assertThat(lines.get(2).seconds()).isEqualTo(lines.get(3).seconds());
        assertThat(progress.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("study: measuring")))
                .hasSize(2);
        assertThat(scratch).doesNotExist();
        assertThat(dir.resolve("study/plan.yaml")).doesNotExist();
    }
}
