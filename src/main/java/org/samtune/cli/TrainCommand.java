package org.samtune.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;
import org.samtune.model.Architecture;
import org.samtune.model.Architectures;
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;
import org.samtune.train.DatasetClasses;
import org.samtune.train.FineTuning;
import org.samtune.train.Setups;
import org.samtune.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code samtune train}: fine-tune SAM with one of the study's strategies, or continue a run after a crash.
 * Defaults are finetune-SAM's; every resolved setting goes to the run folder's config.yaml.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune SAM / MobileSAM / MedSAM on a labelled 2-D dataset (finetune-SAM CSV lists).",
                "Strategies: --tune decoder|encoder+decoder × --method vanilla|adapter|lora × --arch.",
                "Non-SAM baselines on the same lists, loss and metrics: --arch unet-resnet34 (finetune-SAM's ResNet-34",
                "U-Net; --checkpoint resnet34-*.pth loads an ImageNet encoder you supply, none can be downloaded here)",
                "or --arch unet-plain (nnU-Net's 2-D PlainConvUNet with its recipe: SGD Nesterov, lr 0.01 poly per",
                "epoch, weight decay 3e-5, deep supervision). See docs/baselines.md.",
                "Resume a stopped or killed run with: samtune train --resume RUN"})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "YAML", description = "start from these settings (a run's config.yaml); flags override")
    Path config;

    @Option(names = "--arch", description = "vit_b, vit_l, vit_h, vit_t (MobileSAM), compact, or the baselines unet-resnet34, unet-plain (default: the checkpoint's, else vit_b)")
    String arch;

    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "initial weights: sam_vit_b_01ec64.pth, mobile_sam.pt, medsam_vit_b.pth, ...; for unet-resnet34 a torchvision resnet34-*.pth (not downloadable here: supply your own) (none: random initialisation)")
    Path checkpoint;

    @Option(names = "--encoder-from", paramLabel = "CKPT", description = "take the image encoder from this checkpoint: a whole SAM, image_encoder.* keys only, or bare encoder keys (e.g. SSLSAM)")
    Path encoderFrom;

    @Option(names = "--setup", description = "the study's start: 1 (as given), 2 (prompt-trained: medsam_vit_b.pth or a pretrain prompts checkpoint; medsam normalisation), 3 (MAE-pretrained encoder: adapters in encoder and decoder); see docs/setups.md")
    Integer setup;

    @Option(names = "--shots", paramLabel = "K", description = "train on K labelled slices drawn from the training list, spread over its cases (seeded by --seed; listed in RUN/train_Kshot.csv)")
    Integer shots;

    @Option(names = "--tune", description = "decoder or encoder+decoder (default decoder)")
    String tune;

    @Option(names = "--method", description = "vanilla, adapter or lora (default vanilla)")
    String method;

    @Option(names = "--encoder-blocks", paramLabel = "LIST", description = "ViT blocks / TinyViT stages with adapters or LoRA: a list such as 0,1,10,11, or all (default: the architecture's: 0,1,10,11 for vit_b/l/h, 0,1 for vit_t, 0,1,4,5 for compact)")
    String encoderBlocks;

    @Option(names = "--num-classes", description = "output classes including background (default: the classes of the dataset.yaml beside the list, else 2)")
    Integer numClasses;

    @Option(names = "--targets", description = "combine_all (binary union) or multi_all (mask value = class) (default: multi_all when the data or --num-classes say more than 2 classes)")
    String targets;

    @Option(names = "--lr", description = "base learning rate (default 1e-3; unet-plain 0.01)")
    Double lr;

    @Option(names = "--warmup", negatable = true, description = "linear warm-up then poly decay (default on; unet-plain: off, nnU-Net's poly per epoch)")
    Boolean warmup;

    @Option(names = "--warmup-iters", description = "warm-up iterations (default 200)")
    Integer warmupIters;

    @Option(names = "--weight-decay", description = "weight decay (default 0.1, AdamW; unet-plain 3e-5, SGD)")
    Double weightDecay;

    @Option(names = {"-b", "--batch"}, description = "batch size (default 4)")
    Integer batch;

    @Option(names = "--epochs", description = "maximum epochs (default 200)")
    Integer epochs;

    @Option(names = "--val-every", description = "validate every N epochs (default 2)")
    Integer valEvery;

    @Option(names = "--patience", description = "stop after N epochs without improvement (default 20)")
    Integer patience;

    @Option(names = "--seed", description = "seed of initialisation, shuffling, augmentation (default 0)")
    Long seed;

    @Option(names = "--prompt", description = "none (automatic, default), box or point")
    String prompt;

    @Option(names = "--resize", description = "square (finetune-SAM, default) or longest (SAM: longest side + padding)")
    String resize;

    @Option(names = "--normalize", description = "sam (ImageNet mean/std, default) or medsam (min-max)")
    String normalize;

    @Option(names = "--augment", negatable = true, description = "the reference's augmentation (default on)")
    Boolean augment;

    @Option(names = "--keep-empty", description = "keep slices whose mask is empty (the reference drops them)")
    boolean keepEmpty;

    @Option(names = "--compat", description = "samtune (default: official SAM block order, trainable task heads; see README) or finetune-sam (reproduce the reference exactly)")
    String compat;

    @Option(names = "--image-folder", paramLabel = "DIR", description = "root of the image paths in the lists (default: the list's folder)")
    Path imageFolder;

    @Option(names = "--mask-folder", paramLabel = "DIR", description = "root of the mask paths in the lists (default: the image folder)")
    Path maskFolder;

    @Option(names = "--train-list", paramLabel = "CSV", description = "training list: image,mask per line")
    Path trainList;

    @Option(names = "--val-list", paramLabel = "CSV", description = "validation list")
    Path valList;

    @Option(names = {"-o", "--out"}, paramLabel = "RUN", description = "run folder to create (default runs/<date>_<arch>-<method>-<tune>)")
    Path out;

    @Option(names = "--no-embedding-cache", description = "recompute a frozen encoder's embeddings every epoch")
    boolean noCache;

    @Option(names = "--image-size", paramLabel = "S",
            description = "model input side, a multiple of 16 (vit_b/l/h, compact); a checkpoint made for another size is converted as finetune-SAM's load_from does (default 1024; compact 256)")
    Integer imageSize;

    @Mixin
    RunLoopOptions loop = new RunLoopOptions();

    @Mixin
    ComputeOptions compute = new ComputeOptions();

    @Option(names = "--embedding-cache", paramLabel = "DIR", description = "keep a frozen encoder's embeddings in this folder instead of RAM: shared by runs, seeds and processes, keyed by encoder weights, preprocessing and image, verified on read")
    Path embeddingCache;

    @Option(names = "--embedding-cache-size", paramLabel = "SIZE", defaultValue = "20G", description = "bound of the --embedding-cache folder (least recently used files go first): bytes or 500M, 20G, 1T (default ${DEFAULT-VALUE})")
    String embeddingCacheSize;

    @Option(names = "--export-full", description = "also write checkpoints/full.safetensors: the whole state dict (finetune-SAM names)")
    boolean exportFull;

    @Override
    public Integer call() {
        compute.apply();
        FineTuning.Options options = new FineTuning.Options(loop.checkpointEvery, !noCache, loop.maxIterations, exportFull,
                embeddingCache, parseBytes("--embedding-cache-size", embeddingCacheSize));
        FineTuning.Outcome outcome;
        if (loop.resume != null) {
            outcome = FineTuning.resume(loop.resume, options, System.out);
        } else {
            TrainConfig c = resolve();
            outcome = FineTuning.start(c, Path.of(c.outputDir()), options, System.out);
        }
        System.out.println("stopped: " + outcome.stopReason());
        System.out.println(FineTuning.summary(outcome));
        System.out.println("run folder: " + outcome.runDir());
        return outcome.diverged() ? 3 : 0;
    }

    /** The run's settings: defaults (or --config), then every flag given, then what the data declares. */
    TrainConfig resolve() {
        TrainConfig base = config != null ? TrainConfig.read(config) : null;
        TrainConfig.Builder b = base != null ? base.toBuilder() : TrainConfig.builder();
        if (trainList == null && config == null) {
            throw new SamtuneException("--train-list is required (a CSV of image,mask paths), or --resume RUN");
        }
        Architecture named = arch != null ? Architectures.get(arch, "--arch") : null;
        if (named != null && named.isDense()) {
            // baselines: the U-Net recipes' defaults, before the flags that override them
            b.unetRecipe(named.name());
        }
        if (named != null) b.arch(named.name());
        if (arch == null && checkpoint != null && (base == null || !base.architecture().isDense())) {
            b.arch(RunDefaults.detectedArch(checkpoint));
        }
        if (checkpoint != null) b.checkpoint(checkpoint.toString());
        if (encoderFrom != null) b.encoderFrom(encoderFrom.toString());
        if (shots != null) b.shots(shots);
        if (tune != null) b.tune(TuningPlan.Tune.parse(tune, "--tune"));
        if (method != null) b.method(TuningPlan.Method.parse(method, "--method"));
        Architecture architecture = Architectures.get(b.arch(), "--arch");
        if (encoderBlocks != null) {
            EncoderBlocks blocks = EncoderBlocks.parse(encoderBlocks, "--encoder-blocks");
            blocks.check(architecture.encoderUnits(), "--encoder-blocks", architecture.name() + " has "
                    + architecture.encoderUnits() + " encoder " + architecture.encoderUnitName() + ", so it");
            b.encoderBlocks(blocks);
        } else if (arch != null || (base == null && checkpoint != null)) {
            b.encoderBlocks(null); // the architecture's default
        }
        // classes: the data's declaration, the flags (and --config) must agree
        Path list = trainList != null ? trainList : Path.of(base.trainList());
        DatasetClasses declared = DatasetClasses.besideList(list);
        Integer classes = numClasses != null ? numClasses : base != null ? Integer.valueOf(base.numClasses()) : null;
        TargetMode mode = targets != null ? TargetMode.parse(targets) : base != null ? base.targetMode() : null;
        DatasetClasses.Resolved resolved = DatasetClasses.resolve(declared, classes, mode);
        b.numClasses(resolved.numClasses()).targets(resolved.targets()).classNames(resolved.names());
        if (lr != null) b.lr(lr);
        if (warmup != null) b.warmup(warmup);
        if (warmupIters != null) b.warmupIters(warmupIters);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (batch != null) b.batchSize(batch);
        if (epochs != null) b.epochs(epochs);
        if (valEvery != null) b.valEvery(valEvery);
        if (patience != null) b.patience(patience);
        if (seed != null) b.seed(seed);
        if (prompt != null) b.promptMode(TrainConfig.PromptMode.parse(prompt));
        if (resize != null) b.resize(TrainConfig.Resize.parse(resize));
        if (normalize != null) b.normalize(TrainConfig.Normalize.parse(normalize));
        if (augment != null) b.augment(augment);
        if (keepEmpty) b.dropEmpty(false);
        if (compat != null) b.compat(Compat.parse(compat, "--compat"));
        if (trainList != null) {
            b.trainList(trainList.toString());
            Path images = imageFolder != null ? imageFolder : trainList.toAbsolutePath().getParent();
            b.imageFolder(images.toString());
            b.maskFolder((maskFolder != null ? maskFolder : images).toString());
        }
        if (valList != null) b.valList(valList.toString());
        if (base == null || arch != null) {
            b.imageSize(0).outSize(0); // the architecture's
        }
        if (setup != null) {
            String ckpt = b.build().checkpoint();
            Setups.apply(setup, b, ckpt, normalize, tune != null, method != null);
            if (setup == 2) {
                Setups.requirePromptTrained(Path.of(ckpt));
            }
        }
        TrainConfig draft = b.build();
        if (imageSize != null) {
            // --image-size S: S and S / 4 instead of the architecture's input and decoder output sizes
            int[] sizes = sizedInput(draft.arch(), imageSize);
            b.imageSize(sizes[0]).outSize(sizes[1]);
        }
        Path run = out != null ? out : RunDefaults.runFolder(draft.arch() + "-" + draft.plan().method().id() + "-"
                + (draft.plan().updatesEncoder() ? "encdec" : "dec"));
        b.outputDir(run.toString());
        return b.build();
    }

    /** "123", "500M", "20G", "1.5T" (binary units) → bytes. */
    static long parseBytes(String flag, String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
        long unit = 1;
        if (!t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("KMGT".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (v > 0 && v * unit < Long.MAX_VALUE) {
                return (long) (v * unit);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SamtuneException(flag + ": expected a positive size such as 500M or 20G, got '" + text + "'");
    }

    /** Input and decoder output sizes at {@code --image-size S}: S and S / 4 (4 × the S / 16 token grid). */
    static int[] sizedInput(String arch, int size) {
        return Architectures.get(arch, "--arch").sized(size, "--image-size");
    }
}
