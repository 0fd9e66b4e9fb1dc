package org.samtune.train;

import java.util.Random;
import org.samtune.data.augment.Augmentation;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.data.resize.PilResize;
import org.samtune.data.prompt.PromptSampler;
import org.samtune.data.resize.ResizeLongestSide;
import org.samtune.data.Slice2D;
import org.samtune.data.resize.TorchvisionLabelResize;
import org.samtune.data.UInt8Image;

/**
 * Turns a dataset slice into what one training or evaluation step needs (finetune-SAM's {@code __getitem__}, spec
 * §3.4–3.5): the normalised model input, the label map at the model's input size, and the label map at the
 * decoder's low-res output size where the loss is computed.
 */
public final class SamplePipeline {

    /** How the ground truth is brought to the decoder's output size. */
    public enum TargetResize {
        /** PIL nearest: every low-res label is a label of the slice. */
        NEAREST,
        /** finetune-SAM: torchvision Resize on the long tensor (bilinear then round; torchvision 0.15). */
        BILINEAR_ROUND
    }


    /**
     * @param image       (3, size, size) normalised input
     * @param labels      (size, size) class index per pixel
     * @param lowRes      (lowResSize, lowResSize) class index per pixel, the loss target
     * @param validHeight rows of {@code image} that hold the slice (the rest is padding in LONGEST mode)
     * @param validWidth  columns of {@code image} that hold the slice
     */
    public record Sample(String name, float[] image, byte[] labels, int[] lowRes, int validHeight, int validWidth,
                         int originalHeight, int originalWidth, float[] pointCoords, float[] pointLabels,
                         float[] boxes) {
        /** The prompts of this sample in the model's input frame (none in automatic mode). */
        public org.samtune.inference.Prompts prompts() {
            return new org.samtune.inference.Prompts(pointCoords, pointLabels, boxes);
        }

        /** What the model takes for this sample; labels come back at the slice's original size. */
        public org.samtune.inference.ModelInput input() {
            int size = (int) Math.round(Math.sqrt(image.length / 3.0));
            return new org.samtune.inference.ModelInput(image, size, validHeight, validWidth, originalHeight,
                    originalWidth, prompts());
        }
    }

    private final int size;
    private final int lowResSize;
    private final TrainConfig.Resize resize;
    private final FinetuneSamPreprocessing.Normalization normalization;
    private final TargetResize targetResize;
    private final Augmentation augmentation;
    private TrainConfig.PromptMode prompts = TrainConfig.PromptMode.NONE;
    private PromptSampler.Regions regions = PromptSampler.Regions.largest(3);

    public SamplePipeline(int size, int lowResSize, TrainConfig.Resize resize,
                          FinetuneSamPreprocessing.Normalization normalization,
                          TargetResize targetResize, Augmentation augmentation) {
        this.size = size;
        this.lowResSize = lowResSize;
        this.resize = resize;
        this.normalization = normalization;
        this.targetResize = targetResize;
        this.augmentation = augmentation;
    }

    /**
     * Samples prompts on each (augmented) slice from the union of its labelled structures; the target becomes the
     * union of the prompted components, as finetune-SAM does. Binary targets only.
     */
    public SamplePipeline withPrompts(TrainConfig.PromptMode mode, PromptSampler.Regions regions) {
        this.prompts = mode;
        this.regions = regions;
        return this;
    }

    public TrainConfig.PromptMode prompts() {
        return prompts;
    }

    /**
     * The pipeline of a run: the model's input and output sizes, the config's resize, normalisation and prompts;
     * the ground truth brought to the decoder's size as {@link org.samtune.peft.Quirks#nearestLowResTargets} says.
     */
    public static SamplePipeline forRun(TrainConfig c, org.samtune.model.Sam sam, boolean augment) {
        return forRun(c, sam.config.imgSize(), 4 * sam.config.prompt().imageEmbeddingSize(), augment);
    }

    /** {@link #forRun(TrainConfig, org.samtune.model.Sam, boolean)} for a model of these sizes (the U-Nets). */
    public static SamplePipeline forRun(TrainConfig c, int size, int lowResSize, boolean augment) {
        boolean nearest = c.plan().quirks().nearestLowResTargets();
        return new SamplePipeline(size, lowResSize, c.resize(),
                c.normalize() == TrainConfig.Normalize.MEDSAM ? FinetuneSamPreprocessing.Normalization.MEDSAM
                        : FinetuneSamPreprocessing.Normalization.SAM,
                nearest ? TargetResize.NEAREST : TargetResize.BILINEAR_ROUND,
                new Augmentation(augment ? Augmentation.Settings.finetuneSam() : Augmentation.Settings.off()))
                .withPrompts(c.promptMode(), PromptSampler.Regions.parse(c.promptRegions()));
    }

    public int size() {
        return size;
    }

    public int lowResSize() {
        return lowResSize;
    }

    /** Whether two calls on the same slice give the same sample (no random augmentation). */
    public boolean isDeterministic(boolean train) {
        return !train || !(augmentation.settings().intensity() || augmentation.settings().spatial());
    }

    /** Prepares one slice; {@code rng} drives the augmentation when {@code train} is set. */
    public Sample prepare(Slice2D slice, boolean train, Random rng) {
        int h = slice.height();
        int w = slice.width();
        int[] hw = resize == TrainConfig.Resize.SQUARE ? new int[] {size, size} : ResizeLongestSide.preprocessShape(h, w, size);
        UInt8Image rgb = PilResize.bilinear(new UInt8Image(h, w, 3, slice.rgb().clone()), hw[0], hw[1]);
        UInt8Image labels = PilResize.nearest(new UInt8Image(h, w, 1, slice.labels()), hw[0], hw[1]);
        byte[] pixels = rgb.pixels();
        if (train) {
            augmentation.intensity(pixels, rng);
        }
        float[] chw = normalise(pixels, hw[0], hw[1]);
        float[] image = pad(chw, 3, hw[0], hw[1]);
        byte[] lab = padBytes(labels.pixels(), hw[0], hw[1]);
        if (train) {
            Augmentation.Spatial s = augmentation.spatial(image, 3, size, size, lab, rng);
            image = s.image();
            lab = s.labels();
        }
        float[] coords = null;
        float[] pointLabels = null;
        float[] boxes = null;
        if (prompts != TrainConfig.PromptMode.NONE) {
            byte[] binary = new byte[lab.length];
            for (int i = 0; i < lab.length; i++) {
                binary[i] = (byte) (lab[i] != 0 ? 1 : 0);
            }
            // Validation draws the same prompts every time: a generator seeded by the slice's name.
            Random r = rng != null ? rng : new Random(slice.name().hashCode());
            if (prompts == TrainConfig.PromptMode.BOX) {
                PromptSampler.Boxes b = PromptSampler.boxes(binary, size, size, regions, r);
                boxes = b.boxes();
                lab = b.mask();
            } else {
                PromptSampler.Points pts = PromptSampler.points(binary, size, size, regions, r);
                coords = pts.coords();
                pointLabels = pts.labels();
                lab = pts.mask();
            }
        }
        return new Sample(slice.name(), image, lab, lowRes(lab), hw[0], hw[1], h, w, coords, pointLabels, boxes);
    }

    /** ToTensor then the reference's normalisation, as finetune-SAM's dataset does. */
    private float[] normalise(byte[] hwc, int h, int w) {
        float[] chw = FinetuneSamPreprocessing.toTensor(new UInt8Image(h, w, 3, hwc));
        return FinetuneSamPreprocessing.normalize(chw, normalization);
    }

    /** Zero padding bottom/right to size × size (a no-op in SQUARE mode). */
    private float[] pad(float[] chw, int channels, int h, int w) {
        if (h == size && w == size) {
            return chw;
        }
        float[] out = new float[channels * size * size];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(chw, (c * h + y) * w, out, (c * size + y) * size, w);
            }
        }
        return out;
    }

    private byte[] padBytes(byte[] hw, int h, int w) {
        if (h == size && w == size) {
            return hw;
        }
        byte[] out = new byte[size * size];
        for (int y = 0; y < h; y++) {
            System.arraycopy(hw, y * w, out, y * size, w);
        }
        return out;
    }

    private int[] lowRes(byte[] labels) {
        if (targetResize == TargetResize.NEAREST) {
            byte[] small = PilResize.nearest(new UInt8Image(size, size, 1, labels), lowResSize, lowResSize).pixels();
            int[] out = new int[small.length];
            for (int i = 0; i < small.length; i++) {
                out[i] = small[i] & 0xff;
            }
            return out;
        }
        int[] full = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            full[i] = labels[i] & 0xff;
        }
        return TorchvisionLabelResize.resize(full, 1, size, size, lowResSize, lowResSize,
                TorchvisionLabelResize.Antialias.TORCHVISION_0_15);
    }
}
