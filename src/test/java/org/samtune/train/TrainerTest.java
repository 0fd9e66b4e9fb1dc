package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.Augmentation;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.TargetMode;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.model.nn.Module;
import org.samtune.peft.TuningPlan;

class TrainerTest {
    @TempDir Path dir;

    private static Trainer.Settings settings(int epochs, long maxIterations) {
        return new Trainer.Settings(epochs, 2, 2e-3, false, 0, 2, 20, 7L, false, true, maxIterations, 1);
    }

    private Trainer trainer(Sam sam, TuningPlan plan, Trainer.Settings s, Augmentation.Settings aug) throws Exception {
        return trainer(sam, plan, s, aug, TrainConfig.PromptMode.NONE);
    }

    private Trainer trainer(Sam sam, TuningPlan plan, Trainer.Settings s, Augmentation.Settings aug,
                            TrainConfig.PromptMode prompts) throws Exception {
        Path csv = SyntheticData.write(dir, "train", 6, 64, 1);
        Path valCsv = SyntheticData.write(dir, "val", 2, 64, 2);
        boolean binary = prompts != TrainConfig.PromptMode.NONE;
        var opts = new SegmentationDataset.Options(binary ? TargetMode.COMBINE_ALL : TargetMode.MULTI_ALL,
                binary ? 2 : 3, true);
        var train = SegmentationDataset.open(csv, dir, dir, opts);
        var val = SegmentationDataset.open(valCsv, dir, dir, opts);
        var pipe = new SamplePipeline(128, 32, TrainConfig.Resize.SQUARE, org.samtune.data.FinetuneSamPreprocessing.Normalization.SAM,
                SamplePipeline.TargetResize.NEAREST, new Augmentation(aug))
                .withPrompts(prompts, org.samtune.data.PromptSampler.Regions.largest(3));
        return new Trainer(sam, plan, s, train, val, pipe);
    }

    private static Sam tinySam(NDManager m, TuningPlan plan) {
        return tinySam(m, plan, 3);
    }

    private static Sam tinySam(NDManager m, TuningPlan plan, int classes) {
        Sam sam = Sam.build(m, SamConfig.tiny().withNumClasses(classes).withBlockOrder(BlockOrder.OFFICIAL));
        sam.initialize(11);
        plan.apply(sam, 5);
        return sam;
    }

    @Test
    void lossFallsWhenFittingASmallSet() throws Exception {
        TuningPlan plan = new TuningPlan(TuningPlan.Method.VANILLA, TuningPlan.Component.ENCODER_DECODER, null,
                TuningPlan.Compat.SAMTUNE, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = tinySam(m, plan);
            Trainer t = trainer(sam, plan, settings(20, 0), Augmentation.Settings.off());
            List<Double> losses = new ArrayList<>();
            try (AdamW opt = AdamW.finetuneSam(sam.namedParameters(), 2e-3)) {
                t.run(opt, TrainState.start(), new Trainer.Listener() {
                    @Override
                    public void onIteration(Trainer.IterationStats s, long total) {
                        losses.add(s.loss());
                    }
                });
            }
            double first = losses.subList(0, 3).stream().mapToDouble(d -> d).average().orElseThrow();
            double last = losses.subList(losses.size() - 3, losses.size()).stream().mapToDouble(d -> d).average().orElseThrow();
            assertThat(last).as("loss after 60 iterations vs the first three").isLessThan(0.7 * first);
        }
    }

    @Test
    void boxAndPointPromptsTrainAndValidate() throws Exception {
        TuningPlan plan = new TuningPlan(TuningPlan.Method.LORA, TuningPlan.Component.ENCODER_DECODER, null,
                TuningPlan.Compat.SAMTUNE, 4);
        for (TrainConfig.PromptMode mode : List.of(TrainConfig.PromptMode.BOX, TrainConfig.PromptMode.POINT)) {
            try (NDManager m = NDManager.newBaseManager()) {
                Sam sam = tinySam(m, plan, 2);
                Trainer t = trainer(sam, plan, settings(2, 0), Augmentation.Settings.finetuneSam(), mode);
                List<Double> losses = new ArrayList<>();
                List<Trainer.ValidationStats> vals = new ArrayList<>();
                try (AdamW opt = AdamW.finetuneSam(sam.namedParameters(), 2e-3)) {
                    var result = t.run(opt, TrainState.start(), new Trainer.Listener() {
                        @Override
                        public void onIteration(Trainer.IterationStats s, long total) {
                            losses.add(s.loss());
                        }

                        @Override
                        public void onValidation(Trainer.ValidationStats v) {
                            vals.add(v);
                        }
                    });
                    assertThat(result.diverged()).isFalse();
                }
                assertThat(losses).as(mode + " losses").hasSize(6).allMatch(Double::isFinite);
                assertThat(vals).as(mode + " validations").hasSize(1);
                assertThat(vals.get(0).classDice()).hasSize(2);
            }
        }
    }

    @Test
    void resumedRunEqualsUninterruptedRun() throws Exception {
        TuningPlan plan = new TuningPlan(TuningPlan.Method.ADAPTER, TuningPlan.Component.ENCODER_DECODER, List.of(0, 1),
                TuningPlan.Compat.SAMTUNE, 4);
        Augmentation.Settings aug = Augmentation.Settings.finetuneSam();
        Map<String, TensorData> uninterrupted;
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = tinySam(m, plan);
            Trainer t = trainer(sam, plan, settings(3, 7), aug);
            try (AdamW opt = AdamW.finetuneSam(sam.namedParameters(), 2e-3)) {
                t.run(opt, TrainState.start(), new Trainer.Listener() {});
            }
            uninterrupted = sam.stateDict().tensors();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = tinySam(m, plan);
            Trainer t = trainer(sam, plan, settings(3, 4), aug);
            final TrainState[] saved = new TrainState[1];
            final org.samtune.checkpoint.StateDict[] savedOpt = new org.samtune.checkpoint.StateDict[1];
            final org.samtune.checkpoint.StateDict[] savedModel = new org.samtune.checkpoint.StateDict[1];
            try (AdamW opt = AdamW.finetuneSam(sam.namedParameters(), 2e-3)) {
                t.run(opt, TrainState.start(), new Trainer.Listener() {
                    @Override
                    public void onCheckpoint(TrainState state, Optimizer optimizer) {
                        saved[0] = state;
                        savedOpt[0] = optimizer.stateDict();
                        savedModel[0] = sam.stateDict();
                    }
                });
            }
            // A fresh process: rebuild, restore, continue to the same iteration count.
            try (NDManager m2 = NDManager.newBaseManager()) {
                Sam resumed = tinySam(m2, plan);
                resumed.loadStateDict(savedModel[0], true);
                Trainer t2 = trainer(resumed, plan, settings(3, 7), aug);
                try (AdamW opt = AdamW.finetuneSam(resumed.namedParameters(), 2e-3)) {
                    opt.loadStateDict(savedOpt[0]);
                    t2.run(opt, saved[0], new Trainer.Listener() {});
                }
                Map<String, TensorData> after = resumed.stateDict().tensors();
                assertThat(saved[0].iteration()).isEqualTo(4);
                for (var e : uninterrupted.entrySet()) {
                    assertThat(after.get(e.getKey()).toFloats()).as(e.getKey()).containsExactly(e.getValue().toFloats());
                }
            }
        }
    }
}
