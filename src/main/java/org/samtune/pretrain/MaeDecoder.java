package org.samtune.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.samtune.model.Block;
import org.samtune.model.BlockOrder;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * MAE's light decoder ({@code models_mae.MaskedAutoencoderViT.decoder_*}) on SAM's image embeddings: a linear
 * embedding to the decoder width, a fixed 2-D sine-cosine position embedding, plain transformer blocks with global
 * attention (SAM's {@link Block} without relative positions is timm's pre-norm block), LayerNorm, and a linear
 * prediction of each patch's p·p·3 pixels. It exists only for pretraining: the run's SAM checkpoint leaves it out.
 *
 * <p>MAE's decoder receives the visible tokens and inserts mask tokens itself; here the encoder already processed
 * the full grid with a mask token in place of every hidden patch, so the decoder reads every position as it is.
 */
public final class MaeDecoder extends Module {
    public final Linear decoder_embed;
    public final ModuleList<Block> decoder_blocks;
    public final LayerNorm decoder_norm;
    public final Linear decoder_pred;
    private final int grid;
    private final int dim;

    /**
     * @param inChans  channels of the image embeddings (SAM's neck: 256)
     * @param grid     side of the embedding grid (image size / 16)
     * @param patch    pixels per patch side (image size / grid)
     */
    public MaeDecoder(NDManager manager, int inChans, int grid, int patch, int dim, int depth, int heads) {
        super(manager);
        this.grid = grid;
        this.dim = dim;
        decoder_embed = module("decoder_embed", new Linear(manager, inChans, dim, true));
        buffer("decoder_pos_embed", manager.create(sinCos2d(dim, grid), new Shape(1, grid, grid, dim)), true);
        decoder_blocks = module("decoder_blocks", new ModuleList<>(manager));
        for (int i = 0; i < depth; i++) {
            decoder_blocks.add(new Block(manager, dim, heads, 4.0, true, false, 0, grid, BlockOrder.OFFICIAL));
        }
        decoder_norm = module("decoder_norm", new LayerNorm(manager, dim, 1e-6f));
        decoder_pred = module("decoder_pred", new Linear(manager, dim, patch * patch * 3, true));
    }

    /** Image embeddings (B, C, g, g) → predicted patches (B, g·g, p·p·3), patches in row-major order. */
    public NDArray forward(NDArray embeddings) {
        long b = embeddings.getShape().get(0);
        NDArray x = decoder_embed.forward(embeddings.transpose(0, 2, 3, 1));
        x = x.add(buffer("decoder_pos_embed"));
        for (Block blk : decoder_blocks.items()) {
            x = blk.forward(x);
        }
        x = decoder_pred.forward(decoder_norm.forward(x));
        return x.reshape(b, (long) grid * grid, x.getShape().get(3));
    }

    /** MAE's initialisation: Xavier-uniform for every linear layer, zero biases; LayerNorm 1 and 0. */
    public void initializeWeights(long seed) {
        initialize(seed);
        Random rng = new Random(seed ^ 0x6D6165L);
        namedModules().values().forEach(m -> {
            if (m instanceof Linear l) {
                uniform(l.weight, Math.sqrt(6.0 / (l.inFeatures + l.outFeatures)), rng);
                if (l.bias != null) {
                    l.bias.array().set(new float[l.outFeatures]);
                }
            }
        });
    }

    public int dim() {
        return dim;
    }

    /**
     * MAE's {@code get_2d_sincos_pos_embed(dim, grid)} without the class token: row-major positions; the first half
     * of the channels encodes the column (MAE's meshgrid puts w first), the second half the row; each half is
     * sin then cos of position · 10000^(−k/(dim/4)).
     */
    public static float[] sinCos2d(int dim, int grid) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("sine-cosine position embedding needs a width divisible by 4, got " + dim);
        }
        int half = dim / 2;
        int quarter = dim / 4;
        float[] out = new float[grid * grid * dim];
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                int base = (r * grid + c) * dim;
                for (int k = 0; k < quarter; k++) {
                    double omega = 1.0 / Math.pow(10000, k / (double) quarter);
                    out[base + k] = (float) Math.sin(c * omega);
                    out[base + quarter + k] = (float) Math.cos(c * omega);
                    out[base + half + k] = (float) Math.sin(r * omega);
                    out[base + half + quarter + k] = (float) Math.cos(r * omega);
                }
            }
        }
        return out;
    }
}
