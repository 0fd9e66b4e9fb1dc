package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code samtune study} and {@code samtune report} refuse bad input with one line and exit code 2. */
class StudyCommandTest {
    @TempDir Path dir;

    @Test
    void aBadPlanIsOneLineAndExitTwo() throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "datasets: [{name: x, dir: nowhere}]\naxes: {arch: [compact]}\n");
        CliRun r = CliRun.of("study", "--plan", plan.toString(), "--out", dir.resolve("s").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("samtune: error: " + plan + ": datasets[0] (x): dir ")
                .doesNotContain("\n");
        assertThat(dir.resolve("s")).doesNotExist(); // refused before anything was written

        Files.writeString(plan, "datasets: [{name: x, dir: .}]\nstrategy: []\n");
        CliRun unknown = CliRun.of("study", "--plan", plan.toString(), "--out", dir.resolve("s").toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown key 'strategy'");

        // the cells' precision from the plan and from the flag at once: which one holds is not guessed
        Files.writeString(plan, "datasets: [{name: x, dir: nowhere}]\naxes: {arch: [compact], precision: [fp32, bf16]}\n");
        CliRun both = CliRun.of("study", "--plan", plan.toString(), "--out", dir.resolve("s").toString(),
                "--precision", "fp32");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err().strip()).startsWith("samtune: error: " + plan + ": axes.precision: ")
                .contains("drop --precision fp32").doesNotContain("\n");
        assertThat(dir.resolve("s")).doesNotExist();
    }

    @Test
    void reportNeedsARunOrAStudy() {
        CliRun r = CliRun.of("report", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("neither a run folder").contains("nor a study folder");
    }

    @Test
    void helpListsTheVerbs() {
        CliRun r = CliRun.of("--help");
        assertThat(r.out()).contains("study").contains("report");
        assertThat(CliRun.of("study", "--help").out()).contains("--dry-run").contains("--plan");
    }
}
