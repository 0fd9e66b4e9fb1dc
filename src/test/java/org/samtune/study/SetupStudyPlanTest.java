package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan of {@code demo --setup all} is a study the planner accepts: 3 starts × full data and 5 shots × 3 seeds
 * of one recipe, each setup's checkpoint in its cells, nothing else differing between setups.
 */
class SetupStudyPlanTest {
    @TempDir Path dir;

    @Test
    void crossesThreeStartsWithShotsAndSeeds() throws Exception {
        StudyTestData.write(dir.resolve("dataset"));
        // prepare --shots 5 writes train_5shot.csv beside the lists
        Files.copy(dir.resolve("dataset/train.csv"), dir.resolve("dataset/train_5shot.csv"));
        Path prompts = Files.createDirectories(dir.resolve("pretrain-prompts/checkpoints")).resolve("best.safetensors");
        Path mae = Files.createDirectories(dir.resolve("pretrain-mae/checkpoints")).resolve("last.safetensors");
        Files.writeString(prompts, "x");
        Files.writeString(mae, "x");
        String text = SetupStudyPlan.text("dataset", "pretrain-prompts/checkpoints/best.safetensors",
                "pretrain-mae/checkpoints/last.safetensors", SetupStudyPlan.EPOCHS, List.of(0L, 1L, 2L), 5);
        StudyGrid grid = StudyGrid.expand(StudyPlan.parse(text, "plan.yaml"), dir, "plan.yaml");
        assertThat(grid.cells()).hasSize(3 * 2 * 3);
        for (StudyCell c : grid.cells()) {
            String setup = c.strategy().setup();
            String expected = setup.equals("setup1-random") ? "" : setup.equals("setup2-prompts")
                    ? prompts.toAbsolutePath().toString() : mae.toAbsolutePath().toString();
            assertThat(c.config().checkpoint()).as(c.id()).isEqualTo(expected);
            assertThat(c.config().arch()).isEqualTo("compact");
            assertThat(c.config().plan().describe()).isEqualTo("vanilla encoder+decoder");
            assertThat(c.config().epochs()).isEqualTo(SetupStudyPlan.EPOCHS);
            assertThat(c.config().resize().id()).isEqualTo("longest");
            assertThat(c.config().normalize().id()).isEqualTo("sam");
        }
        assertThat(grid.cells().stream().map(c -> c.strategy().setup()).distinct())
                .containsExactlyElementsOf(SetupStudyPlan.SETUPS);
        assertThat(grid.cells().stream().map(c -> c.config().trainList()).distinct()).hasSize(2);
    }
}
