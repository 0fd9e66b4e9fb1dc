package org.samtune.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.samtune.SamtuneException;
import org.samtune.inference.PromptDecoder;
import org.samtune.inference.Prompts;
import org.samtune.model.Architectures;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.ProcessMemory;
import org.samtune.model.nn.StagedBackward;
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;
import org.samtune.train.AdamW;
import org.samtune.train.DiceCeLoss;
import org.samtune.train.TrainBenchmark;
import org.samtune.train.Trainer;

/**
 * Seconds per pretraining step and peak resident memory of {@code pretrain mae} and {@code pretrain prompts} for
 * one architecture and input size, beside a supervised step of the same encoder ({@link TrainBenchmark}: encoder
 * and decoder, all weights, no prompt), all in one process with random weights and data. Each step is what the
 * run does per batch: MAE's masked image model forward, loss on the hidden patches, backward and AdamW over the
 * encoder and the MAE head; the prompt step the encoder, the frozen prompt encoder with one box per image, the
 * two-output decoder, Dice + CE, backward and AdamW over encoder and decoder (MedSAM's default).
 */
public final class PretrainBenchmark {

    /** {@code steps} timed steps follow one untimed warm-up step; the MAE head has MAE's default shape. */
    public record Options(String arch, int imageSize, int batch, int steps, long seed) {
        public Options {
            Architectures.get(arch, "bench pretrain --arch").requireSam("bench pretrain");
            if (imageSize <= 0 || imageSize % 16 != 0) {
                throw new SamtuneException("bench pretrain --image-size: expected a positive multiple of 16, got "
                        + imageSize);
            }
            if (Architectures.VIT_T.name().equals(arch) && imageSize != Architectures.VIT_T.inputSize()) {
                throw new SamtuneException("bench pretrain --image-size: vit_t runs at "
                        + Architectures.VIT_T.inputSize() + " only, got " + imageSize);
            }
            if (batch < 1 || steps < 1) {
                throw new SamtuneException("bench pretrain: expected --batch >= 1 and --steps >= 1, got " + batch
                        + " and " + steps);
            }
        }
    }

    /** One measured step kind: {@code supervised}, {@code mae} or {@code prompts}. */
    public record Result(String kind, long trainableParameters, double[] stepSeconds, double medianStepSeconds,
                         double peakRssMb) {}

    private PretrainBenchmark() {}

    /** The supervised step, then MAE's, then the prompt step; each result goes to {@code each} when measured. */
    public static List<Result> run(Options o, java.util.function.Consumer<Result> each) {
        List<Result> out = new ArrayList<>();
        TrainBenchmark.Result s = TrainBenchmark.run(new TrainBenchmark.Options(o.arch(),
                TuningPlan.Tune.ENCODER_DECODER, TuningPlan.Method.VANILLA, o.imageSize(), o.batch(), o.steps(),
                o.seed()));
        out.add(new Result("supervised", s.trainableParameters(), s.stepSeconds(), s.medianStepSeconds(),
                s.peakRssMb()));
        each.accept(out.get(0));
        out.add(mae(o));
        each.accept(out.get(1));
        out.add(prompts(o));
        each.accept(out.get(2));
        return out;
    }

    static Result mae(Options o) {
        ProcessMemory.resetPeak();
        Engine.getInstance().setRandomSeed((int) o.seed());
        try (NDManager manager = Compute.newManager()) {
            Sam sam = SamModels.build(manager, o.arch(), 0, BlockOrder.OFFICIAL, null, null, o.seed(),
                    o.imageSize()).sam();
            MaeConfig d = MaeConfig.defaults(o.arch(), "", List.of("-"), "");
            MaskedImageModel mim = new MaskedImageModel(manager, sam,
                    new MaskedImageModel.DecoderShape(d.decoderDim(), d.decoderDepth(), d.decoderHeads()));
            mim.initializeWeights(o.seed());
            Trainer.nativeHeapFor(sam.imageEncoder(), o.batch()); // as pretrain mae
            sam.setTrainable(false);
            sam.imageEncoder().asModule().setTrainable(true);
            Map<String, Parameter> params = MaePretraining.optimised(sam, mim);
            sam.train(false);
            sam.imageEncoder().asModule().train(true);
            mim.train(true);
            params.values().forEach(p -> p.array().setRequiresGradient(true));
            double[] t = new double[o.steps()];
            Random rng = new Random(o.seed());
            try (AdamW opt = new AdamW(params, d.lr(), d.beta1(), d.beta2(), AdamW.EPS, d.weightDecay(),
                    Set.of())) {
                for (int s = -1; s < o.steps(); s++) {
                    try (NDScope scope = new NDScope()) {
                        NDArray x = images(manager, o, rng);
                        int patches = mim.patches();
                        NDArray mask = manager.create(MaeMasking.mask(MaeMasking.noise(o.batch(), patches, rng),
                                o.batch(), patches, d.maskRatio()), new Shape(o.batch(), patches));
                        long t0 = System.nanoTime();
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                             StagedBackward staged = StagedBackward.open()) {
                            NDArray loss = MaeTargets.loss(mim.forward(x, mask), x, mask, mim.patchSize(),
                                    d.normPixLoss());
                            loss.getFloat();
                            staged.backward(gc, loss);
                        }
                        opt.step();
                        opt.zeroGrad();
                        params.values().iterator().next().array().toFloatArray(); // waits for the update
                        if (s >= 0) {
                            t[s] = (System.nanoTime() - t0) / 1e9;
                        }
                    }
                }
            } finally {
                params.values().forEach(p -> p.array().setRequiresGradient(false));
            }
            long trainable = params.values().stream().mapToLong(Parameter::numel).sum();
            return new Result("mae", trainable, t, TrainBenchmark.median(t),
                    ProcessMemory.now().peakMb());
        }
    }

    static Result prompts(Options o) {
        ProcessMemory.resetPeak();
        Engine.getInstance().setRandomSeed((int) o.seed());
        try (NDManager manager = Compute.newManager()) {
            Sam sam = SamModels.build(manager, o.arch(), 2, BlockOrder.OFFICIAL, null, null, o.seed(),
                    o.imageSize()).sam();
            TuningPlan plan = new TuningPlan(TuningPlan.Tune.ENCODER_DECODER, TuningPlan.Method.VANILLA,
                    EncoderBlocks.everyBlock(), TuningPlan.DEFAULT_DECODER_ADAPTER_DEPTH, Compat.SAMTUNE,
                    TuningPlan.DEFAULT_LORA_RANK);
            plan.apply(sam, o.seed());
            Trainer.nativeHeapFor(sam.imageEncoder(), o.batch()); // as pretrain prompts (Trainer.run)
            // MedSAM's default: the prompt encoder frozen
            sam.namedParameters().forEach((k, p) -> p.setTrainable(plan.isTrainable(k)
                    && !k.startsWith("prompt_encoder.")));
            Map<String, Parameter> params = sam.namedParameters();
            sam.train(true);
            params.values().forEach(p -> p.array().setRequiresGradient(p.isTrainable()));
            int low = 4 * sam.config.prompt().imageEmbeddingSize();
            double[] t = new double[o.steps()];
            Random rng = new Random(o.seed());
            PromptConfig d = PromptConfig.defaults(o.arch(), "", List.of(new PromptConfig.Dataset("-", "-", "",
                    List.of("background", "x"), 0)), "");
            Parameter first = params.values().stream().filter(Parameter::isTrainable).findFirst().orElseThrow();
            try (AdamW opt = new AdamW(params, d.lr(), AdamW.BETA1, AdamW.BETA2, AdamW.EPS, d.weightDecay())) {
                for (int s = -1; s < o.steps(); s++) {
                    try (NDScope scope = new NDScope()) {
                        NDArray x = images(manager, o, rng);
                        List<Prompts> boxes = new ArrayList<>();
                        for (int i = 0; i < o.batch(); i++) {
                            float x0 = rng.nextInt(o.imageSize() / 2);
                            float y0 = rng.nextInt(o.imageSize() / 2);
                            boxes.add(new Prompts(null, null, new float[] {x0, y0, x0 + o.imageSize() / 4f,
                                    y0 + o.imageSize() / 4f}));
                        }
                        long[] target = new long[o.batch() * low * low];
                        for (int i = 0; i < target.length; i++) {
                            target[i] = rng.nextInt(2);
                        }
                        NDArray y = manager.create(target, new Shape(o.batch(), 1, low, low));
                        long t0 = System.nanoTime();
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                             StagedBackward staged = StagedBackward.open()) {
                            NDArray logits = PromptDecoder.lowResLogits(sam, manager, sam.embedImages(x), boxes);
                            DiceCeLoss.Parts parts = new DiceCeLoss().compute(logits, y);
                            parts.total().getFloat();
                            staged.backward(gc, parts.total());
                        }
                        opt.step();
                        opt.zeroGrad();
                        first.array().toFloatArray(); // waits for the update
                        if (s >= 0) {
                            t[s] = (System.nanoTime() - t0) / 1e9;
                        }
                    }
                }
            } finally {
                params.values().forEach(p -> p.array().setRequiresGradient(false));
            }
            return new Result("prompts", sam.trainableParameterCount(), t, TrainBenchmark.median(t),
                    ProcessMemory.now().peakMb());
        }
    }

    private static NDArray images(NDManager m, Options o, Random rng) {
        int s = o.imageSize();
        float[] x = new float[o.batch() * 3 * s * s];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return m.create(x, new Shape(o.batch(), 3, s, s));
    }
}
