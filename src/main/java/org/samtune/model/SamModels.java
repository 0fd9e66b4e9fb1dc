package org.samtune.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;
import org.samtune.model.nn.LoadReport;

/**
 * Builds the SAM a user names: an architecture (vit_b, vit_l, vit_h, vit_t, or the demo's compact model) with a
 * number of classes, optionally starting from a checkpoint. Loading follows finetune-SAM (spec §4.2): every tensor
 * whose key and shape match is taken from the checkpoint; tensors the new class count reshapes (mask tokens, the
 * IoU head's last layer, extra hypernetwork MLPs) keep their fresh initialisation.
 */
public final class SamModels {
    private SamModels() {}

    /**
     * A model and where its weights came from.
     *
     * @param notFromCheckpoint state-dict keys initialised fresh (all keys when there is no checkpoint)
     * @param checkpointSha256  hex SHA-256 of the checkpoint file, or null
     */
    public record Built(Sam sam, String arch, LoadReport report, Set<String> notFromCheckpoint,
                        Path checkpoint, String checkpointSha256) {}

    /**
     * @param arch       requested architecture, or null to take the checkpoint's
     * @param numClasses output channels including background (finetune-SAM's num_cls); 0 keeps the checkpoint's
     *                   three multimask outputs (plain SAM)
     * @param order      encoder block order (finetune-SAM's differs from official SAM's)
     * @param checkpoint .pth or .safetensors file, or null for random initialisation
     */
    public static Built build(NDManager manager, String arch, int numClasses, BlockOrder order, Path checkpoint,
                              long seed) {
        return build(manager, arch, numClasses, order, checkpoint, null, seed, 0);
    }

    /**
     * {@link #build(NDManager, String, int, BlockOrder, Path, long)} at input size {@code imageSize} (0: the
     * checkpoint's, else the architecture's); a checkpoint made for another size is converted
     * ({@link PositionResize}).
     */
    public static Built build(NDManager manager, String arch, int numClasses, BlockOrder order, Path checkpoint,
                              long seed, int imageSize) {
        return build(manager, arch, numClasses, order, checkpoint, null, seed, imageSize);
    }

    /**
     * As above; {@code encoderFrom} (or null) is a checkpoint whose image encoder replaces the one of
     * {@code checkpoint} (a whole SAM, an encoder-only file, or bare encoder keys: {@link EncoderCheckpoint}); it
     * must fit the architecture exactly. Either file may hold only an encoder; the rest then starts fresh.
     */
    public static Built build(NDManager manager, String arch, int numClasses, BlockOrder order, Path checkpoint,
                              Path encoderFrom, long seed) {
        return build(manager, arch, numClasses, order, checkpoint, encoderFrom, seed, 0);
    }

    /** All of the above: {@code encoderFrom} (or null) and input size {@code imageSize} (0: natural). */
    public static Built build(NDManager manager, String arch, int numClasses, BlockOrder order, Path checkpoint,
                              Path encoderFrom, long seed, int imageSize) {
        StateDict sd = checkpoint == null ? null : EncoderCheckpoint.asSamLayout(Checkpoints.load(checkpoint));
        if (encoderFrom != null) {
            StateDict enc = Checkpoints.load(encoderFrom);
            sd = sd == null ? EncoderCheckpoint.encoderOf(enc) : EncoderCheckpoint.combine(sd, enc);
        }
        String detected = sd == null ? null : detectArch(sd);
        Architecture requested = arch == null ? null : Architectures.forCheckpoint(arch, "--arch");
        // compact is only ever trained here: a checkpoint gives it whatever tensors fit by key and shape
        if (requested != null && detected != null && !arch.equals(detected) && requested != Architectures.COMPACT) {
            throw new SamtuneException(checkpoint + ": checkpoint is " + detected + " but --arch asks for " + arch
                    + " (leave --arch out to use the checkpoint's architecture)");
        }
        String resolved = arch != null ? arch : detected != null ? detected : Architectures.VIT_B.name();
        Sam sam = create(manager, resolved, sd, numClasses, order, imageSize);
        sam.initialize(seed);
        if (sd == null) {
            return new Built(sam, resolved, null, sam.stateArrays().keySet(), null, null);
        }
        sd = fitInputSize(sd, sam.config);
        if (encoderFrom != null) {
            EncoderCheckpoint.requireFits(sam, sd, resolved);
        }
        LoadReport report = sam.loadStateDict(sd, false);
        Set<String> fresh = new LinkedHashSet<>(report.missing());
        report.mismatched().forEach(m -> fresh.add(m.key()));
        Path source = checkpoint != null ? checkpoint : encoderFrom;
        return new Built(sam, resolved, report, fresh, source, sha256(source));
    }

    /** An untrained model of the architecture (zero weights: call initialize or load). */
    public static Sam create(NDManager manager, String arch, StateDict sd, int numClasses, BlockOrder order) {
        return create(manager, arch, sd, numClasses, order, 0);
    }

    /** {@link #create(NDManager, String, StateDict, int, BlockOrder)} at input size {@code imageSize} (0: natural). */
    public static Sam create(NDManager manager, String arch, StateDict sd, int numClasses, BlockOrder order,
                             int imageSize) {
        return Architectures.forCheckpoint(arch, "--arch").create(manager, sd, numClasses, order, imageSize);
    }

    /**
     * {@code sd} converted to the model's input size when it holds the same ViT encoder made for another size
     * (a different encoder is left to the loader, which reports its mismatched keys).
     */
    static StateDict fitInputSize(StateDict sd, SamConfig model) {
        if (model.vit() == null || isTinyViT(sd) || !sd.contains("image_encoder.pos_embed")) {
            return sd;
        }
        long[] pos = sd.get("image_encoder.pos_embed").shape();
        boolean sameEncoder = pos.length == 4 && pos[3] == model.vit().embedDim()
                && sd.contains("image_encoder.blocks." + (model.vit().depth() - 1) + ".norm1.weight")
                && !sd.contains("image_encoder.blocks." + model.vit().depth() + ".norm1.weight");
        if (!sameEncoder || pos[1] == model.vit().gridSize()) {
            return sd;
        }
        return PositionResize.fit(sd, model.vit());
    }

    /**
     * The demo's SAM-architecture model, small enough to train from scratch on two CPU cores in minutes: 256-pixel
     * input, 16-pixel patches (16×16 tokens), a 6-block ViT of width 192 with windowed (8) and global attention,
     * a 128-wide prompt encoder and decoder. Low-res logits are 64×64.
     */
    public static SamConfig compact() {
        SamConfig.ViT vit = new SamConfig.ViT(256, 16, 3, 192, 6, 6, 4.0, 128, true, true, true, 8,
                List.of(2, 5), BlockOrder.OFFICIAL);
        return new SamConfig("compact", vit, new SamConfig.Prompt(128, 16, 256, 16),
                new SamConfig.Decoder(128, 3, 3, 128, 2, 512, 4, 2));
    }

    /** vit_b / vit_l / vit_h / vit_t as read off a checkpoint's keys and shapes, or custom (a ViT of other shapes). */
    public static String detectArch(StateDict sd) {
        EncoderCheckpoint.Holds holds = EncoderCheckpoint.holds(sd);
        if (holds == EncoderCheckpoint.Holds.ENCODER_ONLY || holds == EncoderCheckpoint.Holds.BARE_ENCODER) {
            return EncoderCheckpoint.arch(EncoderCheckpoint.encoderOf(sd));
        }
        return Architectures.detect(sd).name();
    }

    /** MobileSAM: TinyViT's {@code image_encoder.layers.*} keys instead of ViT blocks. */
    public static boolean isTinyViT(StateDict sd) {
        return sd.keys().stream().anyMatch(k -> k.startsWith("image_encoder.layers."));
    }

    public static String sha256(Path file) {
        return org.samtune.io.Sha256.of(file); // remembered: the run's provenance hashed it already
    }
}
