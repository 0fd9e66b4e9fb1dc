package org.samtune.model;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;

/**
 * Constructor arguments of a SAM model, as the official {@code build_sam.py} passes them.
 *
 * @param arch        "vit_b", "vit_l", "vit_h", "vit_t" or "custom" (inferred / test configs)
 * @param vit         the ViT image encoder; null for vit_t, whose TinyViT encoder is configured by {@code TinyViT}
 * @param prompt      the prompt encoder
 * @param decoder     the mask decoder and its two-way transformer
 */
public record SamConfig(String arch, ViT vit, Prompt prompt, Decoder decoder) {

    /** {@code ImageEncoderViT} arguments. */
    public record ViT(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads,
                      double mlpRatio, int outChans, boolean qkvBias, boolean useAbsPos, boolean useRelPos,
                      int windowSize, List<Integer> globalAttnIndexes, BlockOrder blockOrder) {
        public ViT {
            globalAttnIndexes = List.copyOf(globalAttnIndexes);
            if (embedDim % numHeads != 0) {
                throw new IllegalArgumentException("embed_dim " + embedDim + " not divisible by num_heads " + numHeads);
            }
        }

        public int headDim() {
            return embedDim / numHeads;
        }

        /** Side of the token grid (64 for 1024-pixel input with 16-pixel patches). */
        public int gridSize() {
            return imgSize / patchSize;
        }

        public int mlpDim() {
            return (int) (embedDim * mlpRatio);
        }

        public boolean isGlobal(int block) {
            return globalAttnIndexes.contains(block);
        }

        public ViT withBlockOrder(BlockOrder order) {
            return new ViT(imgSize, patchSize, inChans, embedDim, depth, numHeads, mlpRatio, outChans, qkvBias,
                    useAbsPos, useRelPos, windowSize, globalAttnIndexes, order);
        }
    }

    /** {@code PromptEncoder} arguments; {@code maskInputSize} is 4 × the embedding size. */
    public record Prompt(int embedDim, int imageEmbeddingSize, int inputImageSize, int maskInChans) {
        public int maskInputSize() {
            return 4 * imageEmbeddingSize;
        }
    }

    /**
     * {@code MaskDecoder} + {@code TwoWayTransformer} arguments. {@code numMultimaskOutputs} is 3 in SAM and
     * finetune-SAM's {@code num_classes}; the decoder has {@code numMultimaskOutputs + 1} mask tokens.
     */
    public record Decoder(int transformerDim, int numMultimaskOutputs, int iouHeadDepth, int iouHeadHiddenDim,
                          int transformerDepth, int mlpDim, int numHeads, int attentionDownsampleRate) {
        public int numMaskTokens() {
            return numMultimaskOutputs + 1;
        }
    }

    private static final int IMG = 1024;
    private static final int PATCH = 16;
    private static final int PROMPT_DIM = 256;

    public static SamConfig vitB() {
        return official("vit_b", 768, 12, 12, List.of(2, 5, 8, 11));
    }

    public static SamConfig vitL() {
        return official("vit_l", 1024, 24, 16, List.of(5, 11, 17, 23));
    }

    public static SamConfig vitH() {
        return official("vit_h", 1280, 32, 16, List.of(7, 15, 23, 31));
    }

    /** The preset for an architecture name as the CLI and finetune-SAM spell it (vit_b, vit_l, vit_h). */
    public static SamConfig preset(String arch) {
        return switch (arch) {
            case "vit_b" -> vitB();
            case "vit_l" -> vitL();
            case "vit_h" -> vitH();
            default -> throw new IllegalArgumentException(
                    "unknown SAM architecture '" + arch + "' (expected vit_b, vit_l or vit_h; vit_t is TinyViT)");
        };
    }

    private static SamConfig official(String arch, int dim, int depth, int heads, List<Integer> global) {
        ViT vit = new ViT(IMG, PATCH, 3, dim, depth, heads, 4.0, PROMPT_DIM, true, true, true, 14, global,
                BlockOrder.OFFICIAL);
        return new SamConfig(arch, vit, defaultPrompt(), defaultDecoder(3));
    }

    /** Prompt encoder of every released SAM / MobileSAM / MedSAM model. */
    public static Prompt defaultPrompt() {
        return new Prompt(PROMPT_DIM, IMG / PATCH, IMG, 16);
    }

    /** Mask decoder of every released model, with {@code numMultimaskOutputs} outputs (3 in SAM). */
    public static Decoder defaultDecoder(int numMultimaskOutputs) {
        return new Decoder(PROMPT_DIM, numMultimaskOutputs, 3, 256, 2, 2048, 8, 2);
    }

    /**
     * finetune-SAM's {@code num_classes}: the multimask outputs become class channels, so the decoder gets
     * {@code numClasses + 1} mask tokens and an IoU head of that width.
     */
    public SamConfig withNumClasses(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("num_classes must be >= 1, got " + numClasses);
        }
        Decoder d = decoder;
        return new SamConfig(arch, vit, prompt, new Decoder(d.transformerDim, numClasses, d.iouHeadDepth,
                d.iouHeadHiddenDim, d.transformerDepth, d.mlpDim, d.numHeads, d.attentionDownsampleRate));
    }

    /** The same model with the encoder blocks ordered as finetune-SAM or as official SAM. */
    public SamConfig withBlockOrder(BlockOrder order) {
        if (vit == null) {
            return this;
        }
        return new SamConfig(arch, vit.withBlockOrder(order), prompt, decoder);
    }

    /**
     * The same model at another square input size: the encoder's token grid, the prompt encoder's embedding size
     * and mask-input size follow (S / patch, 4·S / patch); weights made for another size go through
     * {@link PositionResize}. Windowed blocks keep their window.
     *
     * @throws SamtuneException when {@code size} is not a positive multiple of the patch size (16)
     */
    public SamConfig withImageSize(int size) {
        if (vit == null) {
            throw new SamtuneException("--image-size: " + arch + " (MobileSAM's TinyViT) runs at "
                    + prompt.inputImageSize + " only; another input size needs a ViT (vit_b, vit_l, vit_h, compact)");
        }
        if (size <= 0 || size % vit.patchSize != 0) {
            throw new SamtuneException("--image-size: expected a positive multiple of " + vit.patchSize
                    + " (the patch size), got " + size);
        }
        if (size == vit.imgSize && size == prompt.inputImageSize) {
            return this;
        }
        ViT v = new ViT(size, vit.patchSize, vit.inChans, vit.embedDim, vit.depth, vit.numHeads, vit.mlpRatio,
                vit.outChans, vit.qkvBias, vit.useAbsPos, vit.useRelPos, vit.windowSize, vit.globalAttnIndexes,
                vit.blockOrder);
        Prompt p = new Prompt(prompt.embedDim, size / vit.patchSize, size, prompt.maskInChans);
        return new SamConfig(arch, v, p, decoder);
    }

    /** Side of the square model input. */
    public int imgSize() {
        return prompt.inputImageSize;
    }

    /**
     * The tiny model of the PyTorch fixtures (fixtures/sam-tiny/tiny_sam.json): 128-pixel input, 8×8 tokens,
     * window 3 (so windowed blocks pad 8→9 as real SAM pads 64→70), embed 48, 2 heads, prompt dim 32.
     */
    public static SamConfig tiny() {
        ViT vit = new ViT(128, 16, 3, 48, 2, 2, 4.0, 32, true, true, true, 3, List.of(1), BlockOrder.OFFICIAL);
        return new SamConfig("custom", vit, new Prompt(32, 8, 128, 16), new Decoder(32, 3, 3, 32, 2, 64, 2, 2));
    }

    // ---- inference from a checkpoint ------------------------------------------------------------------------

    /**
     * The ViT SAM configuration a state dict was saved from, read off tensor shapes: embed dim (pos_embed), patch
     * size and input size (patch_embed, pos_embed), depth (blocks.N), heads (embed / head dim, head dim =
     * rel_pos_h columns), global blocks (rel_pos spanning the whole grid), window (other rel_pos), MLP ratio, neck
     * width, prompt and decoder widths and the number of mask tokens. LoRA-wrapped keys ({@code qkv.qkv.weight},
     * {@code q_proj.proj.weight}) are understood. Decoder attention heads are not visible in any shape; every
     * released model uses 8, which is assumed. Block order cannot be read from weights: OFFICIAL.
     *
     * @throws SamtuneException naming the checkpoint and the missing or inconsistent key
     */
    public static SamConfig infer(StateDict sd) {
        return infer(shapesOf(sd), sd.source());
    }

    /** Key → shape of a state dict, which is all {@link #infer} reads. */
    public static java.util.Map<String, long[]> shapesOf(StateDict sd) {
        java.util.Map<String, long[]> out = new java.util.LinkedHashMap<>();
        sd.tensors().forEach((k, t) -> out.put(k, t.shape()));
        return out;
    }

    /** {@link #infer(StateDict)} from key → shape alone; {@code source} names the checkpoint in messages. */
    public static SamConfig infer(java.util.Map<String, long[]> shapes, String source) {
        Shapes sd = new Shapes(shapes, source);
        if (sd.keys().stream().anyMatch(k -> k.startsWith("image_encoder.layers."))) {
            throw new SamtuneException(sd.source() + ": a MobileSAM (vit_t, TinyViT) checkpoint "
                    + "(keys image_encoder.layers.*); its encoder is configured by TinyViT, not SamConfig.infer");
        }
        long[] pos = shape(sd, "image_encoder.pos_embed");
        long[] patch = shape(sd, "image_encoder.patch_embed.proj.weight");
        if (pos.length != 4 || patch.length != 4 || patch[2] != patch[3] || pos[1] != pos[2] || pos[3] != patch[0]) {
            throw new SamtuneException(sd.source() + ": image_encoder.pos_embed " + java.util.Arrays.toString(pos)
                    + " and patch_embed.proj.weight " + java.util.Arrays.toString(patch)
                    + " are not a square ViT token grid (expected (1,G,G,D) and (D,3,P,P))");
        }
        int dim = (int) patch[0];
        int patchSize = (int) patch[2];
        int grid = (int) pos[1];
        int depth = 0;
        while (sd.contains("image_encoder.blocks." + depth + ".norm1.weight")) {
            depth++;
        }
        if (depth == 0) {
            throw new SamtuneException(sd.source() + ": no image_encoder.blocks.0.norm1.weight (not a ViT SAM)");
        }
        boolean relPos = sd.contains("image_encoder.blocks.0.attn.rel_pos_h");
        int headDim;
        List<Integer> global = new java.util.ArrayList<>();
        int window = 14;
        if (relPos) {
            headDim = (int) shape(sd, "image_encoder.blocks.0.attn.rel_pos_h")[1];
            Set<Integer> windows = new TreeSet<>();
            for (int i = 0; i < depth; i++) {
                long span = shape(sd, "image_encoder.blocks." + i + ".attn.rel_pos_h")[0];
                if (span == 2L * grid - 1) {
                    global.add(i);
                } else {
                    windows.add((int) (span + 1) / 2);
                }
            }
            if (windows.size() > 1) {
                throw new SamtuneException(sd.source() + ": windowed blocks have different rel_pos sizes "
                        + windows + "; SAM uses one window size");
            }
            if (!windows.isEmpty()) {
                window = windows.iterator().next();
            }
        } else {
            throw new SamtuneException(sd.source() + ": image_encoder.blocks.0.attn.rel_pos_h missing; "
                    + "cannot infer the number of heads of a ViT without relative positions");
        }
        if (headDim <= 0 || dim % headDim != 0) {
            throw new SamtuneException(sd.source() + ": image_encoder.blocks.0.attn.rel_pos_h head dim " + headDim
                    + " does not divide embed dim " + dim);
        }
        String qkv = sd.contains("image_encoder.blocks.0.attn.qkv.qkv.weight")
                ? "image_encoder.blocks.0.attn.qkv.qkv." : "image_encoder.blocks.0.attn.qkv.";
        boolean qkvBias = sd.contains(qkv + "bias");
        long mlp = shape(sd, "image_encoder.blocks.0.mlp.lin1.weight")[0];
        int outChans = (int) shape(sd, "image_encoder.neck.0.weight")[0];
        ViT vit = new ViT(grid * patchSize, patchSize, (int) patch[1], dim, depth, dim / headDim,
                (double) mlp / dim, outChans, qkvBias, true, true, window, global, BlockOrder.OFFICIAL);

        Prompt prompt = new Prompt((int) shape(sd, "prompt_encoder.no_mask_embed.weight")[1], grid,
                grid * patchSize, (int) shape(sd, "prompt_encoder.mask_downscaling.3.weight")[0]);
        Decoder decoder = inferDecoder(sd);
        String arch = "custom";
        for (SamConfig p : List.of(vitB(), vitL(), vitH())) {
            if (p.vit.equals(vit) && p.prompt.equals(prompt)) {
                arch = p.arch;
            }
        }
        return new SamConfig(arch, vit, prompt, decoder);
    }

    /** The prompt-encoder-independent decoder shape of any SAM checkpoint (ViT or TinyViT). */
    public static Decoder inferDecoder(StateDict sd) {
        return inferDecoder(new Shapes(shapesOf(sd), sd.source()));
    }

    /** {@link #inferDecoder(StateDict)} from key → shape alone. */
    public static Decoder inferDecoder(java.util.Map<String, long[]> shapes, String source) {
        return inferDecoder(new Shapes(shapes, source));
    }

    private static Decoder inferDecoder(Shapes sd) {
        String t = "mask_decoder.transformer.";
        int dim = (int) shape(sd, "mask_decoder.iou_token.weight")[1];
        int tokens = (int) shape(sd, "mask_decoder.mask_tokens.weight")[0];
        int iouDepth = 0;
        while (sd.contains("mask_decoder.iou_prediction_head.layers." + iouDepth + ".weight")) {
            iouDepth++;
        }
        int hidden = (int) shape(sd, "mask_decoder.iou_prediction_head.layers.0.weight")[0];
        int depth = 0;
        while (sd.contains(t + "layers." + depth + ".norm1.weight")) {
            depth++;
        }
        int mlp = (int) shape(sd, t + "layers.0.mlp.lin1.weight")[0];
        String q = t + "final_attn_token_to_image.q_proj.";
        long internal = shape(sd, sd.contains(q + "proj.weight") ? q + "proj.weight" : q + "weight")[0];
        if (tokens < 2 || iouDepth == 0 || depth == 0 || internal <= 0 || dim % internal != 0) {
            throw new SamtuneException(sd.source() + ": mask decoder shapes are inconsistent (mask_tokens "
                    + tokens + ", iou head depth " + iouDepth + ", transformer depth " + depth + ")");
        }
        int heads = dim == 256 ? 8 : Math.max(1, dim / 16);
        return new Decoder(dim, tokens - 1, iouDepth, hidden, depth, mlp, heads, (int) (dim / internal));
    }

    private record Shapes(java.util.Map<String, long[]> map, String source) {
        java.util.Set<String> keys() {
            return map.keySet();
        }

        boolean contains(String key) {
            return map.containsKey(key);
        }
    }

    private static long[] shape(Shapes sd, String key) {
        long[] s = sd.map().get(key);
        if (s == null) {
            throw new SamtuneException(sd.source() + ": key " + key + " missing (needed to infer the SAM architecture)");
        }
        return s;
    }
}
