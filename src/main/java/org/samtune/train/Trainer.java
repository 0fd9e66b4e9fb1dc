package org.samtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.samtune.data.Prefetcher;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.Shuffle;
import org.samtune.inference.ClassLabels;
import org.samtune.inference.PromptDecoder;
import org.samtune.model.ImageEncoder;
import org.samtune.model.ImageEncoderViT;
import org.samtune.model.Sam;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.NativeHeap;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.StagedBackward;
import org.samtune.model.unet.DenseSegmenter;
import org.samtune.peft.TuningPlan;

/**
 * finetune-SAM's training loop (spec §5.1), automatic (no-prompt) mode: for each batch the image encoder (with
 * gradients only when it is tuned), the prompt encoder without prompts and the mask decoder give one low-res
 * logit map per class; Dice + CE against the label map at that size; AdamW; warm-up then poly learning rate.
 * Validation every {@code valEvery} epochs keeps the best checkpoint and stops after {@code patience} epochs
 * without improvement. The U-Net baselines ({@link DenseSegmenter}) go through the same loop: the image batch
 * straight to logits at the input size, Dice + CE on each deep-supervision output with its weight.
 *
 * <p>Everything random (shuffling, augmentation) is drawn from generators seeded by (seed, epoch, position), so a
 * run resumed from any saved iteration continues exactly as the uninterrupted run would have.
 */
public final class Trainer implements AutoCloseable {

    /** The loop's settings (a subset of the run's config). */
    public record Settings(int epochs, int batchSize, double lr, boolean warmup, int warmupIters, int valEvery,
                           int patience, long seed, boolean cacheEmbeddings, long maxIterations,
                           int checkpointEvery) {}

    /** One training iteration, for logs and metrics.csv. */
    public record IterationStats(int epoch, long iteration, double loss, double dice, double ce, double lr) {}

    /**
     * One validation, for logs and metrics.csv. {@code classDice} includes the background at index 0; {@code score}
     * is the number the run reports and selects its best checkpoint by ({@link #validate}).
     */
    public record ValidationStats(int epoch, long iteration, double loss, double[] classDice, double score,
                                  boolean improved) {}

    /** What the caller does with progress and checkpoints. */
    public interface Listener {
        default void onIteration(IterationStats s, long totalIterations) {}

        default void onValidation(ValidationStats v) {}

        /** Called after each iteration multiple of checkpointEvery and at each epoch end. */
        default void onCheckpoint(TrainState state, Optimizer optimizer) {}

        /** The training part of an epoch ended (before validation), after {@code seconds}. */
        default void onEpochEnd(int epoch, double seconds) {}

        default void onBest(TrainState state) {}

        default void onMessage(String message) {}
    }

    /** How the run ended. */
    public record Result(TrainState state, String stopReason, boolean diverged) {}

    /** A validation other than one list's per-class Dice (e.g. one score per dataset of {@code pretrain prompts}). */
    public interface Validation {
        ValidationStats validate(Trainer trainer, int epoch, long iteration, double bestSoFar);
    }

    private final Sam sam;
    private final TuningPlan plan;
    private final Settings settings;
    private final SampleSource train;
    private final SegmentationDataset val;
    private final Validation validation;
    private final SamplePipeline pipeline;
    private final DiceCeLoss loss = new DiceCeLoss();
    private EmbeddingCache embeddingCache;
    // baselines: a U-Net instead of SAM (then sam is null), and its own schedule (nnU-Net's)
    private final DenseSegmenter dense;
    private final LrSchedule schedule;
    private long embeddingCacheHits;

    public Trainer(Sam sam, TuningPlan plan, Settings settings, SegmentationDataset train, SegmentationDataset val,
                   SamplePipeline pipeline) {
        this(sam, plan, settings, SampleSource.of(train, pipeline), val, null, pipeline);
    }

    /**
     * SAM trained on samples from {@code train}, validated by {@code validation} (null: no validation); the
     * pipeline gives the input and output sizes and the prompt mode.
     */
    public Trainer(Sam sam, TuningPlan plan, Settings settings, SampleSource train, Validation validation,
                   SamplePipeline pipeline) {
        this(sam, plan, settings, train, null, validation, pipeline);
    }

    private Trainer(Sam sam, TuningPlan plan, Settings settings, SampleSource train, SegmentationDataset val,
                    Validation validation, SamplePipeline pipeline) {
        this.sam = sam;
        this.plan = plan;
        this.settings = settings;
        this.train = train;
        this.val = val;
        this.validation = validation;
        this.pipeline = pipeline;
        this.embeddingCache = new MemoryEmbeddingCache(sam.manager());
        this.dense = null;
        this.schedule = null;
    }

    /**
     * A U-Net baseline, every weight trained; {@code schedule} null takes the settings' (warm-up + poly or
     * constant), otherwise e.g. nnU-Net's poly per epoch. Of {@code plan} only its quirks are read (how the best
     * epoch is selected).
     */
    public Trainer(DenseSegmenter net, TuningPlan plan, Settings settings, SegmentationDataset train,
                   SegmentationDataset val, SamplePipeline pipeline, LrSchedule schedule) {
        this.sam = null;
        this.plan = plan;
        this.settings = settings;
        this.train = SampleSource.of(train, pipeline);
        this.val = val;
        this.validation = null;
        this.pipeline = pipeline;
        this.embeddingCache = new MemoryEmbeddingCache(net.asModule().manager());
        this.dense = net;
        this.schedule = schedule;
    }

    /**
     * Fixes glibc's mmap threshold ({@link NativeHeap}) before {@code encoder} trains at {@code batch}, when it is
     * SAM's ViT: just above one of its token maps (ViT-B at 1024², batch 1: 12 MiB, threshold 16 MiB), so that
     * the token maps are reused from the heap and the larger maps, mapped on their own, are returned when freed:
     * every run alike from its first step (NativeHeap says why). MobileSAM's step ran 19 % slower with a
     * fixed threshold for 0.2-0.6 GB less, so TinyViT keeps glibc's default (docs/bench.md).
     *
     * @return the allocator's one-line account, or null when it is left as it is
     */
    public static String nativeHeapFor(ImageEncoder encoder, int batch) {
        if (!(encoder instanceof ImageEncoderViT vit)) {
            return null;
        }
        long grid = vit.config.gridSize();
        return NativeHeap.forTraining(batch * grid * grid * vit.config.embedDim() * (long) Float.BYTES);
    }

    /** The network being trained. */
    private Module model() {
        return dense != null ? dense.asModule() : sam;
    }

    /** Keeps frozen-encoder embeddings in {@code cache} (e.g. a {@link DiskEmbeddingCache}) instead of RAM. */
    public void useEmbeddingCache(EmbeddingCache cache) {
        embeddingCache.close();
        embeddingCache = cache;
    }

    /** The cache's one-line account, for the run log. */
    public String embeddingCacheSummary() {
        return embeddingCache.describe();
    }

    public long iterationsPerEpoch() {
        return (train.size() + settings.batchSize() - 1) / settings.batchSize();
    }

    public long totalIterations() {
        long t = iterationsPerEpoch() * settings.epochs();
        return settings.maxIterations() > 0 ? Math.min(t, settings.maxIterations()) : t;
    }

    /**
     * Whether image embeddings can be computed once and reused: the encoder is frozen, runs in eval mode, and the
     * training images do not change between epochs.
     */
    public boolean embeddingsCacheable() {
        return dense == null && settings.cacheEmbeddings() && !plan.updatesEncoder() && pipeline.isDeterministic(true)
                && plan.quirks().frozenEncoderInEvalMode();
    }

    /** Runs from {@code start} (fresh or resumed) until the epochs, the iteration cap or early stopping end it. */
    public Result run(Optimizer optimizer, TrainState start, Listener listener) {
        LrSchedule schedule = this.schedule != null ? this.schedule : settings.warmup()
                ? LrSchedule.warmupPoly(settings.lr(), settings.warmupIters(), iterationsPerEpoch() * settings.epochs())
                : LrSchedule.constant(settings.lr());
        optimizer.setLr(start.iteration() == 0 ? schedule.lrForStep(0) : schedule.lrAfterStep(start.iteration() - 1));
        setTrainingMode();
        String heap = sam != null && plan.updatesEncoder()
                ? nativeHeapFor(sam.imageEncoder(), settings.batchSize()) : null;
        if (heap != null) {
            listener.onMessage("native memory: " + heap);
        }
        Map<String, Parameter> params = model().namedParameters();
        params.values().forEach(p -> p.array().setRequiresGradient(p.isTrainable()));

        TrainState st = start;
        long total = totalIterations();
        try {
            for (int epoch = st.epoch(); epoch < settings.epochs(); epoch++) {
                int[] order = train.order(settings.seed(), epoch);
                int batches = (int) iterationsPerEpoch();
                long epochStart = System.nanoTime();
                int ep = epoch;
                // the next batch's images are read and augmented on a worker while this one computes
                try (Prefetcher<Batch> prefetch = new Prefetcher<>(b -> trainingBatch(order, ep, b))) {
                    for (int b = (epoch == st.epoch() ? st.batchInEpoch() : 0); b < batches; b++) {
                        if (settings.maxIterations() > 0 && st.iteration() >= settings.maxIterations()) {
                            return new Result(st, "reached the iteration cap of " + settings.maxIterations(), false);
                        }
                        IterationStats stats = step(optimizer, epoch,
                                prefetch.take(b, b + 1 < batches ? b + 1 : -1), st.iteration());
                        if (!Double.isFinite(stats.loss())) {
                            listener.onMessage("loss became " + stats.loss() + " at iteration " + st.iteration()
                                    + " (epoch " + epoch + "); stopped without applying that step");
                            return new Result(st, "loss became non-finite at iteration " + st.iteration(), true);
                        }
                        st = new TrainState(st.iteration() + 1, epoch, b + 1, st.bestDice(), st.bestEpoch(),
                                st.lastImprovementEpoch());
                        optimizer.setLr(schedule.lrAfterStep(st.iteration() - 1));
                        listener.onIteration(stats, total);
                        if (settings.checkpointEvery() > 0 && st.iteration() % settings.checkpointEvery() == 0
                                && b + 1 < batches) {
                            listener.onCheckpoint(st, optimizer);
                        }
                    }
                }
                st = new TrainState(st.iteration(), epoch + 1, 0, st.bestDice(), st.bestEpoch(),
                        st.lastImprovementEpoch());
                listener.onEpochEnd(epoch, (System.nanoTime() - epochStart) / 1e9);
                if ((validation != null || val != null && val.size() > 0) && epoch % settings.valEvery() == 0) {
                    ValidationStats v = validation != null ? validation.validate(this, epoch, st.iteration(),
                            st.bestDice()) : validate(epoch, st.iteration(), st.bestDice());
                    if (v.improved()) {
                        st = new TrainState(st.iteration(), st.epoch(), 0, v.score(), epoch, epoch);
                        listener.onValidation(v);
                        listener.onBest(st);
                    } else {
                        listener.onValidation(v);
                        if (epoch - st.lastImprovementEpoch() > settings.patience()) {
                            listener.onCheckpoint(st, optimizer);
                            return new Result(st, "no improvement for more than " + settings.patience()
                                    + " epochs (best " + String.format(java.util.Locale.ROOT, "%.4f", st.bestDice())
                                    + " at epoch " + (st.bestEpoch() + 1) + ")", false); // epochs count from 1
                        }
                    }
                }
                listener.onCheckpoint(st, optimizer);
            }
            return new Result(st, "completed " + settings.epochs() + " epochs", false);
        } finally {
            params.values().forEach(p -> p.array().setRequiresGradient(false));
        }
    }

    /**
     * finetune-SAM calls {@code model.train()} (MobileSAM's BatchNorm then updates even when frozen); samtune keeps
     * a frozen encoder in eval mode so that it is the pretrained function and its embeddings can be cached.
     */
    private void setTrainingMode() {
        if (dense != null) {
            dense.asModule().train(true);
            return;
        }
        sam.train(true);
        if (!plan.updatesEncoder() && plan.quirks().frozenEncoderInEvalMode()) {
            sam.imageEncoder().asModule().train(false);
        }
    }

    /** A training batch: its samples' indices in the source and the samples. */
    private record Batch(int[] indices, List<SamplePipeline.Sample> samples) {}

    /** Batch {@code batch} of the epoch's {@code order}, every sample's draws seeded by (seed, epoch, position). */
    private Batch trainingBatch(int[] order, int epoch, int batch) {
        int from = batch * settings.batchSize();
        int[] indices = Arrays.copyOfRange(order, from, Math.min(order.length, from + settings.batchSize()));
        List<SamplePipeline.Sample> samples = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            samples.add(train.training(indices[i], new Random(mix(settings.seed(), epoch, from + i))));
        }
        return new Batch(indices, samples);
    }

    private IterationStats step(Optimizer optimizer, int epoch, Batch batch, long iteration) {
        try (NDScope scope = new NDScope()) {
            List<SamplePipeline.Sample> samples = batch.samples();
            int[] indices = batch.indices();
            NDManager m = model().manager();
            NDArray target = targets(m, samples);
            NDArray embeddings = null;
            if (dense == null && !plan.updatesEncoder()) {
                embeddings = frozenEmbeddings(m, samples, indices);
            }
            double lossValue;
            double diceValue;
            double ceValue;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                DiceCeLoss.Parts parts;
                if (dense != null) {
                    parts = denseLoss(m, images(m, samples), samples, target);
                } else {
                    if (embeddings == null) {
                        embeddings = sam.embedImages(images(m, samples));
                    }
                    parts = loss.compute(decode(m, embeddings, samples), target);
                }
                lossValue = parts.total().getFloat();
                diceValue = parts.dice().getFloat();
                ceValue = parts.ce().getFloat();
                if (Double.isFinite(lossValue)) {
                    staged.backward(gc, parts.total());
                }
            }
            double lr = optimizer.lr();
            if (Double.isFinite(lossValue)) {
                optimizer.step();
            }
            optimizer.zeroGrad();
            return new IterationStats(epoch, iteration, lossValue, diceValue, ceValue, lr);
        }
    }

    /**
     * A U-Net's loss: Dice + CE on each training output against the labels brought to its size with nearest
     * neighbour (nnU-Net's {@code interpolate(mode='nearest-exact')}: the same pixel centres), weighted; outputs
     * with weight 0 are not scored (nnU-Net's DeepSupervisionWrapper).
     */
    private DiceCeLoss.Parts denseLoss(NDManager m, NDArray images, List<SamplePipeline.Sample> samples,
                                       NDArray target) {
        List<NDArray> outputs = dense.trainingOutputs(images);
        double[] weights = dense.outputWeights();
        NDArray total = null;
        NDArray dice = null;
        NDArray ce = null;
        for (int i = 0; i < outputs.size(); i++) {
            if (weights[i] == 0) {
                continue;
            }
            NDArray logits = outputs.get(i);
            int size = (int) logits.getShape().get(2);
            NDArray t = size == pipeline.lowResSize() ? target : downsampledTargets(m, samples, size);
            DiceCeLoss.Parts p = loss.compute(logits, t);
            NDArray w = m.full(new Shape(), (float) weights[i]);
            total = total == null ? p.total().mul(w) : total.add(p.total().mul(w));
            dice = dice == null ? p.dice().mul(w) : dice.add(p.dice().mul(w));
            ce = ce == null ? p.ce().mul(w) : ce.add(p.ce().mul(w));
        }
        return new DiceCeLoss.Parts(total, dice, ce);
    }

    private NDArray downsampledTargets(NDManager m, List<SamplePipeline.Sample> samples, int size) {
        int l = pipeline.lowResSize();
        long[] all = new long[samples.size() * size * size];
        for (int i = 0; i < samples.size(); i++) {
            int[] t = samples.get(i).lowRes();
            byte[] px = new byte[t.length];
            for (int j = 0; j < t.length; j++) {
                px[j] = (byte) t[j];
            }
            byte[] small = org.samtune.data.resize.PilResize.nearest(new org.samtune.data.UInt8Image(l, l, 1, px), size, size)
                    .pixels();
            for (int j = 0; j < small.length; j++) {
                all[i * size * size + j] = small[j] & 0xff;
            }
        }
        return m.create(all, new Shape(samples.size(), 1, size, size));
    }

    /** Embeddings of a frozen encoder, computed without a graph, from the cache where allowed. */
    private NDArray frozenEmbeddings(NDManager m, List<SamplePipeline.Sample> samples, int[] indices) {
        if (!embeddingsCacheable()) {
            return sam.embedImages(images(m, samples));
        }
        List<NDArray> parts = new ArrayList<>();
        for (int i = 0; i < indices.length; i++) {
            SamplePipeline.Sample sample = samples.get(i);
            boolean[] computed = {false};
            parts.add(embeddingCache.embedding(m, indices[i], sample.image(), () -> {
                computed[0] = true;
                return sam.embedImages(images(m, List.of(sample)));
            }));
            if (!computed[0]) {
                embeddingCacheHits++;
            }
        }
        return parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
    }

    /**
     * Prompt encoder + mask decoder with multimask output: one logit map per class. Without prompts one batch-1
     * token set serves every image; with boxes or points each image has its own.
     */
    NDArray decode(NDManager m, NDArray embeddings, List<SamplePipeline.Sample> samples) {
        return decode(sam, pipeline.prompts(), m, embeddings, samples);
    }

    /** {@link #decode(NDManager, NDArray, List)} for any model (the samples carry their prompts). */
    public static NDArray decode(Sam sam, TrainConfig.PromptMode prompts, NDManager m, NDArray embeddings,
                                 List<SamplePipeline.Sample> samples) {
        return PromptDecoder.lowResLogits(sam, m, embeddings, samples.stream().map(SamplePipeline.Sample::prompts)
                .toList());
    }

    private NDArray images(NDManager m, List<SamplePipeline.Sample> samples) {
        int s = pipeline.size();
        float[] all = new float[samples.size() * 3 * s * s];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).image(), 0, all, i * 3 * s * s, 3 * s * s);
        }
        return m.create(all, new Shape(samples.size(), 3, s, s));
    }

    private NDArray targets(NDManager m, List<SamplePipeline.Sample> samples) {
        int l = pipeline.lowResSize();
        long[] all = new long[samples.size() * l * l];
        for (int i = 0; i < samples.size(); i++) {
            int[] t = samples.get(i).lowRes();
            for (int j = 0; j < t.length; j++) {
                all[i * l * l + j] = t[j];
            }
        }
        return m.create(all, new Shape(samples.size(), 1, l, l));
    }

    /**
     * Validation as finetune-SAM: no augmentation, mean loss, and per-class Dice (2|P∩G| + 1)/(|P| + |G| + 1) of the
     * argmax prediction at the decoder's output size, averaged over slices. The score, reported and used for
     * selection, is the mean over foreground classes, slices without the class left out of its mean
     * ({@link org.samtune.peft.Quirks#selectByForegroundDice}); with --compat finetune-sam the mean over every class
     * including background, an absent class predicted absent scoring 1, as finetune-SAM.
     */
    public ValidationStats validate(int epoch, long iteration, double bestSoFar) {
        return validate(epoch, iteration, bestSoFar, val.size(), i -> pipeline.prepare(val.load(i), false, null));
    }

    /**
     * {@link #validate(int, long, double)} on {@code count} samples that {@code sample} prepares (without
     * augmentation; prompts, if any, drawn the same way every time).
     */
    public ValidationStats validate(int epoch, long iteration, double bestSoFar, int count,
                                    java.util.function.IntFunction<SamplePipeline.Sample> sample) {
        boolean wasTraining = model().isTraining();
        model().train(false);
        int classes = dense != null ? dense.numClasses() : sam.maskDecoder().config.numMultimaskOutputs();
        double[] diceSum = new double[classes];
        int[] diceCount = new int[classes];
        boolean foreground = plan.quirks().selectByForegroundDice();
        boolean ignoreEmpty = foreground;
        double lossSum = 0;
        int batches = 0;
        try {
            for (int from = 0; from < count; from += settings.batchSize()) {
                try (NDScope scope = new NDScope()) {
                    List<SamplePipeline.Sample> samples = new ArrayList<>();
                    for (int i = from; i < Math.min(count, from + settings.batchSize()); i++) {
                        samples.add(sample.apply(i));
                    }
                    NDManager m = model().manager();
                    NDArray logits = dense != null ? dense.forward(images(m, samples))
                            : decode(m, sam.embedImages(images(m, samples)), samples);
                    NDArray target = targets(m, samples);
                    lossSum += loss.compute(logits, target).total().getFloat();
                    batches++;
                    int[] pred = ClassLabels.argmax(logits);
                    int l = pipeline.lowResSize();
                    for (int i = 0; i < samples.size(); i++) {
                        int[] gt = samples.get(i).lowRes();
                        for (int c = 0; c < classes; c++) {
                            long inter = 0;
                            long p = 0;
                            long g = 0;
                            for (int j = 0; j < l * l; j++) {
                                boolean pc = pred[i * l * l + j] == c;
                                boolean gc = gt[j] == c;
                                if (pc) p++;
                                if (gc) g++;
                                if (pc && gc) inter++;
                            }
                            // finetune-SAM scores an absent class predicted absent as 1; samtune leaves slices
                            // without the class out of its mean (MONAI's ignore_empty), so an empty prediction
                            // does not look perfect.
                            if (ignoreEmpty && g == 0) {
                                continue;
                            }
                            diceSum[c] += (2.0 * inter + 1) / (p + g + 1);
                            diceCount[c]++;
                        }
                    }
                }
            }
        } finally {
            setTrainingMode();
            if (!wasTraining) {
                model().train(false);
            }
        }
        double[] dice = new double[classes];
        for (int c = 0; c < classes; c++) {
            dice[c] = diceCount[c] == 0 ? Double.NaN : diceSum[c] / diceCount[c];
        }
        double score = 0;
        int counted = 0;
        int from = !foreground || classes == 1 ? 0 : 1;
        for (int c = from; c < classes; c++) {
            if (!Double.isNaN(dice[c])) {
                score += dice[c];
                counted++;
            }
        }
        score = counted == 0 ? 0 : score / counted;
        return new ValidationStats(epoch, iteration, lossSum / Math.max(1, batches), dice, score, score > bestSoFar);
    }

    /** How many image embeddings were taken from the cache instead of the encoder (for tests and logs). */
    long embeddingCacheHits() {
        return embeddingCacheHits;
    }

    /** Frees cached embeddings (a disk cache keeps its files). */
    @Override
    public void close() {
        embeddingCache.close();
    }

    public static int[] permutation(int n, long seed, int epoch) {
        return Shuffle.permutation(n, new Random(mix(seed, epoch, -1)));
    }

    /** A well-spread seed for (run seed, epoch, position) — SplitMix64's finaliser. */
    public static long mix(long seed, int epoch, int position) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + position * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

}
