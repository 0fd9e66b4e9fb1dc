package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.samtune.model.nn.Module;

/**
 * Positional encoding using random spatial frequencies (prompt_encoder.py): coordinates in [0, 1] map to
 * [sin z, cos z] with z = 2π·(2c − 1)·G. G is a persistent buffer, so it comes from the checkpoint.
 */
public final class PositionEmbeddingRandom extends Module {
    private final int numPosFeats;
    private final double scale;

    public PositionEmbeddingRandom(NDManager manager, int numPosFeats, double scale) {
        super(manager);
        this.numPosFeats = numPosFeats;
        this.scale = scale;
        buffer("positional_encoding_gaussian_matrix",
                manager.zeros(new Shape(2, numPosFeats), DataType.FLOAT32), true);
    }

    public NDArray gaussianMatrix() {
        return buffer("positional_encoding_gaussian_matrix");
    }

    /** scale · N(0, 1), as the reference's {@code scale * torch.randn((2, num_pos_feats))}. */
    @Override
    protected void resetParameters(Random rng) {
        float[] g = new float[2 * numPosFeats];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (scale * rng.nextGaussian());
        }
        setBuffer("positional_encoding_gaussian_matrix", manager.create(g, new Shape(2, numPosFeats)));
    }

    /** Positionally encode points normalised to [0, 1]: (..., 2) → (..., 2·numPosFeats). */
    NDArray peEncoding(NDArray coords) {
        coords = coords.mul(2).sub(1);
        coords = coords.matMul(gaussianMatrix());
        coords = coords.mul((float) (2 * Math.PI));
        return NDArrays.concat(new ai.djl.ndarray.NDList(coords.sin(), coords.cos()), -1);
    }

    /** Encoding of an (h, w) grid of cell centres: (C, h, w). */
    public NDArray forward(int h, int w) {
        float[] xy = new float[h * w * 2];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                // as cumsum(ones) - 0.5, divided in float32
                xy[(i * w + j) * 2] = ((j + 1) - 0.5f) / w;
                xy[(i * w + j) * 2 + 1] = ((i + 1) - 0.5f) / h;
            }
        }
        NDArray grid = gaussianMatrix().getManager().create(xy, new Shape(h, w, 2));
        return peEncoding(grid).transpose(2, 0, 1);
    }

    /** Positionally encode points that are not normalised to [0, 1]; imageSize is (H, W). */
    public NDArray forwardWithCoords(NDArray coordsInput, int imageH, int imageW) {
        NDArray size = coordsInput.getManager().create(new float[] {imageW, imageH});
        return peEncoding(coordsInput.toType(DataType.FLOAT32, false).div(size));
    }
}
