package org.samtune.peft;

import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;
import org.samtune.model.Block;
import org.samtune.model.ImageEncoderViT;
import org.samtune.model.Sam;
import org.samtune.model.TinyViT;
import org.samtune.model.TwoWayAttentionBlock;
import org.samtune.model.nn.Module;

/**
 * Inserts finetune-SAM's adapters (from Medical-SAM-Adapter) with its state-dict names: in each chosen ViT block a
 * residual {@code Space_Adapter} on the attention output, a parallel {@code MLP_Adapter} (no skip) scaled by 0.5
 * and an unused {@code Depth_Adapter}; in the first {@code decoderAdaptDepth} two-way blocks one residual
 * {@code Adapter} (applied to queries and keys) and a parallel {@code MLP_Adapter} scaled by 0.5.
 */
public final class Adapters {
    /** finetune-SAM's {@code scale} for the parallel MLP adapters. */
    public static final float MLP_ADAPTER_SCALE = 0.5f;

    private Adapters() {}

    /**
     * @param encoderBlocks     ViT block indexes (finetune-SAM's {@code encoder_adapter_depths}, default [0,1,10,11]);
     *                          for MobileSAM the TinyViT stage depths (0..2 = layers.1..3), see {@link TinyViTAdapters}
     * @param decoderAdaptDepth number of two-way blocks from the first that get adapters (finetune-SAM: 2 = all)
     * @param init              PyTorch's default (finetune-SAM) or zero up-projections
     * @param seed              seed of the new layers' initialisation
     * @return the new adapter modules, for the caller's tuning plan
     */
    public static List<Module> insert(Sam sam, List<Integer> encoderBlocks, int decoderAdaptDepth, AdapterInit init,
                                      long seed) {
        List<Module> added = new ArrayList<>();
        long s = seed;
        if (!encoderBlocks.isEmpty() && sam.imageEncoder() instanceof TinyViT tiny) {
            // MobileSAM: encoderBlocks are finetune-SAM's stage depths (0..2 = layers.1..3), see TinyViTAdapters.
            List<Module> enc = TinyViTAdapters.insert(tiny, encoderBlocks, init, s);
            added.addAll(enc);
            s += enc.size();
        } else if (!encoderBlocks.isEmpty()) {
            if (!(sam.imageEncoder() instanceof ImageEncoderViT vit)) {
                throw new SamtuneException("encoder adapters: only the ViT encoder is supported here, not "
                        + sam.imageEncoder().getClass().getSimpleName());
            }
            int depth = vit.blocks.size();
            int dim = vit.config.embedDim();
            for (int i : encoderBlocks) {
                if (i < 0 || i >= depth) {
                    throw new SamtuneException("encoder adapter block " + i + " out of range: the encoder has "
                            + depth + " blocks (0.." + (depth - 1) + ")");
                }
                Block b = vit.blocks.get(i);
                Adapter space = new Adapter(b.manager(), dim, true);
                Adapter mlp = new Adapter(b.manager(), dim, false);
                Adapter depthAdapter = new Adapter(b.manager(), dim, true);
                for (Adapter a : List.of(mlp, space, depthAdapter)) {
                    a.initialize(init, s++);
                    added.add(a);
                }
                b.attachAdapters(space, mlp, depthAdapter, MLP_ADAPTER_SCALE);
            }
        }
        var layers = sam.maskDecoder().transformer.layers;
        if (decoderAdaptDepth < 0 || decoderAdaptDepth > layers.size()) {
            throw new SamtuneException("decoder adapter depth " + decoderAdaptDepth + " out of range 0.."
                    + layers.size());
        }
        for (int i = 0; i < decoderAdaptDepth; i++) {
            TwoWayAttentionBlock l = layers.get(i);
            int dim = l.norm1.dim;
            Adapter mlp = new Adapter(l.manager(), dim, false);
            Adapter adapter = new Adapter(l.manager(), dim, true);
            for (Adapter a : List.of(mlp, adapter)) {
                a.initialize(init, s++);
                added.add(a);
            }
            l.attachAdapters(adapter, mlp, MLP_ADAPTER_SCALE);
        }
        return added;
    }

    /** finetune-SAM's defaults: PyTorch init. */
    public static List<Module> insert(Sam sam, List<Integer> encoderBlocks, int decoderAdaptDepth) {
        return insert(sam, encoderBlocks, decoderAdaptDepth, AdapterInit.PYTORCH_DEFAULT, 0L);
    }
}
