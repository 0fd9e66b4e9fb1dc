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
import org.samtune.data.augment.Augmentation;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.TargetMode;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.model.nn.Module;
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;

class TrainerTest {
    @TempDir Path dir;

    private static Trainer.Settings settings(int epochs, long maxIterations) {
        return new Trainer.Settings(epochs, 2, 2e-3, false, 0, 2, 20, 7L, true, maxIterations, 1);
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
                .withPrompts(prompts, org.samtune.data.prompt.PromptSampler.Regions.largest(3));
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
        TuningPlan plan = TuningPlan.of(TuningPlan.Tune.ENCODER_DECODER, TuningPlan.Method.VANILLA, EncoderBlocks.everyBlock(),
                Compat.SAMTUNE);
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = tinySam(m, plan);
            Trainer t = trainer(sam, plan, settings(30, 0), Augmentation.Settings.off());
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
            assertThat(last).as("loss after 90 iterations vs the first three").isLessThan(0.6 * first);
        }
    }

    @Test
    void boxAndPointPromptsTrainAndValidate() throws Exception {
        TuningPlan plan = TuningPlan.of(TuningPlan.Tune.ENCODER_DECODER, TuningPlan.Method.LORA, EncoderBlocks.everyBlock(),
                Compat.SAMTUNE);
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
        TuningPlan plan = TuningPlan.of(TuningPlan.Tune.ENCODER_DECODER, TuningPlan.Method.ADAPTER, EncoderBlocks.of(List.of(0, 1)),
                Compat.SAMTUNE);
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

    /**
     * A frozen encoder's embeddings are computed in the first epoch and read from the cache afterwards; the losses and
     * validation scores equal those of a run that recomputes them (same function, eval-mode encoder), within
     * {@code 1e-5 + 1e-4·|b|} (the cached path batches the encoder per image, the uncached one per batch).
     */
    @Test
    void embeddingCacheGivesTheUncachedNumbers() throws Exception {
        TuningPlan plan = TuningPlan.of(TuningPlan.Tune.DECODER, TuningPlan.Method.VANILLA, EncoderBlocks.everyBlock(),
                Compat.SAMTUNE);
        List<List<Double>> losses = new ArrayList<>();
        List<List<Double>> scores = new ArrayList<>();
        long[] hits = new long[2];
        for (boolean cache : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Sam sam = tinySam(m, plan);
                Trainer.Settings s = new Trainer.Settings(3, 2, 2e-3, false, 0, 1, 20, 7L, cache, 0, 1);
                List<Double> l = new ArrayList<>();
                List<Double> v = new ArrayList<>();
                try (Trainer t = trainer(sam, plan, s, Augmentation.Settings.off());
                     AdamW opt = AdamW.finetuneSam(sam.namedParameters(), 2e-3)) {
                    assertThat(t.embeddingsCacheable()).isEqualTo(cache);
                    t.run(opt, TrainState.start(), new Trainer.Listener() {
                        @Override
                        public void onIteration(Trainer.IterationStats st, long total) {
                            l.add(st.loss());
                        }

                        @Override
                        public void onValidation(Trainer.ValidationStats vs) {
                            v.add(vs.score());
                            v.add(vs.loss());
                        }
                    });
                    hits[cache ? 0 : 1] = t.embeddingCacheHits();
                }
                losses.add(l);
                scores.add(v);
            }
        }
        // 6 training slices: epoch 1 fills the cache, epochs 2 and 3 read all 6 from it
        assertThat(hits[0]).isEqualTo(12);
        assertThat(hits[1]).isZero();
        assertThat(losses.get(0)).hasSize(9);
        assertThat(losses.get(0).get(0)).isNotEqualTo(losses.get(0).get(8)); // the decoder did train
        for (int i = 0; i < losses.get(0).size(); i++) {
            assertThat(losses.get(0).get(i)).as("loss " + i)
                    .isCloseTo(losses.get(1).get(i), org.assertj.core.data.Offset.offset(org.samtune.testing.Tolerance.ATOL + org.samtune.testing.Tolerance.RTOL * Math.abs(losses.get(1).get(i))));
        }
        assertThat(scores.get(0)).hasSize(6);
        for (int i = 0; i < scores.get(0).size(); i++) {
            assertThat(scores.get(0).get(i)).as("validation " + i)
                    .isCloseTo(scores.get(1).get(i), org.assertj.core.data.Offset.offset(org.samtune.testing.Tolerance.ATOL + org.samtune.testing.Tolerance.RTOL * Math.abs(scores.get(1).get(i))));
        }
    }
}
