package org.samtune.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.samtune.SamtuneException;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.SegmentationCsv;
import org.samtune.data.SliceRef;
import org.samtune.data.augment.Augmentation;
import org.samtune.data.prompt.PromptSampler;
import org.samtune.io.Provenance;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Compute;
import org.samtune.peft.TuningPlan;
import org.samtune.train.AdamW;
import org.samtune.train.DatasetClasses;
import org.samtune.train.ProgressLine;
import org.samtune.train.RunCheckpoints;
import org.samtune.train.RunFolder;
import org.samtune.train.RunListener;
import org.samtune.train.SamplePipeline;
import org.samtune.train.TrainConfig;
import org.samtune.train.TrainState;
import org.samtune.train.Trainer;

/**
 * A {@code samtune pretrain prompts} run (Setup 2's task-expansive stage, MedSAM-style) from its
 * {@link PromptConfig} to its run folder. The labelled structures of several datasets ({@link StructureTargets}: one
 * binary target per structure of a slice, prompted from it) are mixed by weight ({@link DatasetMix}) and fed to
 * {@code train}'s own {@link Trainer} (loss, AdamW, schedule, step, checkpoints every {@code checkpointEvery}
 * iterations, resume); validation scores each dataset's validation structures separately (Dice per dataset in
 * metrics.csv and train.log; the run selects its best checkpoint by their mean).
 *
 * <p>The checkpoints ({@code best.safetensors}, {@code last.safetensors}) hold the whole SAM state dict, so
 * {@code train --setup 2 --checkpoint RUN/checkpoints/best.safetensors} fine-tunes it like any SAM checkpoint. The
 * mask decoder trains with two outputs (background, structure) as {@code train --prompt} does; a fine-tuning run
 * with another class count re-initialises those task heads, as it does for SAM's own checkpoint.
 */
public final class PromptPretraining {
    /** The {@code format} metadata of a whole pretrained SAM (as {@code pretrain mae} writes). */
    public static final String FORMAT = "samtune-pretrained-sam/1";

    /** Settings of the run that are not part of the method. */
    public record Options(int checkpointEvery, long maxIterations) {
        public static Options defaults() {
            return new Options(50, 0);
        }
    }

    /**
     * @param bestEpoch 1-based epoch of the best validation (0: never validated)
     * @param bestDice  its mean Dice over the datasets (NaN: never validated)
     */
    public record Outcome(Path runDir, String stopReason, boolean diverged, long iterations, int bestEpoch,
                          double bestDice, Path checkpoint) {}

    /** Everything a run needs before its first iteration, checked. */
    record Setup(PromptConfig config, SamModels.Built built, List<StructureTargets> train,
                 List<StructureTargets> val, SamplePipeline pipeline) {
        Sam sam() {
            return built.sam();
        }
    }

    private PromptPretraining() {}

    // ---- datasets -------------------------------------------------------------------------------------------

    /**
     * The datasets of a new run from the command line: each training list needs the {@code dataset.yaml} beside it
     * (its class names); validation lists, if any, one per training list in the same order; weights, if any, one
     * per training list. Names are the lists' folder names, made unique.
     */
    public static List<PromptConfig.Dataset> datasets(List<Path> trainLists, List<Path> valLists,
                                                      List<Double> weights) {
        if (trainLists.isEmpty()) {
            throw new SamtuneException("pretrain prompts: --train-list is required (one per labelled dataset, each "
                    + "with the dataset.yaml that prepare writes beside it), or --resume RUN");
        }
        if (!valLists.isEmpty() && valLists.size() != trainLists.size()) {
            throw new SamtuneException("--val-list: expected one per --train-list (" + trainLists.size()
                    + ", in the same order), got " + valLists.size());
        }
        if (!weights.isEmpty() && weights.size() != trainLists.size()) {
            throw new SamtuneException("--weights: expected one weight per --train-list (" + trainLists.size()
                    + "), got " + weights.size() + " (" + weights + ")");
        }
        for (double w : weights) {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new SamtuneException("--weights: expected positive numbers, got " + weights);
            }
        }
        List<PromptConfig.Dataset> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < trainLists.size(); i++) {
            Path list = trainLists.get(i);
            if (!Files.isRegularFile(list)) {
                throw new SamtuneException(list + ": --train-list not found");
            }
            DatasetClasses classes = DatasetClasses.besideList(list);
            if (classes == null) {
                throw new SamtuneException(list + ": no " + DatasetClasses.FILE + " beside the list (expected the "
                        + "dataset.yaml prepare writes, naming the classes of the masks)");
            }
            Path parent = list.toAbsolutePath().normalize().getParent();
            String base = parent == null || parent.getFileName() == null ? "dataset" : parent.getFileName().toString();
            String name = base;
            for (int k = 2; !names.add(name); k++) {
                name = base + "-" + k;
            }
            out.add(new PromptConfig.Dataset(name, list.toString(), valLists.isEmpty() ? ""
                    : valLists.get(i).toString(), classes.names(), weights.isEmpty() ? 0 : weights.get(i)));
        }
        return out;
    }

    // ---- set-up ---------------------------------------------------------------------------------------------

    /** Opens the data and builds the model; throws on any inconsistency, writes nothing. */
    static Setup setUp(NDManager manager, PromptConfig c) {
        Engine.getInstance().setRandomSeed((int) c.seed());
        List<StructureTargets> train = new ArrayList<>();
        List<StructureTargets> val = new ArrayList<>();
        for (PromptConfig.Dataset d : c.datasets()) {
            Path list = Path.of(d.trainList());
            Path yaml = list.toAbsolutePath().getParent().resolve(DatasetClasses.FILE);
            DatasetClasses declared = DatasetClasses.besideList(list);
            if (declared == null) {
                throw new SamtuneException(list + ": no " + DatasetClasses.FILE + " beside the list (expected the "
                        + "dataset.yaml prepare writes, naming the classes of the masks)");
            }
            if (!declared.names().equals(d.classNames())) {
                throw new SamtuneException(yaml + ": classes " + declared.names() + " differ from the "
                        + d.classNames() + " this run started with");
            }
            train.add(StructureTargets.open(d.name(), list, d.classNames(), yaml));
            val.add(d.valList().isEmpty() ? null
                    : StructureTargets.open(d.name(), Path.of(d.valList()), d.classNames(), yaml));
        }
        Path base = c.checkpoint().isEmpty() ? null : Path.of(c.checkpoint());
        SamModels.Built built = SamModels.build(manager, c.arch(), 2, c.plan().quirks().blockOrder(), base, null,
                c.seed(), 0);
        requireFit(built, c);
        Sam sam = built.sam();
        c.plan().apply(sam, c.seed());
        sam.namedParameters().forEach((k, p) -> p.setTrainable(c.isTrainable(k)));
        int size = sam.config.imgSize();
        int lowRes = 4 * sam.config.prompt().imageEmbeddingSize();
        SamplePipeline pipeline = new SamplePipeline(size, lowRes, c.resize(),
                c.normalize() == TrainConfig.Normalize.MEDSAM ? FinetuneSamPreprocessing.Normalization.MEDSAM
                        : FinetuneSamPreprocessing.Normalization.SAM,
                c.plan().quirks().nearestLowResTargets() ? SamplePipeline.TargetResize.NEAREST
                        : SamplePipeline.TargetResize.BILINEAR_ROUND,
                new Augmentation(c.augment() ? Augmentation.Settings.finetuneSam() : Augmentation.Settings.off()))
                .withPrompts(c.prompt(), PromptSampler.Regions.parse(c.promptRegions()));
        return new Setup(c, built, train, val, pipeline);
    }

    /**
     * A starting checkpoint must fit the architecture everywhere but the decoder's task heads (which the two-output
     * target re-initialises, as {@code train} does): a mismatched encoder or prompt encoder is refused.
     */
    private static void requireFit(SamModels.Built built, PromptConfig c) {
        if (built.report() == null) {
            return;
        }
        List<String> bad = new ArrayList<>();
        built.report().missing().stream().filter(k -> !TuningPlan.isTaskHead(k)
                && !k.endsWith("num_batches_tracked")).forEach(k -> bad.add(k + " missing"));
        built.report().mismatched().stream().filter(m -> !TuningPlan.isTaskHead(m.key()))
                .forEach(m -> bad.add(m.toString()));
        if (!bad.isEmpty()) {
            throw new SamtuneException(built.report().source() + ": does not fit --arch " + c.arch() + ": "
                    + bad.size() + " tensors differ (" + String.join("; ", bad.subList(0, Math.min(3, bad.size())))
                    + (bad.size() > 3 ? "; ..." : "") + ")");
        }
    }

    // ---- runs -----------------------------------------------------------------------------------------------

    /** Starts a new run in {@code runDir}; a start that fails before its first checkpoint leaves nothing behind. */
    public static Outcome start(PromptConfig config, Path runDir, Options options, PrintStream out) {
        try (NDManager manager = Compute.newManager()) {
            Setup setup = setUp(manager, config);
            RunFolder run = RunFolder.create(runDir, config);
            boolean ok = false;
            try {
                provenance(run, config, false);
                Outcome o = execute(run, setup, null, options, out);
                ok = true;
                return o;
            } finally {
                run.endStart(ok);
            }
        }
    }

    /** Continues the run in {@code runDir} from its last resume checkpoint. */
    public static Outcome resume(Path runDir, Options options, PrintStream out) {
        RunCheckpoints.Resumed resumed = RunCheckpoints.of(runDir).readResume();
        PromptConfig config = PromptConfig.read(runDir.resolve(RunFolder.CONFIG));
        try (NDManager manager = Compute.newManager()) {
            Setup setup = setUp(manager, config);
            try (RunFolder run = RunFolder.resume(runDir, resumed.state().iteration(), PromptConfig::read)) {
                provenance(run, config, true);
                out.println("samtune pretrain prompts: resumed at iteration " + resumed.state().iteration()
                        + " (epoch " + (resumed.state().epoch() + 1) + ") from " + resumed.file());
                return execute(run, setup, resumed, options, out);
            }
        }
    }

    private static Outcome execute(RunFolder run, Setup setup, RunCheckpoints.Resumed resumed, Options options,
                                   PrintStream out) {
        PromptConfig c = setup.config();
        Sam sam = setup.sam();
        run.log("compute: " + Compute.describe() + "; input " + sam.config.imgSize() + "x" + sam.config.imgSize());
        if (setup.built().report() != null) {
            run.log(setup.built().report().describe(20));
        }
        if (c.checkpoint().isEmpty() && !c.plan().updatesEncoder()) {
            String w = "warning: no --checkpoint and --tune decoder: the decoder trains on a frozen, randomly "
                    + "initialised image encoder";
            run.log(w);
            out.println(w);
        }
        double[] weights = c.datasets().stream().mapToDouble(PromptConfig.Dataset::weight).toArray();
        DatasetMix mix = new DatasetMix(setup.train(), weights, setup.pipeline());
        boolean validates = setup.val().stream().anyMatch(v -> v != null);
        Trainer.Settings settings = new Trainer.Settings(c.epochs(), c.batchSize(), c.lr(), c.warmup(),
                c.warmupIters(), c.valEvery(), c.patience(), c.seed(), true, options.maxIterations(),
                options.checkpointEvery());
        RunCheckpoints checkpoints = RunCheckpoints.of(run.dir());
        RunCheckpoints.Content content = new RunCheckpoints.Content(sam,
                new LinkedHashSet<>(sam.stateArrays().keySet()), metadata(c, setup.built()));
        try (Trainer trainer = new Trainer(sam, c.plan(), settings, mix,
                validates ? perDataset(setup) : null, setup.pipeline());
             AdamW optimizer = new AdamW(sam.namedParameters(), c.lr(), AdamW.BETA1, AdamW.BETA2, AdamW.EPS,
                     c.weightDecay())) {
            TrainState start = TrainState.start();
            if (resumed != null) {
                RunCheckpoints.restore(resumed, sam, optimizer);
                start = resumed.state();
            }
            announce(run, setup, trainer, out);
            ProgressLine progress = ProgressLine.forStdout(trainer.totalIterations(), c.epochs(), start.iteration());
            Trainer.Result result = trainer.run(optimizer, start, new RunListener(run, progress, checkpoints, content,
                    trainer.iterationsPerEpoch(), trainer.totalIterations()));
            TrainState end = result.state();
            if (!result.diverged()) {
                checkpoints.writeLastAndResume(content, optimizer, end);
                if (!Files.exists(checkpoints.best())) {
                    checkpoints.writeBest(content, end);
                }
            }
            run.writeCurve();
            String reason = result.diverged()
                    ? result.stopReason() + "; the last good checkpoint is " + checkpoints.last()
                    : result.stopReason();
            run.log("stopped: " + reason);
            boolean validated = end.bestEpoch() >= 0;
            Outcome o = new Outcome(run.dir(), reason, result.diverged(), end.iteration(),
                    validated ? end.bestEpoch() + 1 : 0, validated ? end.bestDice() : Double.NaN,
                    Files.exists(checkpoints.best()) ? checkpoints.best() : checkpoints.last());
            run.log(o.bestEpoch() > 0 ? String.format(Locale.ROOT, "best validation Dice (mean over datasets) %.4f "
                    + "at epoch %d; checkpoint %s", o.bestDice(), o.bestEpoch(), o.checkpoint())
                    : "no validation; checkpoint " + o.checkpoint());
            return o;
        }
    }

    /**
     * Validation per dataset: each dataset's validation structures through {@link Trainer#validate} (binary Dice of
     * the structure, prompts drawn the same way every time); column {@code d + 1} holds dataset {@code d}'s Dice
     * (NaN without a validation list), the score is their mean, the loss the mean over all validation targets.
     */
    private static Trainer.Validation perDataset(Setup setup) {
        int n = setup.val().size();
        return (trainer, epoch, iteration, best) -> {
            double[] dice = new double[n + 1];
            dice[0] = Double.NaN;
            double lossSum = 0;
            long count = 0;
            double scoreSum = 0;
            int scored = 0;
            for (int d = 0; d < n; d++) {
                StructureTargets v = setup.val().get(d);
                if (v == null) {
                    dice[d + 1] = Double.NaN;
                    continue;
                }
                Trainer.ValidationStats s = trainer.validate(epoch, iteration, best, v.size(),
                        t -> v.sample(setup.pipeline(), t, false, null));
                dice[d + 1] = s.classDice()[1];
                lossSum += s.loss() * v.size();
                count += v.size();
                if (!Double.isNaN(dice[d + 1])) {
                    scoreSum += dice[d + 1];
                    scored++;
                }
            }
            double score = scored == 0 ? 0 : scoreSum / scored;
            return new Trainer.ValidationStats(epoch, iteration, lossSum / Math.max(1, count), dice, score,
                    score > best);
        };
    }

    private static void announce(RunFolder run, Setup setup, Trainer trainer, PrintStream out) {
        PromptConfig c = setup.config();
        Sam sam = setup.sam();
        List<String> parts = new ArrayList<>();
        for (int d = 0; d < setup.train().size(); d++) {
            StructureTargets t = setup.train().get(d);
            StructureTargets v = setup.val().get(d);
            PromptConfig.Dataset ds = c.datasets().get(d);
            parts.add(String.format(Locale.ROOT, "%s: %d structures in %d slices (%s), %s validation structures, "
                    + "weight %s", t.name(), t.size(), t.slices(),
                    String.join(", ", ds.classNames().subList(1, ds.classNames().size())),
                    v == null ? "no" : Integer.toString(v.size()), ds.weight() == 0 ? "by size" : ds.weight()));
        }
        run.log("plan: prompts (" + c.prompt().id() + ", " + c.promptRegions() + ") on " + c.arch() + " "
                + c.plan().describe() + (c.tunePromptEncoder() ? "" : ", prompt encoder frozen")
                + "; trainable parameters " + sam.trainableParameterCount() + " of " + sam.parameterCount() + "; "
                + trainer.totalIterations() + " iterations; " + String.join("; ", parts));
        out.println("samtune pretrain prompts: " + c.arch() + " " + c.plan().describe()
                + (c.tunePromptEncoder() ? "" : " (prompt encoder frozen)") + ", "
                + String.format("%,d", sam.trainableParameterCount()) + " of "
                + String.format("%,d", sam.parameterCount()) + " parameters train; " + String.join("; ", parts));
    }

    /** Where the loop's events go: metrics.csv, train.log, the console, and the checkpoints. */
    // ---- files ----------------------------------------------------------------------------------------------

    private static Map<String, String> metadata(PromptConfig c, SamModels.Built built) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("arch", built.arch());
        m.put("pretraining", "prompts");
        m.put("datasets", String.join(",", c.datasetNames()));
        m.put("plan", c.plan().describe());
        // train --setup 2 fine-tunes with the normalisation the structures were learnt with
        m.put("normalize", c.normalize().id());
        m.put("base_checkpoint", built.checkpoint() == null ? "" : built.checkpoint().getFileName().toString());
        m.put("base_sha256", built.checkpointSha256() == null ? "" : built.checkpointSha256());
        m.put("config_yaml", c.toYaml());
        return m;
    }

    /** provenance.yaml: the base checkpoint, and every list (with the files it names) and dataset.yaml. */
    private static void provenance(RunFolder run, PromptConfig c, boolean resumed) {
        List<Provenance.Input> in = new ArrayList<>();
        if (!c.checkpoint().isEmpty()) {
            in.add(Provenance.Input.file("base_checkpoint", Path.of(c.checkpoint())));
        }
        for (PromptConfig.Dataset d : c.datasets()) {
            in.add(list("train_list " + d.name(), Path.of(d.trainList())));
            if (!d.valList().isEmpty()) {
                in.add(list("val_list " + d.name(), Path.of(d.valList())));
            }
            in.add(Provenance.Input.file("dataset " + d.name(),
                    Path.of(d.trainList()).toAbsolutePath().resolveSibling(DatasetClasses.FILE)));
        }
        Provenance.capture(in).write(run.dir(), resumed);
    }

    private static Provenance.Input list(String role, Path csv) {
        Path home = csv.toAbsolutePath().normalize().getParent();
        Map<String, Path> named = new LinkedHashMap<>();
        for (SliceRef r : SegmentationCsv.read(csv, home, home)) {
            for (Path f : List.of(r.image(), r.mask())) {
                Path abs = f.toAbsolutePath().normalize();
                named.put(abs.startsWith(home) ? home.relativize(abs).toString() : abs.toString(), abs);
            }
        }
        return Provenance.Input.list(role, csv, named);
    }
}
