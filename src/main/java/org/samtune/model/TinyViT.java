package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.LayerNorm2d;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;
import org.samtune.model.nn.Sequential;

/**
 * MobileSAM's image encoder (TinyViT, {@code mobile_sam.modeling.tiny_vit_sam.TinyViT}): patch embedding
 * (/4), a convolutional stage of MBConvs, three window-attention stages with PatchMerging between them (the last
 * merge keeps the grid), then SAM's neck: (B, 3, S, S) → (B, 256, S/16, S/16).
 *
 * <p>Field and child names are PyTorch's attribute names, so {@link #stateArrays()} gives MobileSAM's keys
 * (without the {@code image_encoder.} prefix that {@code Sam} adds). {@code norm_head} and {@code head} (the
 * ImageNet classifier) are kept so checkpoints load strictly; the forward pass does not use them.
 *
 * <p>BatchNorm follows the module's mode: {@link #train(boolean) train(true)} normalises with batch statistics
 * and updates the running statistics (as finetune-SAM's {@code sam.train()} does even for a frozen encoder);
 * {@code train(false)} uses the running statistics.
 */
public class TinyViT extends Module implements ImageEncoder {
    public final TinyViTConfig config;
    public final TinyViTPatchEmbed patch_embed;
    /** {@code layers.0} is a {@link ConvLayer}, {@code layers.1..3} are {@link BasicLayer}s. */
    public final ModuleList<Module> layers;
    public final LayerNorm norm_head;
    public final Linear head;
    /** {@code neck.0..3}: 1×1 conv (no bias) → LayerNorm2d(1e-6) → 3×3 conv (no bias) → LayerNorm2d(1e-6). */
    public final Sequential neck;

    public TinyViT(NDManager manager, TinyViTConfig config) {
        super(manager);
        this.config = config;
        var dims = config.embedDims();
        patch_embed = module("patch_embed", new TinyViTPatchEmbed(manager, config.inChans(), dims.get(0)));
        layers = module("layers", new ModuleList<>(manager));
        for (int i = 0; i < 4; i++) {
            int res = config.stageResolution(i);
            Integer outDim = i < 3 ? dims.get(i + 1) : null;
            if (i == 0) {
                layers.add(new ConvLayer(manager, dims.get(0), res, res, config.depths().get(0),
                        config.mbconvExpandRatio(), outDim));
            } else {
                layers.add(new BasicLayer(manager, dims.get(i), res, res, config.depths().get(i),
                        config.numHeads().get(i), config.windowSizes().get(i), config.mlpRatio(),
                        config.localConvSize(), outDim));
            }
        }
        int last = dims.get(3);
        norm_head = module("norm_head", new LayerNorm(manager, last, 1e-5f));
        head = config.numClasses() > 0 ? module("head", new Linear(manager, last, config.numClasses())) : null;
        int out = TinyViTConfig.NECK_CHANS;
        neck = module("neck", new Sequential(manager)
                .add(new Conv2d(manager, last, out, 1, 1, 0, false))
                .add(new LayerNorm2d(manager, out, 1e-6f))
                .add(new Conv2d(manager, out, out, 3, 1, 1, false))
                .add(new LayerNorm2d(manager, out, 1e-6f)));
    }

    /** Stage {@code i} (0: ConvLayer on NCHW maps → tokens; 1..3: BasicLayer on tokens). */
    public Layer layer(int i) {
        return (Layer) layers.get(i);
    }

    public ConvLayer convLayer() {
        return (ConvLayer) layers.get(0);
    }

    /** Transformer stage {@code i} in 1..3 ({@code layers.i}). */
    public BasicLayer basicLayer(int i) {
        if (i < 1 || i > 3) {
            throw new IllegalArgumentException("TinyViT transformer stages are layers 1..3, got " + i);
        }
        return (BasicLayer) layers.get(i);
    }

    @Override
    public NDArray forward(NDArray images) {
        return forward(images, java.util.function.UnaryOperator.identity());
    }

    @Override
    public NDArray forward(NDArray images, java.util.function.UnaryOperator<NDArray> afterPatchEmbed) {
        long[] s = images.getShape().getShape();
        if (s.length != 4 || s[1] != config.inChans() || s[2] != config.imgSize() || s[3] != config.imgSize()) {
            throw new SamtuneException("image encoder (TinyViT): expected a preprocessed batch (B, " + config.inChans()
                    + ", " + config.imgSize() + ", " + config.imgSize() + "), got " + images.getShape()
                    + " (resize the longest side to " + config.imgSize() + " and pad)");
        }
        NDArray x = afterPatchEmbed.apply(patch_embed.forward(channelsLast(images)));
        for (int i = 0; i < 4; i++) {
            x = layer(i).forward(x);
        }
        return neckForward(x);
    }

    /**
     * The same NCHW tensor with NHWC strides (PyTorch's {@code channels_last}). libtorch's convolutions keep the
     * format of their input, so the patch embedding and the MBConv stage, which hold most of TinyViT's time in
     * 64 MB maps, run on it: oneDNN then convolves in place instead of reordering from and to NCHW at every conv.
     * Measured with the official code ({@code tools/bench_layouts.py --what layout}): the whole encoder forward
     * takes 0.68–0.8× the NCHW time.
     * The stage's PatchMerging flattens to tokens, which returns to the default layout.
     */
    static NDArray channelsLast(NDArray nchw) {
        long[] s = nchw.getShape().getShape();
        // reshape(-1) of the permuted view cannot be a view, so it copies into NHWC order
        return nchw.transpose(0, 2, 3, 1).reshape(-1).reshape(s[0], s[2], s[3], s[1]).transpose(0, 3, 1, 2);
    }

    /** The last stage's tokens (B, R·R, C) as an NCHW map through the neck: (B, 256, R, R), R = imgSize/16. */
    public NDArray neckForward(NDArray tokens) {
        long b = tokens.getShape().get(0);
        int res = config.stageResolution(3);
        NDArray x = tokens.reshape(b, res, res, config.embedDims().get(3)).transpose(0, 3, 1, 2);
        return neck.forward(x);
    }

    @Override
    public int imgSize() {
        return config.imgSize();
    }

    @Override
    public int outChans() {
        return TinyViTConfig.NECK_CHANS;
    }

    /**
     * Fresh weights: every layer's PyTorch default initialisation (from one Java seed), then MobileSAM's
     * zero BatchNorm weight on each MBConv's last conv. Pretrained use loads a checkpoint instead.
     */
    public void initializeWeights(long seed) {
        initialize(seed);
        namedModules().values().forEach(m -> {
            if (m instanceof Conv2dBN c) {
                c.applyBnWeightInit();
            }
        });
    }
}
