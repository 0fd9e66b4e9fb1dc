package org.samtune.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.nio.file.Path;
import java.util.List;
import org.samtune.Choice;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;
import org.samtune.model.Architecture;
import org.samtune.model.Architectures;
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;

/**
 * Every setting of a fine-tuning run, written to the run folder as {@code config.yaml} and read back to resume.
 * Defaults are finetune-SAM's (spec §3.1, §5.1); where its {@code cfg.py} default and its launch scripts disagree the
 * launch scripts win (warm-up on) and the field says so.
 *
 * @param arch an {@link Architectures} name: vit_b, vit_l, vit_h, vit_t (MobileSAM) or compact; or a non-SAM
 *     baseline ({@code Family.DENSE}): unet-resnet34, unet-plain (every weight trains; no prompts, adapters or LoRA)
 * @param checkpoint initial weights (.pth or .safetensors)
 * @param plan the fine-tuning strategy: tune (decoder or encoder+decoder), method (vanilla, adapter, lora), encoder
 *     blocks (all or a list; default the architecture's), decoder adapter depth, compat (samtune or finetune-sam) and
 *     LoRA rank
 * @param numClasses output channels including background (reference {@code -num_cls} 2)
 * @param classNames one name per output channel, background first (from the dataset's dataset.yaml, else class_K)
 * @param targets combine_all or multi_all
 * @param lr base learning rate (reference 1e-3)
 * @param warmup linear warm-up then poly decay (reference launchers pass {@code -if_warmup True}; cfg.py default off)
 * @param warmupIters warm-up iterations (200)
 * @param weightDecay AdamW weight decay on every parameter (0.1)
 * @param batchSize reference {@code -b} 4 (the paper used 2)
 * @param epochs maximum epochs (200)
 * @param valEvery validate every this many epochs, at epochs 0, n, 2n... (2)
 * @param patience stop when the best validation Dice is older than this many epochs (20)
 * @param seed seeds shuffling, augmentation and prompts (the reference does not seed)
 * @param promptMode none (automatic), box or point
 * @param promptRegions components that get prompts: largest_K or random (reference largest_3)
 * @param resize square (the reference: stretch to 1024², aspect ratio lost) or longest (official SAM: longest side
 *     1024, zero padding)
 * @param normalize sam (ImageNet mean/std) or medsam (per-image min-max to [0, 1])
 * @param augment the reference's training augmentation (§3.5)
 * @param dropEmpty drop slices whose mask is empty (the reference always does)
 * @param imageSize model input size (1024)
 * @param outSize ground-truth size for loss and metrics (256 = decoder output)
 * @param imageFolder root of the image paths in the lists
 * @param maskFolder root of the mask paths in the lists
 * @param trainList training list (CSV)
 * @param valList validation list (CSV)
 * @param outputDir the run folder
 * @param encoderFrom checkpoint whose image encoder replaces the base checkpoint's (e.g. self-supervised weights;
 *     "" for none)
 * @param shots train on this many labelled slices drawn from the training list ({@code data.FewShot}; 0 = all)
 */
@JsonPropertyOrder(alphabetic = false)
public record TrainConfig(
        String arch,
        String checkpoint,
        TuningPlan plan,
        int numClasses,
        List<String> classNames,
        @JsonProperty("targets") String targets,
        double lr,
        boolean warmup,
        int warmupIters,
        double weightDecay,
        int batchSize,
        int epochs,
        int valEvery,
        int patience,
        long seed,
        PromptMode promptMode,
        String promptRegions,
        Resize resize,
        Normalize normalize,
        boolean augment,
        boolean dropEmpty,
        int imageSize,
        int outSize,
        String imageFolder,
        String maskFolder,
        String trainList,
        String valList,
        String outputDir,
        String encoderFrom,
        int shots) {

    public enum PromptMode implements Choice {
        NONE("none"), BOX("box"), POINT("point");

        private final String id;

        PromptMode(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @JsonCreator
        public static PromptMode parse(String s) {
            return Choice.parse(PromptMode.class, s, "promptMode");
        }
    }

    public enum Resize implements Choice {
        SQUARE("square"), LONGEST("longest");

        private final String id;

        Resize(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @JsonCreator
        public static Resize parse(String s) {
            return Choice.parse(Resize.class, s, "resize");
        }
    }

    public enum Normalize implements Choice {
        SAM("sam"), MEDSAM("medsam");

        private final String id;

        Normalize(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @JsonCreator
        public static Normalize parse(String s) {
            return Choice.parse(Normalize.class, s, "normalize");
        }
    }

    public TrainConfig {
        if (plan == null || promptMode == null || resize == null || normalize == null || classNames == null) {
            throw new SamtuneException("config: plan, classNames, promptMode, resize and normalize must all be set");
        }
        classNames = List.copyOf(classNames);
        Architecture a = Architectures.get(arch, "config field arch");
        plan.encoderBlocks().check(a.encoderUnits(), "config field plan.encoderBlocks", arch + " has "
                + a.encoderUnits() + " encoder " + a.encoderUnitName() + ", so it");
        TargetMode mode = TargetMode.parse(targets);
        require(numClasses >= 2 && numClasses <= 255, "numClasses", "2..255 (background + structures)", numClasses);
        require(mode != TargetMode.COMBINE_ALL || numClasses == 2, "numClasses",
                "2 with targets combine_all (the union of all structures is one foreground class; use multi_all for "
                        + "one channel per structure)", numClasses);
        require(classNames.size() == numClasses, "classNames", "one name per class (" + numClasses + ")",
                classNames);
        require(lr > 0 && Double.isFinite(lr), "lr", "a positive number", lr);
        require(warmupIters >= 1, "warmupIters", "at least 1", warmupIters);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", ">= 0", weightDecay);
        require(batchSize >= 1, "batchSize", "at least 1", batchSize);
        require(epochs >= 1, "epochs", "at least 1", epochs);
        require(valEvery >= 1, "valEvery", "at least 1", valEvery);
        require(patience >= 0, "patience", ">= 0", patience);
        require(plan.decoderAdapterDepth() <= 2, "plan.decoderAdapterDepth", "0..2", plan.decoderAdapterDepth());
        require(imageSize >= 16, "imageSize", "at least 16", imageSize);
        require(outSize >= 1, "outSize", "at least 1", outSize);
        require(shots >= 0, "shots", ">= 0 (0: the whole training list)", shots);
        encoderFrom = encoderFrom == null ? "" : encoderFrom;
        org.samtune.data.prompt.PromptSampler.Regions.parse(promptRegions);
        if (a.isDense()) { // baselines: what a U-Net cannot do
            require(plan.method() == TuningPlan.Method.VANILLA, "method", "vanilla for " + arch
                    + " (adapters and LoRA are SAM methods)", plan.method().id());
            require(plan.tune() == TuningPlan.Tune.ENCODER_DECODER, "tune", "encoder+decoder for " + arch
                    + " (the whole U-Net trains)", plan.tune().id());
            require(promptMode == PromptMode.NONE, "promptMode", "none for " + arch + " (a U-Net takes no prompts)",
                    promptMode.id());
            require(outSize == imageSize, "outSize", "equal to imageSize " + imageSize + " for " + arch
                    + " (its logits have the input's size)", outSize);
            require(!warmup || !arch.equals(org.samtune.model.unet.UNets.PLAIN), "warmup", "false for unet-plain "
                    + "(nnU-Net's poly schedule per epoch has no warm-up)", warmup);
        }
    }

    /** background, class_1, class_2, ... for a dataset without names. */
    public static List<String> genericClassNames(int numClasses) {
        List<String> names = new java.util.ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            names.add(k == 0 ? "background" : "class_" + k);
        }
        return names;
    }

    /** The registered architecture of this run. */
    public Architecture architecture() {
        return Architectures.get(arch, "config field arch");
    }

    private static void require(boolean ok, String field, String expected, Object got) {
        if (!ok) {
            throw new SamtuneException("config field " + field + ": expected " + expected + ", got " + got);
        }
    }

    public TargetMode targetMode() {
        return TargetMode.parse(targets);
    }

    /** The learning-rate schedule of this run, given the number of batches per epoch. */
    public LrSchedule schedule(int batchesPerEpoch) {
        return warmup ? LrSchedule.warmupPoly(lr, warmupIters, (long) epochs * batchesPerEpoch) : LrSchedule.constant(lr);
    }

    /** finetune-SAM's defaults (paths empty). */
    public static TrainConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    /**
     * A builder holding these settings. Settings equal to what {@link Builder#build} derives (the architecture's
     * encoder blocks, input and output sizes; class_K names) stay unset, so they follow a new architecture or class
     * count set on the builder, as they do on a fresh one.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        Architecture a = architecture();
        b.arch = arch; b.checkpoint = checkpoint; b.tune = plan.tune(); b.method = plan.method();
        b.encoderBlocks = plan.encoderBlocks().equals(Builder.defaultBlocks(a)) ? null : plan.encoderBlocks();
        b.decoderAdapterDepth = plan.decoderAdapterDepth();
        b.compat = plan.compat(); b.loraRank = plan.loraRank(); b.numClasses = numClasses;
        b.classNames = classNames.equals(genericClassNames(numClasses)) ? null : classNames;
        b.targets = targets; b.lr = lr;
        b.warmup = warmup; b.warmupIters = warmupIters; b.weightDecay = weightDecay; b.batchSize = batchSize;
        b.epochs = epochs; b.valEvery = valEvery; b.patience = patience; b.seed = seed; b.promptMode = promptMode;
        b.promptRegions = promptRegions; b.resize = resize; b.normalize = normalize; b.augment = augment;
        b.dropEmpty = dropEmpty; b.imageSize = imageSize == a.inputSize() ? 0 : imageSize;
        b.outSize = outSize == a.lowResSize() ? 0 : outSize;
        b.imageFolder = imageFolder; b.maskFolder = maskFolder; b.trainList = trainList; b.valList = valList;
        b.outputDir = outputDir; b.encoderFrom = encoderFrom; b.shots = shots;
        return b;
    }

    /**
     * Mutable builder with finetune-SAM's defaults; {@link #build()} validates. Settings that depend on the
     * architecture (encoder blocks, input and output sizes) follow it unless set; class names default to
     * background, class_1, ...
     */
    public static final class Builder {
        private String arch = "vit_b";
        private String checkpoint = "";
        private TuningPlan.Tune tune = TuningPlan.Tune.DECODER;
        private TuningPlan.Method method = TuningPlan.Method.VANILLA;
        private EncoderBlocks encoderBlocks;
        private int decoderAdapterDepth = TuningPlan.DEFAULT_DECODER_ADAPTER_DEPTH;
        private Compat compat = Compat.SAMTUNE;
        private int loraRank = TuningPlan.DEFAULT_LORA_RANK;
        private int numClasses = 2;
        private List<String> classNames;
        private String targets = TargetMode.COMBINE_ALL.id();
        private double lr = 1e-3;
        private boolean warmup = true;
        private int warmupIters = 200;
        private double weightDecay = AdamW.WEIGHT_DECAY;
        private int batchSize = 4;
        private int epochs = 200;
        private int valEvery = 2;
        private int patience = 20;
        private long seed = 0;
        private PromptMode promptMode = PromptMode.NONE;
        private String promptRegions = "largest_3";
        private Resize resize = Resize.SQUARE;
        private Normalize normalize = Normalize.SAM;
        private boolean augment = true;
        private boolean dropEmpty = true;
        private int imageSize;
        private int outSize;
        private String imageFolder = "";
        private String maskFolder = "";
        private String trainList = "";
        private String valList = "";
        private String outputDir = "";
        private String encoderFrom = "";
        private int shots = 0;

        private Builder() {}

        /**
         * A U-Net baseline's recipe defaults, before any flag or plan entry that overrides them: every weight
         * trains; unet-plain with nnU-Net's optimiser settings and its poly schedule without warm-up.
         */
        public Builder unetRecipe(String unetArch) {
            tune = TuningPlan.Tune.ENCODER_DECODER;
            method = TuningPlan.Method.VANILLA;
            if (org.samtune.model.unet.UNets.PLAIN.equals(unetArch)) {
                lr = SgdNesterov.LR;
                weightDecay = SgdNesterov.WEIGHT_DECAY;
                warmup = false;
            }
            return this;
        }

        public Builder arch(String v) { arch = v; return this; }
        public Builder checkpoint(String v) { checkpoint = v; return this; }
        public Builder tune(TuningPlan.Tune v) { tune = v; return this; }
        public Builder method(TuningPlan.Method v) { method = v; return this; }
        /** The blocks; null follows the architecture's default. */
        public Builder encoderBlocks(EncoderBlocks v) { encoderBlocks = v; return this; }
        public Builder decoderAdapterDepth(int v) { decoderAdapterDepth = v; return this; }
        public Builder compat(Compat v) { compat = v; return this; }
        public Builder loraRank(int v) { loraRank = v; return this; }
        public Builder plan(TuningPlan p) {
            tune = p.tune(); method = p.method(); encoderBlocks = p.encoderBlocks();
            decoderAdapterDepth = p.decoderAdapterDepth(); compat = p.compat(); loraRank = p.loraRank();
            return this;
        }
        public Builder numClasses(int v) { numClasses = v; return this; }
        /** One name per class, background first; null gives background, class_1, ... */
        public Builder classNames(List<String> v) { classNames = v; return this; }
        public Builder targets(TargetMode v) { targets = v.id(); return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder warmup(boolean v) { warmup = v; return this; }
        public Builder warmupIters(int v) { warmupIters = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder valEvery(int v) { valEvery = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder promptMode(PromptMode v) { promptMode = v; return this; }
        public Builder promptRegions(String v) { promptRegions = v; return this; }
        public Builder resize(Resize v) { resize = v; return this; }
        public Builder normalize(Normalize v) { normalize = v; return this; }
        public Builder augment(boolean v) { augment = v; return this; }
        public Builder dropEmpty(boolean v) { dropEmpty = v; return this; }
        /** Model input side; 0 follows the architecture. */
        public Builder imageSize(int v) { imageSize = v; return this; }
        /** Decoder output side; 0 follows the architecture. */
        public Builder outSize(int v) { outSize = v; return this; }
        public Builder imageFolder(String v) { imageFolder = v; return this; }
        public Builder maskFolder(String v) { maskFolder = v; return this; }
        public Builder trainList(String v) { trainList = v; return this; }
        public Builder valList(String v) { valList = v; return this; }
        public Builder outputDir(String v) { outputDir = v; return this; }
        public Builder encoderFrom(String v) { encoderFrom = v; return this; }
        public Builder shots(int v) { shots = v; return this; }

        public String arch() {
            return arch;
        }

        /** The architecture's blocks for adapters / LoRA; a U-Net (none): "all", which names none of them. */
        static EncoderBlocks defaultBlocks(Architecture a) {
            return a.defaultEncoderBlocks().isEmpty() ? EncoderBlocks.everyBlock()
                    : EncoderBlocks.of(a.defaultEncoderBlocks());
        }

        public TrainConfig build() {
            Architecture a = Architectures.get(arch, "config field arch");
            EncoderBlocks blocks = encoderBlocks != null ? encoderBlocks : defaultBlocks(a);
            TuningPlan plan = new TuningPlan(tune, method, blocks, decoderAdapterDepth, compat, loraRank);
            List<String> names = classNames != null ? classNames : genericClassNames(numClasses);
            return new TrainConfig(arch, checkpoint, plan, numClasses, names, targets, lr, warmup, warmupIters,
                    weightDecay, batchSize, epochs, valEvery, patience, seed, promptMode, promptRegions, resize,
                    normalize, augment, dropEmpty, imageSize > 0 ? imageSize : a.inputSize(),
                    outSize > 0 ? outSize : a.lowResSize(), imageFolder, maskFolder, trainList, valList, outputDir,
                    encoderFrom, shots);
        }
    }

    // ---- YAML ------------------------------------------------------------------------------------------------

    public String toYaml() {
        return SettingsYaml.toYaml(this);
    }

    /** Writes the settings atomically. */
    public void write(Path file) {
        SettingsYaml.write(file, "samtune fine-tuning run settings (read back by resume)", this);
    }

    public static TrainConfig fromYaml(String text, String source) {
        try {
            return SettingsYaml.fromYaml(text, source, TrainConfig.class);
        } catch (SamtuneException e) {
            if (e.getCause() instanceof UnrecognizedPropertyException u && List.of("tune", "method", "encoderBlocks",
                    "decoderAdapterDepth", "compat").contains(u.getPropertyName())) {
                throw new SamtuneException(source + ": setting '" + u.getPropertyName() + "' now belongs in the plan "
                        + "block (settings of an older samtune: move tune, method, encoderBlocks, decoderAdapterDepth "
                        + "and compat under 'plan:', and write compat official as samtune)", e);
            }
            throw e;
        }
    }

    public static TrainConfig read(Path file) {
        return fromYaml(SettingsYaml.text(file), file.toString());
    }
}
