package org.samtune.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.samtune.SamtuneException;
import org.samtune.model.ImageEncoder;
import org.samtune.model.ImageEncoderViT;
import org.samtune.model.Sam;
import org.samtune.model.TinyViT;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;

/**
 * Masked image modelling on SAM's own image encoder. MAE's plain ViT drops the hidden patches and encodes the
 * visible ones only; SAM's encoder cannot: its windowed attention partitions the full token grid and its relative
 * position tables assume it. So, as SimMIM does for Swin, every hidden patch's embedding is replaced by one learned
 * mask token right after the patch embedding (before the absolute position embedding), the encoder runs unchanged
 * on the full grid, and {@link MaeDecoder} predicts the pixels of every patch from SAM's image embeddings; MAE's loss
 * scores the hidden ones. For TinyViT (stride-4 patch embedding) the token covers each hidden 16-pixel patch's 4×4
 * feature cells.
 *
 * <p>State-dict keys: {@code mask_token}, {@code decoder.*}; the encoder stays the SAM's ({@code image_encoder.*}).
 */
public final class MaskedImageModel extends Module {
    public final Parameter mask_token;
    public final MaeDecoder decoder;
    private final ImageEncoder encoder;
    private final boolean channelsLast;
    private final int grid;
    private final int patch;
    private final int cellsPerPatch;

    public record DecoderShape(int dim, int depth, int heads) {}

    public MaskedImageModel(NDManager manager, Sam sam, DecoderShape d) {
        super(manager);
        this.encoder = sam.imageEncoder();
        int size = encoder.imgSize();
        this.grid = sam.config.prompt().imageEmbeddingSize();
        if (size % grid != 0) {
            throw new SamtuneException("masked image modelling: image size " + size + " is not a multiple of the "
                    + "embedding grid " + grid);
        }
        this.patch = size / grid;
        if (encoder instanceof ImageEncoderViT vit) {
            channelsLast = true;
            int stride = vit.config.patchSize();
            cellsPerPatch = patch / stride;
            mask_token = parameter("mask_token", 1, 1, 1, vit.config.embedDim());
        } else if (encoder instanceof TinyViT t) {
            channelsLast = false;
            cellsPerPatch = patch / 4;
            mask_token = parameter("mask_token", 1, t.config.embedDims().get(0), 1, 1);
        } else {
            throw new SamtuneException("masked image modelling: unsupported image encoder "
                    + encoder.getClass().getSimpleName());
        }
        if (cellsPerPatch < 1) {
            throw new SamtuneException("masked image modelling: patch embedding coarser than the " + patch
                    + "-pixel reconstruction patch");
        }
        decoder = module("decoder", new MaeDecoder(manager, encoder.outChans(), grid, patch, d.dim(), d.depth(),
                d.heads()));
    }

    /** SimMIM's init: mask token ~ N(0, 0.02²); the decoder as MAE's. */
    public void initializeWeights(long seed) {
        decoder.initializeWeights(seed);
        normal(mask_token, 0.02, new Random(seed ^ 0x6D61736BL));
    }

    /** Side of the square reconstruction patch in pixels (16 for every SAM encoder). */
    public int patchSize() {
        return patch;
    }

    /** Patches per image (grid²). */
    public int patches() {
        return grid * grid;
    }

    /**
     * Predicted pixels (B, L, p·p·3) of normalised images (B, 3, S, S) whose patches flagged in {@code mask}
     * (B, L), 1 = hidden) the encoder only sees as the mask token. {@code mask} must stay open until backward.
     */
    public NDArray forward(NDArray images, NDArray mask) {
        long b = images.getShape().get(0);
        NDArray cells = mask.reshape(b, grid, grid);
        if (cellsPerPatch > 1) {
            cells = cells.repeat(1, cellsPerPatch).repeat(2, cellsPerPatch);
        }
        long side = (long) grid * cellsPerPatch;
        NDArray hidden = channelsLast ? cells.reshape(b, side, side, 1) : cells.reshape(b, 1, side, side);
        NDArray visible = hidden.getManager().ones(new Shape(1), hidden.getDataType()).sub(hidden);
        NDArray embeddings = encoder.forward(images, x -> x.mul(visible).add(mask_token.array().mul(hidden)));
        return decoder.forward(embeddings);
    }
}
