package org.samtune.model;

import java.util.List;
import java.util.stream.Collectors;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;

/**
 * Every architecture samtune builds, by {@code --arch} name. Each verb asks this registry (names, sizes, valid
 * encoder blocks, builder, detection from a checkpoint) instead of knowing the names itself. To add one, add an
 * {@link Architecture} to {@link #ALL}.
 */
public final class Architectures {
    private Architectures() {}

    /** finetune-SAM's {@code encoder_adapter_depths} / LoRA blocks for SAM's ViTs: the first two and the last two of ViT-B. */
    private static final List<Integer> REFERENCE_BLOCKS = List.of(0, 1, 10, 11);

    public static final Architecture VIT_B = sam("vit_b", "SAM ViT-B (sam_vit_b_01ec64.pth, MedSAM)", 12,
            REFERENCE_BLOCKS);
    public static final Architecture VIT_L = sam("vit_l", "SAM ViT-L (sam_vit_l_0b3195.pth)", 24, REFERENCE_BLOCKS);
    public static final Architecture VIT_H = sam("vit_h", "SAM ViT-H (sam_vit_h_4b8939.pth)", 32, REFERENCE_BLOCKS);

    /**
     * MobileSAM's TinyViT. Adapters / LoRA go into its three attention stages (finetune-SAM indexes layers 1..3 as
     * 0..2 and ignores larger indices, so its default 0,1,10,11 means stages 0 and 1).
     */
    public static final Architecture VIT_T = new Architecture("vit_t", "MobileSAM TinyViT (mobile_sam.pt)",
            Architecture.Family.SAM, 1024, 256, 3, List.of(0, 1),
            (m, sd, classes, order, imageSize) -> {
                if (imageSize > 0 && imageSize != SamConfig.defaultPrompt().inputImageSize()) {
                    throw new SamtuneException("--image-size: vit_t (MobileSAM's TinyViT) runs at "
                            + SamConfig.defaultPrompt().inputImageSize() + " only, got " + imageSize
                            + "; another input size needs vit_b, vit_l, vit_h or compact");
                }
                return new Sam(m, new TinyViT(m, TinyViTConfig.vitT()), new SamConfig("vit_t", null,
                        SamConfig.defaultPrompt(), SamConfig.defaultDecoder(classes > 0 ? classes : 3)));
            },
            SamModels::isTinyViT);

    /** The demo's small SAM ({@link SamModels#compact()}), trained from scratch; no released checkpoint. */
    public static final Architecture COMPACT = new Architecture("compact",
            "compact SAM for CPU demos (256² input, 6-block ViT, trained from scratch)", Architecture.Family.SAM,
            256, 64, 6, List.of(0, 1, 4, 5),
            (m, sd, classes, order, imageSize) -> Sam.build(m, sized(withClasses(SamModels.compact(), classes),
                    imageSize).withBlockOrder(order)),
            sd -> false);

    /**
     * finetune-SAM's ResNet-34 U-Net baseline ({@link org.samtune.model.unet.ResNet34UNet}); its logits have the
     * input's size, so the low-res (loss) size is the input size. No prompts, adapters or LoRA: every weight trains.
     */
    public static final Architecture UNET_RESNET34 = dense(org.samtune.model.unet.UNets.RESNET34,
            "finetune-SAM's ResNet-34 U-Net baseline (no prompts; every weight trains)");

    /** nnU-Net's 2-D PlainConvUNet baseline ({@link org.samtune.model.unet.PlainConvUNet}). */
    public static final Architecture UNET_PLAIN = dense(org.samtune.model.unet.UNets.PLAIN,
            "nnU-Net's 2-D PlainConvUNet baseline (no prompts; every weight trains)");

    /**
     * A SAM ViT whose shapes match no preset (another width, depth, input size), configured from its checkpoint
     * ({@link SamConfig#infer}). Not among {@link #ALL}: it cannot be built without a checkpoint, so only
     * {@link #forCheckpoint} and {@link #detect} give it.
     */
    public static final Architecture CUSTOM = new Architecture("custom",
            "SAM ViT of other shapes, configured from its checkpoint", Architecture.Family.SAM, 0, 0, 0, List.of(),
            (m, sd, classes, order, imageSize) -> {
                if (sd == null) {
                    throw new SamtuneException("--arch custom: the shapes come from a checkpoint; give --checkpoint"
                            + " (or --encoder-from), or one of " + names());
                }
                return Sam.build(m, sized(withClasses(SamConfig.infer(sd), classes), imageSize).withBlockOrder(order));
            },
            sd -> !SamModels.isTinyViT(sd) && sd.contains("image_encoder.pos_embed")
                    && "custom".equals(SamConfig.infer(sd).arch()));

    /** In the order {@code --help} lists them. */
    public static final List<Architecture> ALL = List.of(VIT_B, VIT_L, VIT_H, VIT_T, COMPACT, UNET_RESNET34,
            UNET_PLAIN);

    private static Architecture dense(String name, String description) {
        int size = org.samtune.model.unet.UNets.DEFAULT_INPUT_SIZE;
        return new Architecture(name, description, Architecture.Family.DENSE, size, size, 0, List.of(), null,
                sd -> false);
    }

    private static Architecture sam(String name, String description, int depth, List<Integer> defaultBlocks) {
        return new Architecture(name, description, Architecture.Family.SAM, 1024, 256, depth, defaultBlocks,
                (m, sd, classes, order, imageSize) -> Sam.build(m, sized(withClasses(
                        sd != null && EncoderCheckpoint.holds(sd) == EncoderCheckpoint.Holds.WHOLE_SAM
                                ? SamConfig.infer(sd) : SamConfig.preset(name), classes), imageSize)
                        .withBlockOrder(order)),
                sd -> !SamModels.isTinyViT(sd) && sd.contains("image_encoder.pos_embed")
                        && name.equals(SamConfig.infer(sd).arch()));
    }

    /** {@code c} at input size {@code imageSize} (0: its own). */
    static SamConfig sized(SamConfig c, int imageSize) {
        return imageSize > 0 ? c.withImageSize(imageSize) : c;
    }

    private static SamConfig withClasses(SamConfig c, int numClasses) {
        return numClasses > 0 ? c.withNumClasses(numClasses) : c;
    }

    /** "vit_b, vit_l, vit_h, vit_t, compact". */
    public static String names() {
        return ALL.stream().map(Architecture::name).collect(Collectors.joining(", "));
    }

    /** The architecture named {@code name}; the error names {@code flag} (e.g. "--arch" or "config field arch"). */
    public static Architecture get(String name, String flag) {
        for (Architecture a : ALL) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new SamtuneException(flag + ": '" + name + "' is not one of " + names());
    }

    /** The SAM-family names (what a verb that needs a SAM accepts): "vit_b, vit_l, vit_h, vit_t, compact". */
    public static String samNames() {
        return ALL.stream().filter(a -> !a.isDense()).map(Architecture::name).collect(Collectors.joining(", "));
    }

    /**
     * The SAM architecture named {@code name} for a verb that needs one: an unknown name is refused listing the SAM
     * names only, a registered non-SAM one by {@link Architecture#requireSam(String) requireSam(verb)}.
     */
    public static Architecture getSam(String name, String flag, String verb) {
        if (!contains(name)) {
            throw new SamtuneException(flag + ": '" + name + "' is not one of " + samNames());
        }
        return get(name, flag).requireSam(verb);
    }

    /**
     * The architecture named {@code name} where a checkpoint gives the weights: a registered one, or
     * {@link #CUSTOM}, whose shapes are read off that checkpoint.
     */
    public static Architecture forCheckpoint(String name, String flag) {
        return CUSTOM.name().equals(name) ? CUSTOM : get(name, flag);
    }

    /** Whether {@code name} is registered. */
    public static boolean contains(String name) {
        return ALL.stream().anyMatch(a -> a.name().equals(name));
    }

    /**
     * The architecture a checkpoint holds: a registered one, or {@link #CUSTOM} for a SAM ViT whose shapes match no
     * preset. A file that is no SAM at all is refused.
     */
    public static Architecture detect(StateDict sd) {
        if (!SamModels.isTinyViT(sd) && !sd.contains("image_encoder.pos_embed")) {
            throw new SamtuneException(sd.source() + ": not a SAM checkpoint: no image_encoder.pos_embed and no "
                    + "image_encoder.layers.* (expected the keys of sam_vit_*.pth, mobile_sam.pt or medsam_vit_b.pth)");
        }
        for (Architecture a : ALL) {
            if (a.detects(sd)) {
                return a;
            }
        }
        return CUSTOM;
    }
}
