package org.samtune.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.Prefetcher;
import org.samtune.data.UnlabelledImages;
import org.samtune.data.prepare.Grey8;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.io.AtomicFiles;
import org.samtune.io.Volume;
import org.samtune.model.BlockOrder;
import org.samtune.model.EncoderCheckpoint;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.ProcessMemory;
import org.samtune.model.nn.StagedBackward;
import org.samtune.train.AdamW;
import org.samtune.train.LrSchedule;
import org.samtune.train.ProgressLine;
import org.samtune.train.RunFolder;
import org.samtune.train.TrainState;
import org.samtune.train.Trainer;

/**
 * A {@code samtune pretrain mae} run from its {@link MaeConfig} to its run folder (Setup 3's first stage): the
 * unlabelled images are gathered ({@code images.csv}; slices of volumes under {@code slices/}), SAM's image encoder
 * is trained by masked image modelling ({@link MaskedImageModel}) with AdamW, warm-up and cosine decay, and
 * {@code checkpoints/last.safetensors} holds a whole SAM in SAM's layout: the pretrained image encoder with the
 * starting checkpoint's prompt encoder and mask decoder, untouched. {@code train --checkpoint} starts the second
 * stage from it with any strategy. {@code checkpoints/resume.safetensors} (written atomically every
 * {@code checkpointEvery} iterations and every epoch) holds the encoder, the MAE head and the optimiser state, so
 * {@code --resume} after a crash continues exactly as the uninterrupted run.
 */
public final class MaePretraining {
    public static final String IMAGES = "images.csv";
    public static final String SLICES = "slices";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String LAST = "last.safetensors";
    public static final String RESUME = "resume.safetensors";
    private static final String MIM = "mim.";
    /** Separates the masking generator's stream from the augmentation's. */
    private static final long MASK_STREAM = 0x6D61736B5F6E6FL;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Settings of the run that are not part of the method. */
    public record Options(int checkpointEvery, long maxIterations) {
        public static Options defaults() {
            return new Options(50, 0);
        }
    }

    public record Outcome(Path runDir, String stopReason, boolean diverged, long iterations, int images,
                          Path checkpoint) {}

    private MaePretraining() {}

    /** Gathers the images into {@code runDir} and trains. Nothing is left behind that blocks a retry on failure. */
    public static Outcome start(MaeConfig c, Path runDir, Options options, Function<Path, Volume> readVolume,
                                PrintStream out) {
        if (Files.exists(runDir.resolve(RunFolder.CONFIG)) || Files.exists(runDir.resolve(RunFolder.METRICS))) {
            throw new SamtuneException(runDir + ": already holds a run (" + RunFolder.CONFIG + " or "
                    + RunFolder.METRICS + " exists); choose a new output folder or resume this one");
        }
        try (NDManager probe = org.samtune.model.nn.Compute.newManager()) {
            // a checkpoint that does not fit is reported before any slicing
            buildSam(probe, c).sam();
        }
        List<Path> images = gather(c, runDir, readVolume, out);
        try (RunFolder run = RunFolder.create(runDir, c)) {
            run.log("images: " + images.size() + " in " + IMAGES);
            return execute(run, c, images, null, null, options, out);
        }
    }

    /** Continues the run in {@code runDir} from its last resume checkpoint. */
    public static Outcome resume(Path runDir, Options options, PrintStream out) {
        Path resumeFile = runDir.resolve(CHECKPOINTS).resolve(RESUME);
        if (!Files.isRegularFile(resumeFile)) {
            throw new SamtuneException(runDir + ": nothing to resume (no " + CHECKPOINTS + "/" + RESUME
                    + "; the run stopped before its first checkpoint — start it again)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, TensorData> tensors = Safetensors.readWithMetadata(resumeFile, meta);
        TrainState state = state(resumeFile, meta);
        List<Path> images = readImages(runDir);
        try (RunFolder run = RunFolder.resume(runDir, state.iteration(), MaeConfig::read)) {
            return execute(run, (MaeConfig) run.settings(), images, state, tensors, options, out);
        }
    }

    // ---- images --------------------------------------------------------------------------------------------

    private static List<Path> gather(MaeConfig c, Path runDir, Function<Path, Volume> readVolume, PrintStream out) {
        Path partial = runDir.resolve(SLICES + ".partial");
        Path slices = runDir.resolve(SLICES);
        deleteTree(partial);
        UnlabelledImages.Collected got;
        try {
            Files.createDirectories(partial);
            List<SliceAxis> axes = c.axes().stream().map(SliceAxis::parse).toList();
            UnlabelledImages.Options o = new UnlabelledImages.Options(axes,
                    Grey8.parse(c.window().isEmpty() ? null : c.window()), c.minForeground());
            got = UnlabelledImages.collect(c.inputs().stream().map(Path::of).toList(), partial, o, readVolume,
                    out::println);
            deleteTree(slices);
            Files.move(partial, slices, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTree(partial);
            throw new SamtuneException(runDir + ": cannot write the image slices: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(partial);
            throw e;
        }
        List<Path> images = new ArrayList<>();
        StringBuilder list = new StringBuilder();
        for (Path p : got.images()) {
            Path real = p.startsWith(partial) ? slices.resolve(partial.relativize(p)) : p.toAbsolutePath();
            images.add(real);
            list.append(p.startsWith(partial) ? SLICES + "/" + partial.relativize(p) : real.toString()).append('\n');
        }
        AtomicFiles.writeString(runDir.resolve(IMAGES), list.toString());
        out.println("samtune pretrain mae: " + images.size() + " images (" + got.volumes() + " volumes sliced, "
                + got.skippedEmpty() + " empty slices/images skipped)");
        return images;
    }

    private static List<Path> readImages(Path runDir) {
        Path list = runDir.resolve(IMAGES);
        try {
            List<Path> out = new ArrayList<>();
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(runDir.resolve(line.strip()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new SamtuneException(list + ": cannot read the run's image list: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new SamtuneException(dir + ": cannot remove: " + e.getMessage(), e);
        }
    }

    // ---- model ---------------------------------------------------------------------------------------------

    /** The SAM (three multimask outputs: SAM's layout) from the starting weights; the encoder must fit exactly. */
    static SamModels.Built buildSam(NDManager manager, MaeConfig c) {
        Path ckpt = c.checkpoint().isEmpty() ? null : Path.of(c.checkpoint());
        Path enc = c.encoderFrom().isEmpty() ? null : Path.of(c.encoderFrom());
        SamModels.Built built = SamModels.build(manager, c.arch(), 0, BlockOrder.OFFICIAL, ckpt, enc, c.seed());
        if (built.report() != null) {
            List<String> bad = new ArrayList<>();
            built.report().missing().stream().filter(k -> k.startsWith(EncoderCheckpoint.PREFIX)
                    && !k.endsWith("num_batches_tracked")).forEach(k -> bad.add(k + " missing"));
            built.report().mismatched().stream().filter(m -> m.key().startsWith(EncoderCheckpoint.PREFIX))
                    .forEach(m -> bad.add(m.toString()));
            if (!bad.isEmpty()) {
                throw new SamtuneException(built.report().source() + ": image encoder does not fit --arch "
                        + c.arch() + ": " + bad.size() + " encoder tensors differ (" + String.join("; ",
                        bad.subList(0, Math.min(3, bad.size()))) + (bad.size() > 3 ? "; ..." : "") + ")");
            }
        }
        return built;
    }

    private static Outcome execute(RunFolder run, MaeConfig c, List<Path> images, TrainState resumedState,
                                   Map<String, TensorData> resumedTensors, Options options, PrintStream out) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        try (NDManager manager = org.samtune.model.nn.Compute.newManager()) {
            SamModels.Built built = buildSam(manager, c);
            Sam sam = built.sam();
            if (built.report() != null) {
                run.log(built.report().describe(20));
            }
            MaskedImageModel mim = new MaskedImageModel(manager, sam,
                    new MaskedImageModel.DecoderShape(c.decoderDim(), c.decoderDepth(), c.decoderHeads()));
            mim.initializeWeights(c.seed());
            sam.setTrainable(false);
            sam.imageEncoder().asModule().setTrainable(true);
            Map<String, Parameter> params = optimised(sam, mim);
            Set<String> noDecay = new LinkedHashSet<>();
            params.forEach((k, p) -> {
                if (k.endsWith(".bias") || p.array().getShape().dimension() <= 1) {
                    noDecay.add(k);
                }
            });
            int n = images.size();
            int batch = Math.min(c.batchSize(), n);
            // MAE's loader drops the last incomplete batch
            long perEpoch = n / batch;
            long planned = perEpoch * c.epochs();
            long total = options.maxIterations() > 0 ? Math.min(planned, options.maxIterations()) : planned;
            LrSchedule schedule = LrSchedule.warmupCosine(c.lr(), (int) (c.warmupEpochs() * perEpoch), planned,
                    c.minLr());
            MaeSamples samples = new MaeSamples(sam.config.imgSize(), c.normalize().equals("medsam")
                    ? FinetuneSamPreprocessing.Normalization.MEDSAM : FinetuneSamPreprocessing.Normalization.SAM,
                    c.augment());
            Path ckptDir = run.file(CHECKPOINTS);
            Map<String, String> meta = metadata(c, built);
            try (AdamW opt = new AdamW(params, c.lr(), c.beta1(), c.beta2(), AdamW.EPS, c.weightDecay(), noDecay)) {
                TrainState st = TrainState.start();
                if (resumedState != null) {
                    restore(sam, mim, opt, resumedTensors, run.file(CHECKPOINTS).resolve(RESUME));
                    st = resumedState;
                }
                run.log(String.format(Locale.ROOT, "plan: MAE on %s, %d images, batch %d, %d iterations per epoch, "
                        + "%d epochs (%d iterations), mask ratio %.2f, %s; %,d of %,d parameters train (encoder %,d, "
                        + "mask token + decoder %,d); %s", c.arch(), n, batch, perEpoch, c.epochs(), planned,
                        c.maskRatio(), c.normPixLoss() ? "per-patch normalised pixels" : "raw pixels",
                        params.values().stream().mapToLong(Parameter::numel).sum(),
                        sam.parameterCount() + mim.parameterCount(), sam.imageEncoder().asModule().parameterCount(),
                        mim.parameterCount(), schedule));
                String heap = Trainer.nativeHeapFor(sam.imageEncoder(), batch);
                out.println("samtune pretrain mae: " + c.arch() + ", " + n + " images, " + total + " iterations"
                        + (heap == null ? "" : "; " + heap));
                ProgressLine progress = ProgressLine.forStdout(total, c.epochs(), st.iteration());
                params.values().forEach(p -> p.array().setRequiresGradient(true));
                sam.train(false);
                sam.imageEncoder().asModule().train(true);
                mim.train(true);
                String reason = null;
                boolean diverged = false;
                try {
                    epochs:
                    for (int epoch = st.epoch(); epoch < c.epochs(); epoch++) {
                        int[] order = Trainer.permutation(n, c.seed(), epoch);
                        int ep = epoch;
                        long t0 = System.nanoTime();
                        double lossSum = 0;
                        int steps = 0;
                        try (Prefetcher<Batch> batches = new Prefetcher<>(b -> Batch.of(samples, images, order,
                                b * batch, batch, ep, sam.config.imgSize(), mim.patches(), c))) {
                            for (int b = epoch == st.epoch() ? st.batchInEpoch() : 0; b < perEpoch; b++) {
                                if (options.maxIterations() > 0 && st.iteration() >= options.maxIterations()) {
                                    reason = "reached the iteration cap of " + options.maxIterations();
                                    break epochs;
                                }
                                double lr = schedule.lrForStep(st.iteration());
                                opt.setLr(lr);
                                Batch next = batches.take(b, b + 1 < perEpoch ? b + 1 : -1);
                                double loss = step(sam, mim, opt, next, c);
                                if (!Double.isFinite(loss)) {
                                    diverged = true;
                                    reason = "loss became " + loss + " at iteration " + st.iteration() + " (epoch "
                                            + epoch + "); stopped without applying that step";
                                    run.log(reason);
                                    break epochs;
                                }
                                run.logIteration(epoch, st.iteration(), loss, Double.NaN, Double.NaN, lr);
                                st = new TrainState(st.iteration() + 1, epoch, b + 1, -1, -1, 0);
                                progress.update(epoch, st.iteration(), loss, lr, b + 1 == perEpoch);
                                lossSum += loss;
                                steps++;
                                if (options.checkpointEvery() > 0 && st.iteration() % options.checkpointEvery() == 0
                                        && b + 1 < perEpoch) {
                                    writeResume(ckptDir.resolve(RESUME), sam, mim, opt, meta, st);
                                }
                            }
                        }
                        st = new TrainState(st.iteration(), epoch + 1, 0, -1, -1, 0);
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        run.log(String.format(Locale.ROOT, "epoch %d: mean loss %.5f over %d steps, %.2f s/step, "
                                + "peak RSS %.0f MB", epoch, lossSum / Math.max(1, steps), steps,
                                seconds / Math.max(1, steps), ProcessMemory.now().peakMb()));
                        writeLast(ckptDir.resolve(LAST), sam, meta, st);
                        writeResume(ckptDir.resolve(RESUME), sam, mim, opt, meta, st);
                        run.writeCurve();
                    }
                } finally {
                    params.values().forEach(p -> p.array().setRequiresGradient(false));
                }
                if (!diverged) {
                    writeLast(ckptDir.resolve(LAST), sam, meta, st);
                    writeResume(ckptDir.resolve(RESUME), sam, mim, opt, meta, st);
                }
                run.writeCurve();
                if (reason == null) {
                    reason = "completed " + c.epochs() + " epochs";
                }
                run.log("stopped: " + reason);
                return new Outcome(run.dir(), reason, diverged, st.iteration(), n, ckptDir.resolve(LAST));
            }
        }
    }

    /** The encoder's parameters under their SAM names and the MAE head's under {@code mim.}. */
    static Map<String, Parameter> optimised(Sam sam, MaskedImageModel mim) {
        Map<String, Parameter> params = new LinkedHashMap<>();
        sam.namedParameters().forEach((k, p) -> {
            if (k.startsWith(EncoderCheckpoint.PREFIX)) {
                params.put(k, p);
            }
        });
        mim.namedParameters().forEach((k, p) -> params.put(MIM + k, p));
        return params;
    }

    /**
     * A batch's pixels (batch, 3, size, size) and MAE's per-patch noise (batch, patches), every draw seeded by
     * (seed, epoch, position in the epoch), so it is the same whichever thread prepares it.
     */
    record Batch(int batch, float[] pixels, float[] noise) {
        static Batch of(MaeSamples samples, List<Path> images, int[] order, int from, int batch, int epoch,
                        int size, int patches, MaeConfig c) {
            float[] pixels = new float[batch * 3 * size * size];
            float[] noise = new float[batch * patches];
            for (int i = 0; i < batch; i++) {
                int position = from + i;
                float[] img = samples.load(images.get(order[position]),
                        new Random(Trainer.mix(c.seed(), epoch, position)));
                System.arraycopy(img, 0, pixels, i * img.length, img.length);
                float[] z = MaeMasking.noise(1, patches, new Random(Trainer.mix(c.seed() ^ MASK_STREAM, epoch,
                        position)));
                System.arraycopy(z, 0, noise, i * patches, patches);
            }
            return new Batch(batch, pixels, noise);
        }
    }

    private static double step(Sam sam, MaskedImageModel mim, AdamW opt, Batch in, MaeConfig c) {
        try (NDScope scope = new NDScope()) {
            int batch = in.batch();
            int size = sam.config.imgSize();
            int patches = mim.patches();
            NDManager m = sam.manager();
            NDArray x = m.create(in.pixels(), new Shape(batch, 3, size, size));
            NDArray mask = m.create(MaeMasking.mask(in.noise(), batch, patches, c.maskRatio()),
                    new Shape(batch, patches));
            double value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                NDArray pred = mim.forward(x, mask);
                NDArray loss = MaeTargets.loss(pred, x, mask, mim.patchSize(), c.normPixLoss());
                value = loss.getFloat();
                if (Double.isFinite(value)) {
                    staged.backward(gc, loss);
                }
            }
            if (Double.isFinite(value)) {
                opt.step();
            }
            opt.zeroGrad();
            return value;
        }
    }

    // ---- checkpoints ---------------------------------------------------------------------------------------

    private static Map<String, String> metadata(MaeConfig c, SamModels.Built built) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "samtune-pretrained-sam/1");
        m.put("arch", built.arch());
        m.put("pretraining", "mae");
        m.put("base_checkpoint", built.checkpoint() == null ? "" : built.checkpoint().getFileName().toString());
        m.put("base_sha256", built.checkpointSha256() == null ? "" : built.checkpointSha256());
        m.put("config_yaml", c.toYaml());
        return m;
    }

    private static void writeLast(Path file, Sam sam, Map<String, String> meta, TrainState st) {
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("iteration", Long.toString(st.iteration()));
        m.put("epoch", Integer.toString(st.epoch()));
        Safetensors.write(file, sam.stateDict(), m);
    }

    private static void writeResume(Path file, Sam sam, MaskedImageModel mim, AdamW opt, Map<String, String> meta,
                                    TrainState st) {
        Map<String, TensorData> all = new LinkedHashMap<>();
        sam.stateArrays().forEach((k, a) -> {
            if (k.startsWith(EncoderCheckpoint.PREFIX)) {
                all.put("model/" + k, Module.toTensorData(a));
            }
        });
        mim.stateArrays().forEach((k, a) -> all.put("model/" + MIM + k, Module.toTensorData(a)));
        opt.stateDict().tensors().forEach((k, v) -> all.put("optimizer/" + k, v));
        Map<String, String> m = new LinkedHashMap<>(meta);
        m.put("iteration", Long.toString(st.iteration()));
        try {
            m.put("train_state", JSON.writeValueAsString(st));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Safetensors.write(file, new StateDict(all, "resume"), m);
    }

    private static TrainState state(Path file, Map<String, String> meta) {
        String s = meta.get("train_state");
        if (s == null) {
            throw new SamtuneException(file + ": metadata field train_state missing (not a samtune resume checkpoint)");
        }
        try {
            return JSON.readValue(s, TrainState.class);
        } catch (Exception e) {
            throw new SamtuneException(file + ": metadata field train_state is not readable: " + e.getMessage());
        }
    }

    private static void restore(Sam sam, MaskedImageModel mim, AdamW opt, Map<String, TensorData> tensors, Path file) {
        Map<String, TensorData> encoder = new LinkedHashMap<>();
        Map<String, TensorData> head = new LinkedHashMap<>();
        Map<String, TensorData> optim = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith("model/" + MIM)) {
                head.put(k.substring(6 + MIM.length()), v);
            } else if (k.startsWith("model/")) {
                encoder.put(k.substring(6), v);
            } else if (k.startsWith("optimizer/")) {
                optim.put(k.substring(10), v);
            }
        });
        var r1 = sam.loadStateDict(new StateDict(encoder, file.toString()), false);
        var r2 = mim.loadStateDict(new StateDict(head, file.toString()), false);
        boolean encoderMissing = r1.missing().stream().anyMatch(k -> k.startsWith(EncoderCheckpoint.PREFIX));
        if (encoderMissing || !r1.unexpected().isEmpty() || !r1.mismatched().isEmpty() || !r2.isClean()) {
            throw new SamtuneException(file + ": does not fit this run's model: "
                    + (r2.isClean() ? r1.describe(5) : r2.describe(5)));
        }
        opt.loadStateDict(new StateDict(optim, file.toString()));
    }
}
