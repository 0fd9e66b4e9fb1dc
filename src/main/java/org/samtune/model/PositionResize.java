package org.samtune.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.TorchBilinear;

/**
 * A ViT SAM checkpoint made for another input size, as SAMed, SAM-LST and finetune-SAM's {@code load_from} do it:
 * <ul>
 *   <li>{@code image_encoder.pos_embed} (1, G, G, C) is permuted to (1, C, G, G), resized bilinearly to (t, t)
 *       ({@code align_corners=False}, no antialiasing) and permuted back;</li>
 *   <li>the relative positions of the <b>global-attention</b> blocks, (2G − 1, D) viewed as (1, 1, 2G − 1, D), are
 *       resized bilinearly to (2t − 1, D);</li>
 *   <li>windowed blocks keep theirs (their span is the window, not the image), and every other tensor is
 *       unchanged.</li>
 * </ul>
 * The arithmetic is {@link TorchBilinear}'s, i.e. PyTorch's CPU kernel; the permuted pos_embed is channels-last
 * contiguous in PyTorch, so that is the kernel reproduced. Conversion runs on heap tensors before anything is
 * loaded into the model. Unlike SAMed (which picks global blocks by a digit in the key), the global blocks are the
 * target model's {@code global_attn_indexes}.
 */
public final class PositionResize {
    private static final String POS = "image_encoder.pos_embed";

    private PositionResize() {}

    /**
     * {@code sd} with its position tensors fitted to the encoder {@code target}; {@code sd} itself if nothing
     * differs. Keys absent from {@code sd} (a tuned-weights file holding only some tensors) are skipped.
     *
     * @throws SamtuneException naming the checkpoint and the key when a position tensor cannot be converted
     */
    public static StateDict fit(StateDict sd, SamConfig.ViT target) {
        int t = target.gridSize();
        Map<String, TensorData> out = new LinkedHashMap<>(sd.tensors());
        boolean changed = false;
        int sourceGrid = -1;
        TensorData pos = sd.get(POS);
        if (pos != null) {
            long[] s = pos.shape();
            if (s.length != 4 || s[0] != 1 || s[1] != s[2] || s[3] != target.embedDim()) {
                throw new SamtuneException(sd.source() + ": " + POS + " " + Arrays.toString(s) + " cannot be "
                        + "converted to the model's (1, " + t + ", " + t + ", " + target.embedDim() + ")");
            }
            sourceGrid = (int) s[1];
            if (sourceGrid != t) {
                out.put(POS, resizePosEmbed(pos, t));
                changed = true;
            }
        }
        for (int i = 0; i < target.depth(); i++) {
            for (String axis : new String[] {"h", "w"}) {
                String key = "image_encoder.blocks." + i + ".attn.rel_pos_" + axis;
                TensorData rel = sd.get(key);
                if (rel == null) {
                    continue;
                }
                long[] s = rel.shape();
                int span = target.isGlobal(i) ? 2 * t - 1 : 2 * target.windowSize() - 1;
                if (s.length != 2 || s[1] != target.headDim()) {
                    throw new SamtuneException(sd.source() + ": " + key + " " + Arrays.toString(s) + " cannot be "
                            + "converted: expected (L, " + target.headDim() + ") relative positions");
                }
                if (s[0] == span) {
                    continue;
                }
                if (!target.isGlobal(i)) {
                    throw new SamtuneException(sd.source() + ": " + key + " has " + s[0] + " rows but block " + i
                            + " is windowed (window " + target.windowSize() + ", " + span + " rows): a windowed "
                            + "block's relative positions cannot be converted to another window");
                }
                if (sourceGrid > 0 && s[0] != 2L * sourceGrid - 1) {
                    throw new SamtuneException(sd.source() + ": " + key + " has " + s[0] + " rows, but a global "
                            + "block of a " + sourceGrid + "x" + sourceGrid + "-token checkpoint has "
                            + (2 * sourceGrid - 1) + ": cannot be converted (is block " + i + " global there?)");
                }
                out.put(key, resizeRows(rel, span));
                changed = true;
            }
        }
        return changed ? new StateDict(out, sd.source()) : sd;
    }

    /** (1, G, G, C) → (1, t, t, C) through the (1, C, G, G) view, channels-last kernel. */
    static TensorData resizePosEmbed(TensorData pos, int t) {
        long[] s = pos.shape();
        int g = (int) s[1];
        int c = (int) s[3];
        float[] nhwc = pos.toFloats();
        float[] nchw = new float[nhwc.length];
        for (int y = 0; y < g; y++) {
            for (int x = 0; x < g; x++) {
                for (int k = 0; k < c; k++) {
                    nchw[(k * g + y) * g + x] = nhwc[(y * g + x) * c + k];
                }
            }
        }
        float[] r = TorchBilinear.resize(nchw, 1, c, g, g, t, t, false, true);
        float[] back = new float[t * t * c];
        for (int y = 0; y < t; y++) {
            for (int x = 0; x < t; x++) {
                for (int k = 0; k < c; k++) {
                    back[(y * t + x) * c + k] = r[(k * t + y) * t + x];
                }
            }
        }
        return TensorData.ofFloats(back, 1, t, t, c);
    }

    /** (L, D) viewed as (1, 1, L, D) → (rows, D); a contiguous single-channel tensor (channels-last kernel). */
    static TensorData resizeRows(TensorData rel, int rows) {
        long[] s = rel.shape();
        int l = (int) s[0];
        int d = (int) s[1];
        return TensorData.ofFloats(TorchBilinear.resize(rel.toFloats(), 1, 1, l, d, rows, d, false, true), rows, d);
    }
}
