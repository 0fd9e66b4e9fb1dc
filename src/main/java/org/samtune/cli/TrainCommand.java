package org.samtune.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;
import org.samtune.peft.TuningPlan;
import org.samtune.train.FineTuning;
import org.samtune.train.TrainConfig;
import picocli.CommandLine.Command;
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

    @Option(names = "--resume", paramLabel = "RUN", description = "continue the run in this folder from its last checkpoint")
    Path resume;

    @Option(names = "--config", paramLabel = "YAML", description = "start from these settings (a run's config.yaml); flags override")
    Path config;

    @Option(names = "--arch", description = "vit_b, vit_l, vit_h, vit_t (MobileSAM), compact, or the baselines unet-resnet34, unet-plain (default: the checkpoint's, else vit_b)")
    String arch;

    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "initial weights: sam_vit_b_01ec64.pth, mobile_sam.pt, medsam_vit_b.pth, ...; for unet-resnet34 a torchvision resnet34-*.pth (not downloadable here: supply your own) (none: random initialisation)")
    Path checkpoint;

    @Option(names = "--tune", description = "decoder or encoder+decoder (default decoder)")
    String tune;

    @Option(names = "--method", description = "vanilla, adapter or lora (default vanilla)")
    String method;

    @Option(names = "--encoder-blocks", paramLabel = "LIST", description = "ViT blocks / TinyViT stages with adapters or LoRA: e.g. 0,1,10,11 (default) or all")
    String encoderBlocks;

    @Option(names = "--num-classes", description = "output classes including background (default 2)")
    Integer numClasses;

    @Option(names = "--targets", description = "combine_all (binary union) or multi_all (mask value = class)")
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

    @Option(names = "--compat", description = "samtune (default: official SAM block order, trainable task heads) or finetune-sam (reproduce the reference exactly)")
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

    @Option(names = "--checkpoint-every", description = "write the resume checkpoint every N iterations (default 50; also every epoch)")
    int checkpointEvery = 50;

    @Option(names = "--max-iterations", description = "stop after this many iterations (for smoke tests)")
    long maxIterations;

    @Option(names = "--no-embedding-cache", description = "recompute a frozen encoder's embeddings every epoch")
    boolean noCache;

    @Option(names = "--export-full", description = "also write checkpoints/full.safetensors: the whole state dict (finetune-SAM names)")
    boolean exportFull;

    @Override
    public Integer call() {
        FineTuning.Options options = new FineTuning.Options(checkpointEvery, !noCache, maxIterations, exportFull);
        FineTuning.Outcome outcome;
        if (resume != null) {
            outcome = FineTuning.resume(resume, options, System.out);
        } else {
            TrainConfig c = resolve();
            outcome = FineTuning.start(c, Path.of(c.outputDir()), options, System.out);
        }
        System.out.println("run folder: " + outcome.runDir());
        System.out.println("stopped: " + outcome.stopReason());
        return outcome.diverged() ? 3 : 0;
    }

    /** The run's settings: defaults (or --config), then every flag given. */
    TrainConfig resolve() {
        TrainConfig.Builder b = config != null ? TrainConfig.read(config).toBuilder() : TrainConfig.builder();
        if (trainList == null && config == null) {
            throw new SamtuneException("--train-list is required (a CSV of image,mask paths), or --resume RUN");
        }
        if (arch != null && org.samtune.model.unet.UNets.isUNet(arch)) {
            // baselines: the U-Net recipes' defaults, before the flags that override them
            int size = org.samtune.model.unet.UNets.DEFAULT_INPUT_SIZE;
            b.tune(TrainConfig.Tune.ENCODER_DECODER).imageSize(size).outSize(size);
            if (org.samtune.model.unet.UNets.PLAIN.equals(arch)) {
                b.lr(org.samtune.train.SgdNesterov.LR).weightDecay(org.samtune.train.SgdNesterov.WEIGHT_DECAY)
                        .warmup(false);
            }
        }
        if (arch != null) b.arch(arch);
        if (arch == null && checkpoint != null && (config == null
                || !org.samtune.model.unet.UNets.isUNet(TrainConfig.read(config).arch()))) b.arch(org.samtune.model.SamModels.detectArch(
                org.samtune.checkpoint.Checkpoints.load(checkpoint)));
        if (checkpoint != null) b.checkpoint(checkpoint.toString());
        if (tune != null) b.tune(TrainConfig.Tune.parse(tune));
        if (method != null) b.method(TrainConfig.Method.parse(method));
        if (encoderBlocks != null) {
            var blocks = TuningPlan.parseBlocks(encoderBlocks);
            b.encoderBlocks(blocks == null ? java.util.List.of() : blocks);
        }
        if (numClasses != null) b.numClasses(numClasses);
        if (targets != null) b.targets(TargetMode.parse(targets));
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
        if (compat != null) b.compat(TrainConfig.Compat.parse(compat.equals("samtune") ? "official" : compat));
        if (trainList != null) {
            b.trainList(trainList.toString());
            Path images = imageFolder != null ? imageFolder : trainList.toAbsolutePath().getParent();
            b.imageFolder(images.toString());
            b.maskFolder((maskFolder != null ? maskFolder : images).toString());
        }
        if (valList != null) b.valList(valList.toString());
        TrainConfig draft = b.build();
        int[] sizes = inputSizes(draft.arch());
        if (config != null && org.samtune.model.unet.UNets.isUNet(draft.arch())) {
            sizes = new int[] {draft.imageSize(), draft.imageSize()}; // baselines: a U-Net takes the config's size
        }
        b.imageSize(sizes[0]).outSize(sizes[1]);
        Path run = out != null ? out : Path.of("runs", java.time.LocalDateTime.now().format(
                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd_HHmm")) + "_" + draft.arch() + "-"
                + draft.method().id() + "-" + (draft.tune() == TrainConfig.Tune.DECODER ? "dec" : "encdec"));
        b.outputDir(run.toString());
        return b.build();
    }

    /** Model input and decoder output sizes of an architecture. */
    static int[] inputSizes(String arch) {
        if (org.samtune.model.unet.UNets.isUNet(arch)) {
            return new int[] {org.samtune.model.unet.UNets.DEFAULT_INPUT_SIZE, org.samtune.model.unet.UNets.DEFAULT_INPUT_SIZE};
        }
        return "compact".equals(arch) ? new int[] {256, 64} : new int[] {1024, 256};
    }
}
