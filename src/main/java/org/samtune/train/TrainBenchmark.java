package org.samtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.samtune.SamtuneException;
import org.samtune.model.Architectures;
import org.samtune.model.Sam;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.OpProfile;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.ProcessMemory;
import org.samtune.model.nn.StagedBackward;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;

/**
 * Seconds per training step and peak resident memory of one strategy (architecture × what is tuned × how, input
 * size, batch), with random weights and random data, beside a float32 matmul measured in the same process so that
 * numbers from a busy machine can be compared.
 *
 * <p>A step is what {@link Trainer} does for one batch: the image encoder (with a graph only when it is tuned),
 * the prompt encoder without prompts and the multimask decoder, Dice + CE, backward, AdamW. For a frozen encoder
 * the step includes the encoder's forward pass (the first epoch, or training with augmentation); the
 * {@code cachedStepSeconds} column is the step when embeddings come from the cache (later epochs).
 *
 * <p>Peak memory is the process's VmHWM, reset before each strategy ({@code /proc/self/clear_refs} 5), so it
 * includes the JVM and libtorch ({@code baselineRssMb} is the resident set before the model is built).
 */
public final class TrainBenchmark {

    /** One strategy to measure. {@code steps} timed steps follow one untimed warm-up step. */
    public record Options(String arch, TuningPlan.Tune tune, TuningPlan.Method method, int imageSize, int batch,
                          int steps, long seed) {
        public Options {
            Architectures.getSam(arch, "bench train --arch", "bench train");
            if (imageSize < 0 || imageSize % 16 != 0) {
                throw new SamtuneException("bench train --image-size: expected a positive multiple of 16, got "
                        + imageSize);
            }
            if (batch < 1) {
                throw new SamtuneException("bench train --batch: expected at least 1, got " + batch);
            }
            if (steps < 1) {
                throw new SamtuneException("bench train --steps: expected at least 1, got " + steps);
            }
        }

        public String strategy() {
            return method.id() + " " + tune.id();
        }
    }

    /**
     * @param stepSeconds       median seconds of the timed steps
     * @param cachedStepSeconds median seconds of a step on cached embeddings (frozen encoder only; NaN otherwise)
     * @param peakRssMb         VmHWM while this strategy ran (-1 without /proc)
     * @param baselineRssMb     VmRSS before the model was built
     */
    public record Result(Options options, long trainableParameters, long parameters, double[] stepSeconds,
                         double medianStepSeconds, double cachedStepSeconds, double peakRssMb,
                         double baselineRssMb) {}

    private TrainBenchmark() {}

    /** The six strategies of the study: decoder / encoder+decoder × vanilla / adapter / LoRA. */
    public static List<Options> allStrategies(String arch, int imageSize, int batch, int steps, long seed) {
        List<Options> out = new ArrayList<>();
        for (TuningPlan.Tune t : TuningPlan.Tune.values()) {
            for (TuningPlan.Method m : TuningPlan.Method.values()) {
                out.add(new Options(arch, t, m, imageSize, batch, steps, seed));
            }
        }
        return out;
    }

    /**
     * The run config a strategy trains with: finetune-SAM's defaults (two classes; adapters / LoRA in encoder blocks
     * 0, 1, 10, 11 of ViT-B/L/H, in every block or stage of vit_t and compact).
     */
    static TrainConfig config(Options o) {
        // 0: the architecture's input and decoder output sizes (the builder fills them in)
        int size = o.imageSize();
        if (size < 0 || size % 16 != 0) {
            throw new SamtuneException("bench train --image-size: expected a positive multiple of 16, got " + size);
        }
        TrainConfig.Builder b = TrainConfig.builder().arch(o.arch()).tune(o.tune()).method(o.method())
                .batchSize(o.batch()).seed(o.seed()).imageSize(size).outSize(size / 4);
        if (!List.of("vit_b", "vit_l", "vit_h").contains(o.arch())) {
            b.encoderBlocks(EncoderBlocks.everyBlock()); // the reference's blocks 0,1,10,11 exist in ViT-B/L/H only: here all of them
        }
        return b.build();
    }

    public static Result run(Options o) {
        TrainConfig c = config(o);
        ProcessMemory.resetPeak();
        double baseline = ProcessMemory.now().residentMb();
        Engine.getInstance().setRandomSeed((int) o.seed());
        try (NDManager manager = Compute.newManager()) {
            Sam sam = FineTuning.buildModel(manager, c, null).sam();
            TuningPlan plan = c.plan();
            if (plan.updatesEncoder()) {
                Trainer.nativeHeapFor(sam.imageEncoder(), o.batch());
            }
            sam.train(true);
            if (!plan.updatesEncoder()) {
                sam.imageEncoder().asModule().train(false); // as Trainer: a frozen encoder runs in eval mode
            }
            var params = sam.namedParameters();
            params.values().forEach(p -> p.array().setRequiresGradient(p.isTrainable()));
            double[] steps = new double[o.steps()];
            double cached = Double.NaN;
            try (AdamW optimizer = new AdamW(params, c.lr(), AdamW.BETA1, AdamW.BETA2, AdamW.EPS, c.weightDecay())) {
                Random rng = new Random(o.seed());
                step(sam, plan, optimizer, c, rng, null); // warm-up
                try (OpProfile profile = OpProfile.startIfRequested()) {
                    for (int s = 0; s < o.steps(); s++) {
                        steps[s] = step(sam, plan, optimizer, c, rng, null);
                    }
                }
                if (!plan.updatesEncoder()) {
                    try (NDScope scope = new NDScope()) {
                        NDArray embeddings = sam.embedImages(images(manager, c, rng));
                        double[] cachedSteps = new double[o.steps()];
                        for (int s = -1; s < o.steps(); s++) {
                            double t = step(sam, plan, optimizer, c, rng, embeddings);
                            if (s >= 0) {
                                cachedSteps[s] = t;
                            }
                        }
                        cached = median(cachedSteps);
                    }
                }
            } finally {
                params.values().forEach(p -> p.array().setRequiresGradient(false));
            }
            double peak = ProcessMemory.now().peakMb();
            return new Result(o, sam.trainableParameterCount(), sam.parameterCount(), steps, median(steps), cached,
                    peak, baseline);
        }
    }

    /** One training step as {@link Trainer} runs it; {@code cachedEmbeddings} skips the frozen encoder. */
    private static double step(Sam sam, TuningPlan plan, AdamW optimizer, TrainConfig c, Random rng,
                               NDArray cachedEmbeddings) {
        NDManager m = sam.manager();
        try (NDScope scope = new NDScope()) {
            NDArray images = cachedEmbeddings == null ? images(m, c, rng) : null;
            NDArray target = targets(m, c, rng);
            long t0 = System.nanoTime();
            NDArray embeddings = cachedEmbeddings;
            if (embeddings == null && !plan.updatesEncoder()) {
                embeddings = sam.embedImages(images);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                if (embeddings == null) {
                    embeddings = sam.embedImages(images);
                }
                NDArray logits = sam.predict(embeddings, null, null, null, null, true).lowResLogits();
                DiceCeLoss.Parts parts = new DiceCeLoss().compute(logits, target);
                parts.total().getFloat();
                staged.backward(gc, parts.total());
            }
            optimizer.step();
            optimizer.zeroGrad();
            firstTrainable(sam).array().toFloatArray(); // waits for the update (asynchronous devices)
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static Parameter firstTrainable(Sam sam) {
        for (Parameter p : sam.namedParameters().values()) {
            if (p.isTrainable()) {
                return p;
            }
        }
        throw new IllegalStateException("nothing trains");
    }

    private static NDArray images(NDManager m, TrainConfig c, Random rng) {
        int s = c.imageSize();
        float[] x = new float[c.batchSize() * 3 * s * s];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return m.create(x, new Shape(c.batchSize(), 3, s, s));
    }

    private static NDArray targets(NDManager m, TrainConfig c, Random rng) {
        int l = c.outSize();
        long[] t = new long[c.batchSize() * l * l];
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextInt(c.numClasses());
        }
        return m.create(t, new Shape(c.batchSize(), 1, l, l));
    }

    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
