package org.samtune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.Slice2D;
import org.samtune.data.augment.Augmentation;
import org.samtune.data.prompt.PromptSampler;
import org.samtune.testing.Fixtures;
import org.samtune.train.SamplePipeline;
import org.samtune.train.TrainConfig;

/**
 * {@code pretrain prompts} on the tiny SAM (128² input): one binary target per structure with its prompt inside it,
 * datasets mixed by weight, a resumed run equal to the uninterrupted one bit for bit, the frozen prompt encoder
 * untouched, validation per dataset, and bad input stopped with one line before anything is written.
 */
class PromptPretrainingTest {
    @TempDir Path dir;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    static Path tinySam() {
        return Fixtures.file("sam-tiny", "tiny_sam.pth");
    }

    private PromptConfig config(List<PromptConfig.Dataset> datasets, Path out, TrainConfig.PromptMode prompt) {
        PromptConfig d = PromptConfig.defaults("custom", tinySam().toString(), datasets, out.toString());
        return new PromptConfig(d.arch(), d.checkpoint(), datasets, d.plan(), false, prompt, d.promptRegions(),
                d.normalize(), d.resize(), true, 2e-4, false, 10, d.weightDecay(), 2, 2, 1, 5, 3, out.toString());
    }

    private List<PromptConfig.Dataset> twoDatasets(List<Double> weights) throws Exception {
        Path a = LabelledData.write(dir.resolve("organs"), 4, 2, 48, 1, "disc", "square");
        Path b = LabelledData.write(dir.resolve("lesions"), 3, 2, 40, 2, "disc", "square");
        return PromptPretraining.datasets(List.of(a, b), List.of(a.resolveSibling("val.csv"),
                b.resolveSibling("val.csv")), weights);
    }

    @Test
    void everyStructureIsItsOwnTargetWithItsPromptInsideIt() throws Exception {
        Path list = LabelledData.write(dir.resolve("d"), 4, 1, 64, 7, "disc", "square");
        var yaml = list.resolveSibling("dataset.yaml");
        StructureTargets t = StructureTargets.open("d", list, List.of("background", "disc", "square"), yaml);
        // slices 0, 1, 2 hold a disc and a square, slice 3 only a disc
        assertThat(t.size()).isEqualTo(7);
        assertThat(t.slices()).isEqualTo(4);
        assertThat(t.classOf(0)).isEqualTo(1);
        assertThat(t.classOf(1)).isEqualTo(2);
        assertThat(t.ref(0)).isEqualTo(t.ref(1));
        for (TrainConfig.PromptMode mode : List.of(TrainConfig.PromptMode.BOX, TrainConfig.PromptMode.POINT)) {
            SamplePipeline pipe = new SamplePipeline(64, 16, TrainConfig.Resize.SQUARE,
                    FinetuneSamPreprocessing.Normalization.MEDSAM, SamplePipeline.TargetResize.NEAREST,
                    new Augmentation(Augmentation.Settings.off())).withPrompts(mode, PromptSampler.Regions.largest(3));
            for (int k = 0; k < 2; k++) {
                Slice2D structure = t.binary(k);
                byte[] labels = new org.samtune.data.SegmentationDatasetAccess().labels(t.ref(k));
                int ones = 0;
                for (int i = 0; i < labels.length; i++) {
                    // the binary target is exactly this structure, not the union of the slice's structures
                    assertThat(structure.labels()[i] == 1).isEqualTo(labels[i] == t.classOf(k));
                    ones += structure.labels()[i];
                }
                assertThat(ones).isPositive();
                SamplePipeline.Sample s = t.sample(pipe, k, true, new Random(k));
                if (mode == TrainConfig.PromptMode.BOX) {
                    float[] box = Arrays.copyOf(s.boxes(), 4);
                    int[] tight = bounds(structure.labels(), 64);
                    // a jittered box around the structure: contains it, at most 10 % larger per side
                    assertThat(box[0]).isLessThanOrEqualTo(tight[0]).isGreaterThanOrEqualTo(tight[0] - 0.1f * (tight[2] - tight[0]) - 1e-3f);
                    assertThat(box[1]).isLessThanOrEqualTo(tight[1]);
                    assertThat(box[2]).isGreaterThanOrEqualTo(tight[2]).isLessThanOrEqualTo(tight[2] + 0.1f * (tight[2] - tight[0]) + 1e-3f);
                    assertThat(box[3]).isGreaterThanOrEqualTo(tight[3]);
                } else {
                    for (int p = 0; p < PromptSampler.MAX_POINTS; p++) {
                        int x = (int) s.pointCoords()[2 * p];
                        int y = (int) s.pointCoords()[2 * p + 1];
                        assertThat(structure.labels()[y * 64 + x]).as("point %d of structure %d", p, k).isEqualTo((byte) 1);
                    }
                }
                // the loss target is the structure
                assertThat(s.labels()).containsExactly(structure.labels());
            }
        }
    }

    private static int[] bounds(byte[] mask, int w) {
        int x0 = w, y0 = w, x1 = -1, y1 = -1;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                x0 = Math.min(x0, i % w);
                x1 = Math.max(x1, i % w);
                y0 = Math.min(y0, i / w);
                y1 = Math.max(y1, i / w);
            }
        }
        return new int[] {x0, y0, x1, y1};
    }

    @Test
    void weightsSetHowOftenEachDatasetIsDrawn() throws Exception {
        List<PromptConfig.Dataset> ds = twoDatasets(List.of());
        List<StructureTargets> targets = ds.stream().map(d -> StructureTargets.open(d.name(), Path.of(d.trainList()),
                d.classNames(), Path.of(d.trainList()).resolveSibling("dataset.yaml"))).toList();
        int a = targets.get(0).size();
        int b = targets.get(1).size();
        assertThat(a).isEqualTo(7);
        assertThat(b).isEqualTo(6);
        // by size: every structure once per epoch
        DatasetMix bySize = new DatasetMix(targets, new double[] {0, 0}, null);
        int[] order = bySize.order(3, 0);
        assertThat(Arrays.stream(order).sorted().toArray()).containsExactly(java.util.stream.IntStream.range(0, a + b).toArray());
        // weights 1:3 over many epochs: a quarter of the draws from the first dataset, each draw cycling its own list
        DatasetMix weighted = new DatasetMix(targets, new double[] {1, 3}, null);
        long first = 0;
        long all = 0;
        for (int epoch = 0; epoch < 200; epoch++) {
            int[] o = weighted.order(3, epoch);
            assertThat(o).hasSize(a + b);
            for (int i : o) {
                first += weighted.datasetOf(i) == 0 ? 1 : 0;
                all++;
            }
        }
        assertThat((double) first / all).isBetween(0.22, 0.28);
        // seeded: the same order for the same (seed, epoch), another for another epoch
        assertThat(weighted.order(3, 5)).containsExactly(weighted.order(3, 5));
        assertThat(weighted.order(3, 5)).isNotEqualTo(weighted.order(3, 6));
    }

    @Test
    void resumedRunEqualsUninterruptedAndThePromptEncoderStaysFrozen() throws Exception {
        List<PromptConfig.Dataset> ds = twoDatasets(List.of(1.0, 2.0));
        PromptPretraining.Outcome a = PromptPretraining.start(config(ds, dir.resolve("a"), TrainConfig.PromptMode.BOX),
                dir.resolve("a"), new PromptPretraining.Options(2, 0), QUIET);
        // 13 structures, batch 2: 7 iterations per epoch, 2 epochs
        assertThat(a.iterations()).isEqualTo(14);
        assertThat(a.bestEpoch()).isPositive();

        PromptPretraining.start(config(ds, dir.resolve("b"), TrainConfig.PromptMode.BOX), dir.resolve("b"),
                new PromptPretraining.Options(2, 5), QUIET);
        // what kill -9 leaves: a resume checkpoint from iteration 5 and a metric row written after it
        Files.writeString(dir.resolve("b/metrics.csv"), "train,0,5,9.9,,,0.1,,,,,\n",
                java.nio.file.StandardOpenOption.APPEND);
        PromptPretraining.Outcome b = PromptPretraining.resume(dir.resolve("b"), new PromptPretraining.Options(2, 0),
                QUIET);
        assertThat(b.iterations()).isEqualTo(14);
        for (String file : List.of("best.safetensors", "last.safetensors")) {
            Map<String, TensorData> wa = Safetensors.read(dir.resolve("a/checkpoints").resolve(file)).tensors();
            Map<String, TensorData> wb = Safetensors.read(dir.resolve("b/checkpoints").resolve(file)).tensors();
            assertThat(wb.keySet()).isEqualTo(wa.keySet());
            for (String k : wa.keySet()) {
                assertThat(wb.get(k).data()).as(file + " " + k).isEqualTo(wa.get(k).data());
            }
        }
        assertThat(Files.readAllLines(dir.resolve("b/metrics.csv")))
                .isEqualTo(Files.readAllLines(dir.resolve("a/metrics.csv")));

        // a whole SAM: every key of the start but SAM's fourth output head (two outputs: background, structure);
        // the prompt encoder bit for bit the start's, encoder and decoder trained
        StateDict start = Checkpoints.load(tinySam());
        Map<String, TensorData> last = Safetensors.read(a.checkpoint()).tensors();
        List<String> startKeys = start.keys().stream()
                .filter(k -> !k.startsWith("mask_decoder.output_hypernetworks_mlps.3.")).toList();
        assertThat(last.keySet()).containsExactlyInAnyOrderElementsOf(startKeys);
        assertThat(last.get("mask_decoder.mask_tokens.weight").shape()[0]).isEqualTo(3);
        int encoderChanged = 0;
        int decoderChanged = 0;
        for (String k : startKeys) {
            if (org.samtune.peft.TuningPlan.isTaskHead(k)) {
                continue;
            }
            boolean same = Arrays.equals(start.get(k).toFloats(), last.get(k).toFloats());
            if (k.startsWith("prompt_encoder.")) {
                assertThat(same).as(k + " (frozen)").isTrue();
            } else if (k.startsWith("image_encoder.")) {
                encoderChanged += same ? 0 : 1;
            } else if (k.startsWith("mask_decoder.transformer.")) {
                decoderChanged += same ? 0 : 1;
            }
        }
        assertThat(encoderChanged).isGreaterThan(10);
        assertThat(decoderChanged).isGreaterThan(10);

        // validation per dataset: a Dice column per dataset, named in the log
        String header = Files.readAllLines(dir.resolve("a/metrics.csv")).get(0);
        assertThat(header).endsWith("val_dice,val_dice_c0,val_dice_c1,val_dice_c2");
        String log = Files.readString(dir.resolve("a/train.log"));
        assertThat(log).containsPattern("validation: loss [0-9.]+, Dice [0-9.]+ \\(organs [0-9.]+, lesions [0-9.]+\\)")
                .contains("prompt encoder frozen").contains("organs: 7 structures in 4 slices (disc, square)")
                .contains("weight 2.0").contains("s/step, peak RSS");
        assertThat(Files.readString(dir.resolve("a/config.yaml"))).contains("trainList:").contains("weight: 2.0")
                .contains("tunePromptEncoder: false");
        assertThat(dir.resolve("a/training-curve.png")).exists();
        assertThat(dir.resolve("a/provenance.yaml")).exists();
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        Safetensors.readWithMetadata(a.checkpoint(), meta);
        assertThat(meta).containsEntry("pretraining", "prompts").containsEntry("datasets", "organs,lesions")
                .containsEntry("normalize", "medsam");
        assertThat(org.samtune.train.Setups.isPromptPretrained(a.checkpoint())).isTrue();
    }

    @Test
    void pointPromptsTrainToo() throws Exception {
        List<PromptConfig.Dataset> ds = twoDatasets(List.of());
        PromptPretraining.Outcome o = PromptPretraining.start(config(ds, dir.resolve("p"),
                TrainConfig.PromptMode.POINT), dir.resolve("p"), new PromptPretraining.Options(50, 3), QUIET);
        assertThat(o.iterations()).isEqualTo(3);
        assertThat(o.diverged()).isFalse();
    }

    @Test
    void badInputIsOneLineAndLeavesNothing() throws Exception {
        Path a = LabelledData.write(dir.resolve("a"), 3, 1, 32, 1, "disc", "square");
        Path noYaml = LabelledData.write(dir.resolve("n"), 3, 1, 32, 1, "disc", "square");
        Files.delete(noYaml.resolveSibling("dataset.yaml"));
        assertThatThrownBy(() -> PromptPretraining.datasets(List.of(a, noYaml), List.of(), List.of()))
                .isInstanceOf(SamtuneException.class).hasMessageContaining(noYaml.toString())
                .hasMessageContaining("no dataset.yaml beside the list");
        assertThatThrownBy(() -> PromptPretraining.datasets(List.of(a), List.of(), List.of(1.0, 2.0)))
                .isInstanceOf(SamtuneException.class)
                .hasMessage("--weights: expected one weight per --train-list (1), got 2 ([1.0, 2.0])");
        assertThatThrownBy(() -> PromptPretraining.datasets(List.of(a), List.of(a, a), List.of()))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("--val-list: expected one per --train-list");
        // masks with a class the dataset.yaml does not declare (square = 2, but only disc is declared)
        Path missing = LabelledData.write(dir.resolve("m"), 3, 1, 32, 1, "disc");
        List<PromptConfig.Dataset> ds = PromptPretraining.datasets(List.of(a, missing), List.of(), List.of());
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> PromptPretraining.start(config(ds, run, TrainConfig.PromptMode.BOX), run,
                PromptPretraining.Options.defaults(), QUIET)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("has label 2").hasMessageContaining(missing.resolveSibling("dataset.yaml")
                        .toAbsolutePath().toString()).hasMessageContaining("declares 2 classes: background, disc");
        assertThat(run).doesNotExist();
    }
}
