package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;

/** Plans are read strictly and checked before any training: every refusal is one line naming the entry. */
class StudyPlanTest {
    @TempDir Path dir;

    @BeforeEach
    void data() throws Exception {
        StudyTestData.write(dir.resolve("data"));
    }

    private StudyGrid expand(String yaml) {
        return StudyGrid.expand(StudyPlan.parse(yaml, "plan.yaml"), dir, "plan.yaml");
    }

    private void refused(String yaml, String... fragments) {
        assertThatThrownBy(() -> expand(yaml)).isInstanceOf(SamtuneException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").startsWith("plan.yaml");
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }

    @Test
    void expandsTheCross() {
        StudyGrid g = expand("""
                datasets: [{name: synth, dir: data}]
                axes:
                  arch: [compact, unet-plain, vit_t]
                  tune: [decoder, encoder+decoder]
                  method: [vanilla, adapter, lora]
                  seeds: [0, 1]
                training: {epochs: 3}
                """.replace("unet-plain, ", ""));
        // compact and vit_t: 2 tunes × 3 methods; 2 seeds
        assertThat(g.cells()).hasSize(2 * 6 * 2);
        StudyCell c = g.cells().get(0);
        assertThat(c.relativeDir()).isEqualTo("cells/synth/compact-dec-vanilla.random.none.all/seed0");
        assertThat(c.config().numClasses()).isEqualTo(3);
        assertThat(c.config().epochs()).isEqualTo(3);
        assertThat(c.config().imageSize()).isEqualTo(256);
        assertThat(g.cells().get(g.cells().size() - 1).config().imageSize()).isEqualTo(1024);
        assertThat(g.label(c.strategy())).isEqualTo("compact dec vanilla");
    }

    @Test
    void demoPlanCrossesCompactStrategiesAndBothUNets() {
        StudyGrid g = StudyGrid.expand(StudyPlan.parse(DemoStudyPlan.text("data", 7, 4), "plan.yaml"), dir,
                "plan.yaml");
        // 4 compact strategies and 2 U-Nets, seeds 4 and 5
        assertThat(g.cells()).hasSize(6 * 2);
        assertThat(g.cells()).extracting(c -> c.config().arch()).contains("compact", "unet-resnet34", "unet-plain");
        assertThat(g.cells()).allSatisfy(c -> assertThat(c.config().epochs()).isEqualTo(7));
        assertThat(g.cells()).extracting(c -> c.config().seed()).containsOnly(4L, 5L);
        assertThat(g.cells()).filteredOn(c -> c.config().arch().equals("unet-resnet34"))
                .allSatisfy(c -> {
                    assertThat(c.config().imageSize()).isEqualTo(DemoStudyPlan.RESNET_UNET_IMAGE_SIZE);
                    assertThat(c.config().outSize()).isEqualTo(DemoStudyPlan.RESNET_UNET_IMAGE_SIZE);
                });
        assertThat(g.cells()).filteredOn(c -> c.config().arch().equals("unet-plain"))
                .allSatisfy(c -> {
                    assertThat(c.config().imageSize()).isEqualTo(DemoStudyPlan.PLAIN_UNET_IMAGE_SIZE);
                    assertThat(c.config().outSize()).isEqualTo(DemoStudyPlan.PLAIN_UNET_IMAGE_SIZE);
                });
        assertThat(g.cells()).filteredOn(c -> c.config().arch().equals("compact"))
                .allSatisfy(c -> assertThat(c.config().imageSize()).isEqualTo(256));
    }

    @Test
    void refusesAnImageSizeTheArchitectureCannotTake() {
        refused("datasets: [{name: synth, dir: data}]\nstrategies: [{arch: unet-plain, imageSize: 100}]\n",
                "strategies[0].imageSize", "multiple of 16");
        refused("datasets: [{name: synth, dir: data}]\nstrategies: [{arch: vit_t, imageSize: 512}]\n",
                "strategies[0].imageSize", "vit_t");
    }

    @Test
    void thePrecisionAxisCrossesEveryStrategyAndNamesItsCells() {
        StudyGrid g = expand("""
                datasets: [{name: synth, dir: data}]
                axes:
                  arch: [compact]
                  method: [vanilla, lora]
                  precision: [fp32, bf16]
                  seeds: [0, 1]
                training: {epochs: 3}
                """);
        // 2 methods × 2 precisions × 2 seeds; seeds innermost, so a strategy's seeds stay together
        assertThat(g.cells()).hasSize(8);
        assertThat(g.cells().stream().map(StudyCell::relativeDir).toList()).containsExactly(
                "cells/synth/compact-dec-vanilla.random.none.all/seed0",
                "cells/synth/compact-dec-vanilla.random.none.all/seed1",
                "cells/synth/compact-dec-vanilla.random.none.all.bf16/seed0",
                "cells/synth/compact-dec-vanilla.random.none.all.bf16/seed1",
                "cells/synth/compact-dec-lora.random.none.all/seed0",
                "cells/synth/compact-dec-lora.random.none.all/seed1",
                "cells/synth/compact-dec-lora.random.none.all.bf16/seed0",
                "cells/synth/compact-dec-lora.random.none.all.bf16/seed1");
        assertThat(g.label(g.cells().get(2).strategy())).isEqualTo("compact dec vanilla bf16");
        assertThat(g.label(g.cells().get(0).strategy())).isEqualTo("compact dec vanilla fp32");
        assertThat(g.precisions()).containsExactly(org.samtune.model.nn.Precision.FP32,
                org.samtune.model.nn.Precision.BF16);
        // the training settings do not depend on the precision: it is how the products are computed
        assertThat(g.cells().get(2).config()).isEqualTo(g.cells().get(0).config().toBuilder()
                .outputDir(g.cells().get(2).relativeDir()).build());

        // without the axis: the precision the process selected (--precision), not spelled in the label
        String plain = "datasets: [{name: synth, dir: data}]\naxes: {arch: [compact]}\n";
        StudyGrid bf16 = StudyGrid.expand(StudyPlan.parse(plain, "plan.yaml"), dir, "plan.yaml",
                org.samtune.model.nn.Precision.BF16);
        assertThat(bf16.cells().get(0).relativeDir()).isEqualTo("cells/synth/compact-dec-vanilla.random.none.all.bf16/seed0");
        assertThat(bf16.label(bf16.cells().get(0).strategy())).isEqualTo("compact dec vanilla");
        assertThat(expand(plain).cells().get(0).relativeDir()).isEqualTo("cells/synth/compact-dec-vanilla.random.none.all/seed0");

        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], precision: [fp32, fp16]}\n",
                "axes.precision[1]", "'fp16'", "fp32, bf16");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], precision: [bf16, bf16]}\n",
                "axes.precision[1]", "appears twice");
    }

    @Test
    void refusesUnknownKeysAndValues() {
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], seed: [1]}\n", "axes", "unknown key 'seed'");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], method: [vanilla, dora]}\n",
                "axes.method[1]", "unknown value 'dora'");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [vit_q]}\n", "axes.arch[0]", "vit_q");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], seeds: [one]}\n", "axes.seeds[0]");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], shots: [five]}\n", "axes.shots[0]");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact]}\ntraining: {epocs: 3}\n",
                "training", "epocs");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact]}\ntraining: {epochs: 0}\n",
                "epochs");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact]}\ntraining: {seed: 3}\n",
                "training.seed", "set by the plan");
    }

    @Test
    void refusesMissingListsAndDifferentClasses() throws Exception {
        refused("datasets: [{name: synth, dir: nowhere}]\naxes: {arch: [compact]}\n", "datasets[0] (synth)", "nowhere");
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact], shots: [5]}\n", "axes.shots",
                "train_5shot.csv");
        Files.delete(dir.resolve("data/val.csv"));
        refused("datasets: [{name: synth, dir: data}]\naxes: {arch: [compact]}\n", "datasets[0] (synth)", "val.csv");
        StudyTestData.write(dir.resolve("data"));
        StudyTestData.write(dir.resolve("site2"), "disc", "triangle");
        refused("datasets: [{name: synth, dir: data, test: ../site2/test.csv}]\naxes: {arch: [compact]}\n",
                "datasets[0] (synth)", "[background, disc, triangle]", "differ");
    }

    @Test
    void refusesImpossibleCombinations() {
        refused("""
                datasets: [{name: synth, dir: data}]
                strategies: [{arch: unet-plain, method: adapter}]
                """, "strategies[0]", "unet-plain", "impossible on a U-Net");
        refused("""
                datasets: [{name: synth, dir: data}]
                axes: {arch: [unet-resnet34], prompt: [box]}
                """, "axes.prompt", "unet-resnet34");
        refused("""
                datasets: [{name: synth, dir: data}]
                strategies: [{arch: compact}]
                axes: {arch: [compact]}
                """, "either as a list");
        refused("""
                datasets: [{name: synth, dir: data}]
                strategies: [{arch: compact}, {arch: compact, tune: decoder}]
                """, "appears twice");
    }

    @Test
    void uNetsHaveNoTuneOrMethodAxis() {
        // whether the U-Nets can be built is TrainConfig's business; here only the plan's shape is checked
        StudyPlan p = StudyPlan.parse("""
                datasets: [{name: synth, dir: data}]
                axes: {arch: [unet-plain, compact], tune: [decoder, encoder+decoder], method: [vanilla, lora]}
                """, "plan.yaml");
        try {
            StudyGrid g = StudyGrid.expand(p, dir, "plan.yaml");
            assertThat(g.cells()).hasSize(1 + 4);
            assertThat(g.cells().get(0).strategy().id()).isEqualTo("unet-plain.random.none.all");
        } catch (SamtuneException e) {
            // before the U-Nets exist in train, the plan is refused naming the cell, not half-run
            assertThat(e.getMessage()).startsWith("plan.yaml: cell synth/unet-plain.random.none.all/seed0")
                    .contains("arch");
        }
    }

    @Test
    void promptsTrainOneMaskPerPromptSet() {
        StudyGrid g = expand("""
                datasets: [{name: synth, dir: data}]
                axes: {arch: [compact], prompt: [none, box]}
                """);
        assertThat(g.cells()).hasSize(2);
        assertThat(g.cells().get(1).config().numClasses()).isEqualTo(2);
        assertThat(g.label(g.cells().get(1).strategy())).isEqualTo("compact dec vanilla prompt box");
    }
}
