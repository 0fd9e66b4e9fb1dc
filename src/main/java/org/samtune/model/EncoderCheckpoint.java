package org.samtune.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;

/**
 * Image-encoder weights in the layouts people share them: a whole SAM state dict, an encoder-only one with SAM's
 * {@code image_encoder.} prefix, or the bare encoder's own keys ({@code patch_embed.*}, {@code blocks.*},
 * {@code neck.*}; TinyViT's {@code layers.*}) as a pretrained encoder is often saved (e.g. self-supervised
 * "SSLSAM" weights). An encoder-only file combines with a whole SAM checkpoint that supplies the prompt encoder and
 * mask decoder.
 */
public final class EncoderCheckpoint {
    public static final String PREFIX = "image_encoder.";

    /** What a checkpoint holds. */
    public enum Holds {
        WHOLE_SAM("a whole SAM (image encoder, prompt encoder, mask decoder)"),
        ENCODER_ONLY("a SAM image encoder only (image_encoder.* keys)"),
        BARE_ENCODER("a SAM image encoder only, saved without the image_encoder. prefix"),
        OTHER("no SAM image encoder");

        public final String description;

        Holds(String description) {
            this.description = description;
        }
    }

    private EncoderCheckpoint() {}

    public static Holds holds(StateDict sd) {
        boolean encoder = sd.keys().stream().anyMatch(k -> k.startsWith(PREFIX));
        boolean rest = sd.keys().stream().anyMatch(k -> k.startsWith("prompt_encoder.") || k.startsWith("mask_decoder."));
        if (encoder) {
            return rest ? Holds.WHOLE_SAM : Holds.ENCODER_ONLY;
        }
        boolean bare = sd.keys().stream().anyMatch(k -> k.startsWith("patch_embed."))
                && sd.keys().stream().anyMatch(k -> k.startsWith("neck."))
                && sd.keys().stream().anyMatch(k -> k.startsWith("blocks.") || k.startsWith("layers."));
        return bare ? Holds.BARE_ENCODER : Holds.OTHER;
    }

    /** The encoder tensors under SAM's {@code image_encoder.} keys. */
    public static StateDict encoderOf(StateDict sd) {
        Holds h = holds(sd);
        Map<String, TensorData> out = new LinkedHashMap<>();
        switch (h) {
            case WHOLE_SAM, ENCODER_ONLY -> sd.tensors().forEach((k, v) -> {
                if (k.startsWith(PREFIX)) {
                    out.put(k, v);
                }
            });
            case BARE_ENCODER -> sd.tensors().forEach((k, v) -> out.put(PREFIX + k, v));
            case OTHER -> throw new SamtuneException(sd.source() + ": holds no SAM image encoder (expected "
                    + "image_encoder.* keys, or an encoder's own patch_embed.*, blocks.*/layers.*, neck.* keys)");
        }
        return new StateDict(out, sd.source());
    }

    /** A whole-SAM (or encoder-only) state dict as SAM's layout: bare encoder keys get the prefix. */
    public static StateDict asSamLayout(StateDict sd) {
        return holds(sd) == Holds.BARE_ENCODER ? encoderOf(sd) : sd;
    }

    /** {@code whole}'s tensors with its image encoder replaced by {@code encoder}'s. */
    public static StateDict combine(StateDict whole, StateDict encoder) {
        StateDict enc = encoderOf(encoder);
        Map<String, TensorData> out = new LinkedHashMap<>();
        whole.tensors().forEach((k, v) -> {
            if (!k.startsWith(PREFIX)) {
                out.put(k, v);
            }
        });
        out.putAll(enc.tensors());
        return new StateDict(out, whole.source() + " + encoder of " + encoder.source());
    }

    /**
     * Checks that {@code sd} holds every image-encoder tensor of {@code sam} with its shape, so that loading does
     * not silently keep a random encoder.
     */
    public static void requireFits(Sam sam, StateDict sd, String arch) {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, ai.djl.ndarray.NDArray> e : sam.stateArrays().entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(PREFIX) || k.endsWith("num_batches_tracked")) {
                continue;
            }
            checked++;
            TensorData t = sd.get(k);
            long[] want = e.getValue().getShape().getShape();
            if (t == null) {
                problems.add(k + " missing");
            } else if (!java.util.Arrays.equals(want, t.shape())) {
                problems.add(k + " is " + t.shapeString() + ", expected " + java.util.Arrays.toString(want));
            }
        }
        if (!problems.isEmpty()) {
            throw new SamtuneException(sd.source() + ": image encoder does not fit --arch " + arch + ": "
                    + problems.size() + " of " + checked + " encoder tensors differ (" + String.join("; ",
                    problems.subList(0, Math.min(3, problems.size()))) + (problems.size() > 3 ? "; ..." : "") + ")");
        }
    }

    /**
     * The architecture of an encoder-only state dict ({@code image_encoder.*} keys): vit_t for TinyViT; vit_b,
     * vit_l, vit_h or compact when every encoder tensor has that preset's shape; custom otherwise.
     */
    public static String arch(StateDict encoder) {
        if (SamModels.isTinyViT(encoder)) {
            return "vit_t";
        }
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            for (String a : List.of("vit_b", "vit_l", "vit_h", "compact")) {
                SamConfig c = a.equals("compact") ? SamModels.compact() : SamConfig.preset(a);
                Sam sam = Sam.buildShapesOnly(m, c);
                boolean same = true;
                int n = 0;
                for (Map.Entry<String, ai.djl.ndarray.NDArray> e : sam.stateArrays().entrySet()) {
                    if (!e.getKey().startsWith(PREFIX)) {
                        continue;
                    }
                    n++;
                    TensorData t = encoder.get(e.getKey());
                    if (t == null || !java.util.Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
                        same = false;
                        break;
                    }
                }
                if (same && n == encoder.size()) {
                    return a;
                }
            }
        }
        return "custom";
    }
}
