package org.samtune.model;

import java.util.List;
import org.samtune.SamtuneException;

/**
 * The constructor arguments of MobileSAM's {@code TinyViT} that shape the network (dropout and drop-path are 0
 * in MobileSAM and not modelled; {@code layer_lr_decay} only tags parameters in PyTorch).
 *
 * <p>MobileSAM hard-codes a 4-stage layout whose last PatchMerging keeps the grid (stride 1, see
 * {@link PatchMerging#strideFor}) and a 256-channel neck, so the output is (B, 256, imgSize/16, imgSize/16).
 */
public record TinyViTConfig(
        int imgSize,
        int inChans,
        int numClasses,
        List<Integer> embedDims,
        List<Integer> depths,
        List<Integer> numHeads,
        List<Integer> windowSizes,
        double mlpRatio,
        double mbconvExpandRatio,
        int localConvSize) {

    /** Channels of the neck, hard-coded in MobileSAM's TinyViT. */
    public static final int NECK_CHANS = 256;

    public TinyViTConfig {
        embedDims = List.copyOf(embedDims);
        depths = List.copyOf(depths);
        numHeads = List.copyOf(numHeads);
        windowSizes = List.copyOf(windowSizes);
        requireFour("embed_dims", embedDims);
        requireFour("depths", depths);
        requireFour("num_heads", numHeads);
        requireFour("window_sizes", windowSizes);
        if (imgSize <= 0 || imgSize % 64 != 0) {
            throw new SamtuneException("TinyViT config: img_size must be a positive multiple of 64 (patch "
                    + "embedding /4, two stride-2 merges, final grid img_size/16), got " + imgSize);
        }
        for (int i = 1; i < 4; i++) {
            if (embedDims.get(i) % numHeads.get(i) != 0) {
                throw new SamtuneException("TinyViT config: embed_dims[" + i + "] = " + embedDims.get(i)
                        + " must be divisible by num_heads[" + i + "] = " + numHeads.get(i));
            }
        }
        for (int i = 1; i < 3; i++) {
            if (PatchMerging.strideFor(embedDims.get(i)) != 2) {
                throw new SamtuneException("TinyViT config: embed_dims[" + i + "] = " + embedDims.get(i)
                        + " would make MobileSAM's PatchMerging keep the grid; expected a width other than "
                        + "320, 448, 576 for stages 1 and 2");
            }
        }
        if (PatchMerging.strideFor(embedDims.get(3)) != 1) {
            throw new SamtuneException("TinyViT config: embed_dims[3] must be 320, 448 or 576 (MobileSAM's "
                    + "stride-1 last merge keeps the img_size/16 grid), got " + embedDims.get(3));
        }
        if (embedDims.get(0) % 2 != 0) {
            throw new SamtuneException("TinyViT config: embed_dims[0] must be even (patch embedding halves it), got "
                    + embedDims.get(0));
        }
    }

    private static void requireFour(String field, List<Integer> values) {
        if (values.size() != 4) {
            throw new SamtuneException("TinyViT config: " + field + " must have 4 entries (MobileSAM's stage "
                    + "layout), got " + values);
        }
    }

    /** MobileSAM's vit_t (TinyViT-5M at 1024): {@code build_sam_vit_t}. */
    public static TinyViTConfig vitT() {
        return new TinyViTConfig(1024, 3, 1000, List.of(64, 128, 160, 320), List.of(2, 2, 6, 2),
                List.of(2, 4, 5, 10), List.of(7, 7, 14, 7), 4.0, 4.0, 3);
    }

    /** The reduced vit_t of the mobilesam-tiny test fixture ({@code mobilesam_tiny.json}). */
    public static TinyViTConfig mobileSamTiny() {
        return new TinyViTConfig(1024, 3, 10, List.of(8, 16, 24, 320), List.of(2, 2, 2, 1),
                List.of(2, 2, 3, 10), List.of(7, 7, 14, 7), 2.0, 4.0, 3);
    }

    /**
     * The TinyViT a MobileSAM state dict ({@code image_encoder.*} keys) was saved from, read off tensor shapes:
     * widths, depths, heads (attention_biases rows), windows (attention_biases columns = window²), MLP and MBConv
     * ratios, local-conv size and classifier width. Not visible in weights and fixed by MobileSAM's forward pass:
     * img_size 1024 (a 64×64 final grid), and the conv stage's unused heads/window (vit_t's 2 and 7).
     *
     * @throws SamtuneException naming the checkpoint and the missing or inconsistent key
     */
    public static TinyViTConfig infer(org.samtune.checkpoint.StateDict sd) {
        String e = "image_encoder.";
        int dim0 = (int) shape(sd, e + "patch_embed.seq.2.c.weight")[0];
        int inChans = (int) shape(sd, e + "patch_embed.seq.0.c.weight")[1];
        java.util.List<Integer> dims = new java.util.ArrayList<>(List.of(dim0));
        java.util.List<Integer> depths = new java.util.ArrayList<>();
        java.util.List<Integer> heads = new java.util.ArrayList<>(List.of(2));
        java.util.List<Integer> windows = new java.util.ArrayList<>(List.of(7));
        int d0 = 0;
        while (sd.contains(e + "layers.0.blocks." + d0 + ".conv1.c.weight")) {
            d0++;
        }
        depths.add(d0);
        for (int i = 1; i < 4; i++) {
            String blk = e + "layers." + i + ".blocks.";
            int depth = 0;
            while (sd.contains(blk + depth + ".attn.attention_biases")) {
                depth++;
            }
            if (depth == 0) {
                throw new SamtuneException(sd.source() + ": key " + blk + "0.attn.attention_biases missing "
                        + "(a MobileSAM TinyViT has transformer stages layers.1..3)");
            }
            depths.add(depth);
            long[] biases = shape(sd, blk + "0.attn.attention_biases");
            int window = (int) Math.round(Math.sqrt(biases[1]));
            if (biases.length != 2 || (long) window * window != biases[1]) {
                throw new SamtuneException(sd.source() + ": " + blk + "0.attn.attention_biases has shape "
                        + java.util.Arrays.toString(biases) + "; expected (heads, window²)");
            }
            heads.add((int) biases[0]);
            windows.add(window);
            dims.add((int) shape(sd, blk + "0.attn.norm.weight")[0]);
        }
        long hidden = shape(sd, e + "layers.1.blocks.0.mlp.fc1.weight")[0];
        long expanded = shape(sd, e + "layers.0.blocks.0.conv1.c.weight")[0];
        int localConv = (int) shape(sd, e + "layers.1.blocks.0.local_conv.c.weight")[2];
        int classes = sd.contains(e + "head.weight") ? (int) shape(sd, e + "head.weight")[0] : 0;
        return new TinyViTConfig(1024, inChans, classes, dims, depths, heads, windows,
                (double) hidden / dims.get(1), (double) expanded / dim0, localConv);
    }

    private static long[] shape(org.samtune.checkpoint.StateDict sd, String key) {
        var t = sd.get(key);
        if (t == null) {
            throw new SamtuneException(sd.source() + ": key " + key + " missing (needed to infer the TinyViT "
                    + "configuration)");
        }
        return t.shape();
    }

    /** Side of the token grid after the patch embedding (img_size / 4). */
    public int patchesResolution() {
        return imgSize / 4;
    }

    /** Grid side of stage {@code i}: MobileSAM's {@code patches // 2**(i-1 if i == 3 else i)}. */
    public int stageResolution(int i) {
        return patchesResolution() >> (i == 3 ? i - 1 : i);
    }
}
