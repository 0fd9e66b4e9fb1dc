package org.samtune.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.io.VolumeFiles;
import org.samtune.model.Architecture;
import org.samtune.model.Architectures;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;
import org.samtune.pretrain.MaeConfig;
import org.samtune.pretrain.MaePretraining;
import org.samtune.pretrain.PromptConfig;
import org.samtune.pretrain.PromptPretraining;
import org.samtune.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code samtune pretrain}: the first stage of the study's Setups 2 and 3, before {@code train}. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain SAM before fine-tuning (the study's Setups 2 and 3).",
                "  mae      self-supervised masked image modelling of the image encoder on unlabelled images",
                "  prompts  prompt-based training on several labelled datasets, one target per structure (MedSAM-style)"},
        subcommands = {PretrainCommand.Mae.class, PretrainCommand.Prompts.class})
public final class PretrainCommand implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code samtune pretrain mae}. */
    @Command(name = "mae", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Masked image modelling (MAE's loss, SimMIM-style mask token) on SAM's own image encoder.",
                    "Unlabelled images: NIfTI volumes, DICOM series folders, PNG/JPEG folders or images, CSV lists.",
                    "Output: RUN/checkpoints/last.safetensors, a whole SAM (pretrained encoder + the starting",
                    "prompt encoder and mask decoder) for: samtune train --checkpoint RUN/checkpoints/last.safetensors",
                    "Resume a stopped or killed run with: samtune pretrain mae --resume RUN. See docs/setups.md."})
    public static final class Mae implements Callable<Integer> {
        @Option(names = "--images", paramLabel = "PATH", description = "unlabelled images: volume (.nii/.nii.gz/.dcm), DICOM series folder, image folder, image, or CSV list (repeatable)")
        List<Path> images = new ArrayList<>();

        @Option(names = "--arch", description = "vit_b, vit_l, vit_h, vit_t or compact (default: the checkpoint's, else vit_b)")
        String arch;

        @Option(names = "--checkpoint", paramLabel = "CKPT", description = "starting weights, a SAM-layout checkpoint (default: random initialisation)")
        Path checkpoint;

        @Option(names = "--encoder-from", paramLabel = "CKPT", description = "take the image encoder from this checkpoint (whole SAM, image_encoder.* only, or bare encoder keys)")
        Path encoderFrom;

        @Option(names = "--axis", paramLabel = "AXES", split = ",", description = "axes volumes are sliced along: axial, coronal, sagittal; comma-separated (default axial)")
        List<String> axes;

        @Option(names = "--window", paramLabel = "PRESET|L,W", description = "CT window for volumes as prepare's (default: percentiles 0.5-99.5 per volume)")
        String window;

        @Option(names = "--min-foreground", paramLabel = "F", description = "skip slices/images with fewer than this fraction of pixels above their minimum (default 0.01)")
        Double minForeground;

        @Option(names = "--normalize", description = "sam (ImageNet mean/std, default) or medsam ([0, 1]); use what fine-tuning will use")
        String normalize;

        @Option(names = "--mask-ratio", description = "fraction of 16-pixel patches hidden (default 0.75)")
        Double maskRatio;

        @Option(names = "--norm-pix-loss", negatable = true, description = "per-patch normalised pixel targets (default on)")
        Boolean normPixLoss;

        @Option(names = "--decoder-dim", description = "width of the MAE decoder (default 512)")
        Integer decoderDim;

        @Option(names = "--decoder-depth", description = "transformer blocks of the MAE decoder (default 2)")
        Integer decoderDepth;

        @Option(names = "--decoder-heads", description = "attention heads of the MAE decoder (default 16)")
        Integer decoderHeads;

        @Option(names = "--epochs", description = "epochs (default 400)")
        Integer epochs;

        @Option(names = "--warmup-epochs", description = "linear warm-up epochs before the cosine decay (default 40)")
        Integer warmupEpochs;

        @Option(names = {"-b", "--batch"}, description = "batch size (default 4)")
        Integer batch;

        @Option(names = "--lr", description = "absolute learning rate (default: --blr x batch / 256)")
        Double lr;

        @Option(names = "--blr", description = "MAE's base learning rate per 256 images (default 1.5e-4)")
        Double blr;

        @Option(names = "--min-lr", description = "end of the cosine decay (default 0)")
        Double minLr;

        @Option(names = "--weight-decay", description = "AdamW weight decay, not on biases and 1-D tensors (default 0.05)")
        Double weightDecay;

        @Option(names = "--augment", negatable = true, description = "MAE's random resized crop (0.2-1) and horizontal flip (default on)")
        Boolean augment;

        @Option(names = "--seed", description = "seed of initialisation, order, augmentation and masks (default 0)")
        Long seed;

        @Option(names = {"-o", "--out"}, paramLabel = "RUN", description = "run folder to create (default runs/<date>_mae-<arch>)")
        Path out;

        @CommandLine.Mixin
        RunLoopOptions loop = new RunLoopOptions();

        @CommandLine.Mixin
        ComputeOptions compute = new ComputeOptions();

        @Override
        public Integer call() {
            compute.apply();
            MaePretraining.Options options = new MaePretraining.Options(loop.checkpointEvery, loop.maxIterations);
            MaePretraining.Outcome o = loop.resume != null
                    ? MaePretraining.resume(loop.resume, options, System.out)
                    : MaePretraining.start(resolve(), out(), options, VolumeFiles::read, System.out);
            System.out.println("run folder: " + o.runDir());
            System.out.println("pretrained SAM: " + o.checkpoint());
            System.out.println("stopped: " + o.stopReason());
            return o.diverged() ? 3 : 0;
        }

        private Path out() {
            return out != null ? out : RunDefaults.runFolder("mae-" + resolvedArch());
        }

        private String resolvedArch() {
            return RunDefaults.arch(arch, checkpoint != null ? checkpoint : encoderFrom);
        }

        MaeConfig resolve() {
            if (images.isEmpty()) {
                throw new SamtuneException("pretrain mae: --images is required (volumes, DICOM folders, image folders"
                        + " or CSV lists), or --resume RUN");
            }
            String a = resolvedArch();
            MaeConfig d = MaeConfig.defaults(a, checkpoint == null ? "" : checkpoint.toString(),
                    images.stream().map(Path::toString).toList(), out().toString());
            int b = batch != null ? batch : d.batchSize();
            double rate = lr != null ? lr : (blr != null ? blr : MaeConfig.MAE_BLR) * b / 256;
            return new MaeConfig(a, d.checkpoint(), encoderFrom == null ? "" : encoderFrom.toString(), d.inputs(),
                    axes != null ? axes : d.axes(), window != null ? window : d.window(),
                    minForeground != null ? minForeground : d.minForeground(),
                    normalize != null ? normalize : d.normalize(), maskRatio != null ? maskRatio : d.maskRatio(),
                    normPixLoss != null ? normPixLoss : d.normPixLoss(),
                    decoderDim != null ? decoderDim : d.decoderDim(),
                    decoderDepth != null ? decoderDepth : d.decoderDepth(),
                    decoderHeads != null ? decoderHeads : d.decoderHeads(), epochs != null ? epochs : d.epochs(),
                    b, rate, minLr != null ? minLr : d.minLr(),
                    warmupEpochs != null ? warmupEpochs : Math.min(d.warmupEpochs(),
                            (epochs != null ? epochs : d.epochs()) / 10),
                    weightDecay != null ? weightDecay : d.weightDecay(), d.beta1(), d.beta2(),
                    augment != null ? augment : d.augment(), seed != null ? seed : d.seed(), d.outputDir());
        }
    }

    /** {@code samtune pretrain prompts}. */
    @Command(name = "prompts", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prompt-based training on several labelled datasets at once (Setup 2's first stage, MedSAM-style):",
                    "every labelled structure of a slice is its own binary target with a box or point prompt drawn",
                    "from it. Each --train-list needs the dataset.yaml beside it (prepare writes it). Validation per",
                    "dataset (Dice per dataset in metrics.csv and train.log). Default: image encoder and mask decoder",
                    "train, prompt encoder frozen, MedSAM's AdamW lr 1e-4, weight decay 0.01, [0, 1] normalisation.",
                    "Output: RUN/checkpoints/best.safetensors, a whole SAM for:",
                    "  samtune train --setup 2 --checkpoint RUN/checkpoints/best.safetensors ...",
                    "Resume a stopped or killed run with: samtune pretrain prompts --resume RUN. See docs/setups.md."})
    public static final class Prompts implements Callable<Integer> {
        @Option(names = "--train-list", paramLabel = "CSV", description = "a labelled dataset's training list, with dataset.yaml beside it (repeatable: one per dataset)")
        List<Path> trainLists = new ArrayList<>();

        @Option(names = "--val-list", paramLabel = "CSV", description = "its validation list (repeatable: none, or one per --train-list in the same order)")
        List<Path> valLists = new ArrayList<>();

        @Option(names = "--weights", paramLabel = "W,W,...", split = ",", description = "sampling weight per --train-list, e.g. 1,2 (default: in proportion to each dataset's number of structures)")
        List<Double> weights = new ArrayList<>();

        @Option(names = "--arch", description = "vit_b, vit_l, vit_h, vit_t or compact (default: the checkpoint's, else vit_b)")
        String arch;

        @Option(names = "--checkpoint", paramLabel = "CKPT", description = "starting weights, a SAM-layout checkpoint (default: random initialisation)")
        Path checkpoint;

        @Option(names = "--tune", description = "decoder or encoder+decoder (default encoder+decoder, as MedSAM)")
        String tune;

        @Option(names = "--method", description = "vanilla, adapter or lora (default vanilla)")
        String method;

        @Option(names = "--encoder-blocks", paramLabel = "LIST", description = "blocks with adapters or LoRA: a list such as 0,1,10,11, or all (default all)")
        String encoderBlocks;

        @Option(names = "--tune-prompt-encoder", description = "train the prompt encoder too (MedSAM freezes it)")
        boolean tunePromptEncoder;

        @Option(names = "--prompt", description = "box (default, MedSAM) or point")
        String prompt;

        @Option(names = "--prompt-regions", paramLabel = "R", description = "components of a structure that get prompts: largest_K (default largest_3) or random")
        String promptRegions;

        @Option(names = "--normalize", description = "medsam ([0, 1], default) or sam (ImageNet mean/std); use what fine-tuning will use")
        String normalize;

        @Option(names = "--resize", description = "square (default) or longest")
        String resize;

        @Option(names = "--augment", negatable = true, description = "train's augmentation (default on)")
        Boolean augment;

        @Option(names = "--lr", description = "learning rate (default 1e-4, MedSAM)")
        Double lr;

        @Option(names = "--warmup", negatable = true, description = "linear warm-up then poly decay (default off: MedSAM's constant rate)")
        Boolean warmup;

        @Option(names = "--warmup-iters", description = "warm-up iterations (default 200)")
        Integer warmupIters;

        @Option(names = "--weight-decay", description = "AdamW weight decay (default 0.01, MedSAM)")
        Double weightDecay;

        @Option(names = {"-b", "--batch"}, description = "batch size (default 2, MedSAM)")
        Integer batch;

        @Option(names = "--epochs", description = "maximum epochs (default 100)")
        Integer epochs;

        @Option(names = "--val-every", description = "validate every N epochs (default 2)")
        Integer valEvery;

        @Option(names = "--patience", description = "stop after N epochs without improvement of the mean Dice over datasets (default 20)")
        Integer patience;

        @Option(names = "--seed", description = "seed of initialisation, order, augmentation and prompts (default 0)")
        Long seed;

        @Option(names = {"-o", "--out"}, paramLabel = "RUN", description = "run folder to create (default runs/<date>_prompts-<arch>)")
        Path out;

        @CommandLine.Mixin
        RunLoopOptions loop = new RunLoopOptions();

        @CommandLine.Mixin
        ComputeOptions compute = new ComputeOptions();

        @Override
        public Integer call() {
            compute.apply();
            PromptPretraining.Options options =
                    new PromptPretraining.Options(loop.checkpointEvery, loop.maxIterations);
            PromptPretraining.Outcome o = loop.resume != null
                    ? PromptPretraining.resume(loop.resume, options, System.out)
                    : PromptPretraining.start(resolve(), out(), options, System.out);
            System.out.println("run folder: " + o.runDir());
            System.out.println("pretrained SAM: " + o.checkpoint());
            System.out.println("stopped: " + o.stopReason());
            return o.diverged() ? 3 : 0;
        }

        private Path out() {
            return out != null ? out : RunDefaults.runFolder("prompts-" + resolvedArch());
        }

        private String resolvedArch() {
            return RunDefaults.arch(arch, checkpoint);
        }

        PromptConfig resolve() {
            List<PromptConfig.Dataset> datasets =
                    PromptPretraining.datasets(trainLists, valLists, weights);
            String a = resolvedArch();
            PromptConfig d = PromptConfig.defaults(a,
                    checkpoint == null ? "" : checkpoint.toString(), datasets, out().toString());
            TuningPlan p = d.plan();
            EncoderBlocks blocks = p.encoderBlocks();
            if (encoderBlocks != null) {
                blocks = EncoderBlocks.parse(encoderBlocks, "--encoder-blocks");
                if (Architectures.contains(a)) {
                    Architecture architecture = Architectures.get(a, "--arch");
                    blocks.check(architecture.encoderUnits(), "--encoder-blocks", a + " has "
                            + architecture.encoderUnits() + " encoder " + architecture.encoderUnitName() + ", so it");
                }
            }
            TuningPlan plan = new TuningPlan(
                    tune != null ? TuningPlan.Tune.parse(tune, "--tune") : p.tune(),
                    method != null ? TuningPlan.Method.parse(method, "--method") : p.method(),
                    blocks, p.decoderAdapterDepth(), p.compat(), p.loraRank());
            return new PromptConfig(a, d.checkpoint(), datasets, plan, tunePromptEncoder,
                    prompt != null ? TrainConfig.PromptMode.parse(prompt) : d.prompt(),
                    promptRegions != null ? promptRegions : d.promptRegions(),
                    normalize != null ? TrainConfig.Normalize.parse(normalize) : d.normalize(),
                    resize != null ? TrainConfig.Resize.parse(resize) : d.resize(),
                    augment != null ? augment : d.augment(), lr != null ? lr : d.lr(),
                    warmup != null ? warmup : d.warmup(), warmupIters != null ? warmupIters : d.warmupIters(),
                    weightDecay != null ? weightDecay : d.weightDecay(), batch != null ? batch : d.batchSize(),
                    epochs != null ? epochs : d.epochs(), valEvery != null ? valEvery : d.valEvery(),
                    patience != null ? patience : d.patience(), seed != null ? seed : d.seed(), d.outputDir());
        }
    }
}
