package org.samtune.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;

/**
 * The study's three ways to start fine-tuning (Gu et al., MELBA 2025) as presets of {@code train --setup}:
 * <ul>
 *   <li>1: from SAM's weights (or any checkpoint), the settings as given;
 *   <li>2: from a model already trained with prompts on many labelled datasets. finetune-SAM runs it from MedSAM's
 *       checkpoint ({@code medsam_vit_b.pth}) with MedSAM's [0, 1] normalisation: the preset sets
 *       {@code normalize: medsam} and requires a whole ViT-B SAM checkpoint, or the output of
 *       {@code samtune pretrain prompts} (any architecture);
 *   <li>3: from an image encoder pretrained self-supervised ({@code pretrain mae} output, or SSLSAM-style weights
 *       with {@code --encoder-from}), fine-tuned with the study's best strategy: adapters in encoder and decoder.
 * </ul>
 */
public final class Setups {
    private Setups() {}

    /** Applies setup {@code n} to the settings the user gave; {@code explicit*} say which flags were set. */
    public static void apply(int n, TrainConfig.Builder b, boolean hasCheckpoint, String normalizeGiven,
                             boolean tuneGiven, boolean methodGiven) {
        apply(n, b, hasCheckpoint, TrainConfig.Normalize.MEDSAM, normalizeGiven, tuneGiven, methodGiven);
    }

    /**
     * {@link #apply(int, TrainConfig.Builder, boolean, String, boolean, boolean)} for the checkpoint file the run
     * starts from: Setup 2 fine-tunes with the normalisation its checkpoint was trained with, MedSAM's [0, 1] for
     * medsam_vit_b.pth, the run's for a {@code pretrain prompts} checkpoint (its {@code normalize} metadata).
     */
    public static void apply(int n, TrainConfig.Builder b, String checkpoint, String normalizeGiven,
                             boolean tuneGiven, boolean methodGiven) {
        boolean has = checkpoint != null && !checkpoint.isBlank();
        TrainConfig.Normalize pretrained = TrainConfig.Normalize.MEDSAM;
        if (n == 2 && has && isPromptPretrained(java.nio.file.Path.of(checkpoint))) {
            Map<String, String> meta = new java.util.LinkedHashMap<>();
            org.samtune.checkpoint.Safetensors.readWithMetadata(java.nio.file.Path.of(checkpoint), meta);
            pretrained = TrainConfig.Normalize.parse(meta.getOrDefault("normalize", "medsam"));
        }
        apply(n, b, has, pretrained, normalizeGiven, tuneGiven, methodGiven);
    }

    private static void apply(int n, TrainConfig.Builder b, boolean hasCheckpoint, TrainConfig.Normalize pretrained,
                              String normalizeGiven, boolean tuneGiven, boolean methodGiven) {
        switch (n) {
            case 1 -> { }
            case 2 -> {
                if (!hasCheckpoint) {
                    throw new SamtuneException("--setup 2 starts from a prompt-trained ViT-B SAM: give --checkpoint "
                            + "(e.g. medsam_vit_b.pth, or RUN/checkpoints/best.safetensors of samtune pretrain prompts)");
                }
                if (normalizeGiven != null && TrainConfig.Normalize.parse(normalizeGiven) != pretrained) {
                    throw new SamtuneException(pretrained == TrainConfig.Normalize.MEDSAM
                            ? "--setup 2 uses MedSAM's [0, 1] normalisation (--normalize medsam), got --normalize "
                            + normalizeGiven : "--setup 2 uses the normalisation its checkpoint was pretrained with "
                            + "(--normalize " + pretrained.id() + "), got --normalize " + normalizeGiven);
                }
                b.normalize(pretrained);
            }
            case 3 -> {
                if (!hasCheckpoint) {
                    throw new SamtuneException("--setup 3 starts from a self-supervised encoder: give --checkpoint "
                            + "RUN/checkpoints/last.safetensors of samtune pretrain mae (or --checkpoint SAM "
                            + "--encoder-from ENCODER)");
                }
                if (!tuneGiven) {
                    b.tune(org.samtune.peft.TuningPlan.Tune.ENCODER_DECODER);
                }
                if (!methodGiven) {
                    b.method(org.samtune.peft.TuningPlan.Method.ADAPTER);
                }
            }
            default -> throw new SamtuneException("--setup: expected 1, 2 or 3, got " + n);
        }
    }

    /**
     * Setup 2's check of its checkpoint: the output of {@code samtune pretrain prompts} (a whole SAM of any
     * architecture, recognised by its metadata; {@code train} then checks every tensor as it loads it), else a whole
     * ViT-B SAM as MedSAM's {@code medsam_vit_b.pth} ({@link #requireVitB(java.nio.file.Path)}).
     */
    public static void requirePromptTrained(java.nio.file.Path checkpoint) {
        if (isPromptPretrained(checkpoint)) {
            return;
        }
        requireVitB(checkpoint);
    }

    /** Whether {@code file} is a checkpoint {@code samtune pretrain prompts} wrote. */
    public static boolean isPromptPretrained(java.nio.file.Path file) {
        if (!file.getFileName().toString().endsWith(".safetensors") || !java.nio.file.Files.isRegularFile(file)) {
            return false;
        }
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        org.samtune.checkpoint.Safetensors.readWithMetadata(file, meta);
        return "samtune-pretrained-sam/1".equals(meta.get("format")) && "prompts".equals(meta.get("pretraining"));
    }

    /** Setup 2's check of a checkpoint file against ViT-B SAM's keys and shapes. */
    public static void requireVitB(java.nio.file.Path checkpoint) {
        org.samtune.checkpoint.StateDict sd = org.samtune.checkpoint.Checkpoints.load(checkpoint);
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        sd.tensors().forEach((k, t) -> shapes.put(k, t.shape()));
        requireVitB(shapes, vitBShapes(), checkpoint.toString());
    }

    /** Keys and shapes of SAM ViT-B's state dict, from a model without storage. */
    public static Map<String, long[]> vitBShapes() {
        Map<String, long[]> out = new java.util.LinkedHashMap<>();
        try (ai.djl.ndarray.NDManager m = org.samtune.model.nn.Compute.newManager()) {
            org.samtune.model.Sam sam = org.samtune.model.Sam.buildShapesOnly(m,
                    org.samtune.model.SamConfig.preset("vit_b"));
            sam.stateArrays().forEach((k, a) -> out.put(k, a.getShape().getShape()));
        }
        return out;
    }

    /**
     * Setup 2's check, on names and shapes only (no weights are needed): the checkpoint is a whole SAM whose every
     * tensor has ViT-B's shape ({@code expected}: the keys and shapes of a ViT-B SAM).
     */
    public static void requireVitB(Map<String, long[]> shapes, Map<String, long[]> expected, String source) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] got = shapes.get(e.getKey());
            if (got == null) {
                problems.add(e.getKey() + " missing");
            } else if (!Arrays.equals(got, e.getValue())) {
                problems.add(e.getKey() + " is " + Arrays.toString(got) + ", ViT-B has " + Arrays.toString(e.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            throw new SamtuneException(source + ": --setup 2 needs a whole ViT-B SAM checkpoint (as medsam_vit_b.pth); "
                    + problems.size() + " of " + expected.size() + " tensors differ (" + String.join("; ",
                    problems.subList(0, Math.min(3, problems.size()))) + (problems.size() > 3 ? "; ..." : "") + ")");
        }
    }
}
