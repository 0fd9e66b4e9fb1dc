package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Embedding;
import org.samtune.model.nn.LayerNorm2d;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;
import org.samtune.model.nn.Sequential;

/**
 * Encodes prompts for the mask decoder (prompt_encoder.py): points and box corners become sparse tokens
 * (random-Fourier position + a learned type embedding), a low-res mask becomes a dense embedding (or the learned
 * "no mask" embedding everywhere).
 */
public final class PromptEncoder extends Module {
    public final SamConfig.Prompt config;
    public final int embedDim;
    public final PositionEmbeddingRandom pe_layer;
    /** pos/neg point + 2 box corners. */
    public final ModuleList<Embedding> point_embeddings;
    public final Embedding not_a_point_embed;
    public final Sequential mask_downscaling;
    public final Embedding no_mask_embed;

    /** Sparse tokens (B, N, C) and dense embedding (B, C, h, w). */
    public record Embeddings(NDArray sparse, NDArray dense) {}

    public PromptEncoder(NDManager manager, SamConfig.Prompt c) {
        super(manager);
        this.config = c;
        this.embedDim = c.embedDim();
        pe_layer = module("pe_layer", new PositionEmbeddingRandom(manager, embedDim / 2, 1.0));
        point_embeddings = module("point_embeddings", new ModuleList<>(manager));
        for (int i = 0; i < 4; i++) {
            point_embeddings.add(new Embedding(manager, 1, embedDim));
        }
        not_a_point_embed = module("not_a_point_embed", new Embedding(manager, 1, embedDim));
        int m = c.maskInChans();
        mask_downscaling = module("mask_downscaling", new Sequential(manager)
                .add(new Conv2d(manager, 1, m / 4, 2, 2, 0, true))
                .add(new LayerNorm2d(manager, m / 4))
                .add(Activation.gelu(manager))
                .add(new Conv2d(manager, m / 4, m, 2, 2, 0, true))
                .add(new LayerNorm2d(manager, m))
                .add(Activation.gelu(manager))
                .add(new Conv2d(manager, m, embedDim, 1, 1, 0, true)));
        no_mask_embed = module("no_mask_embed", new Embedding(manager, 1, embedDim));
    }

    /** The positional encoding of the image embedding grid, (1, C, h, w), shared by all prompts. */
    public NDArray getDensePe() {
        int s = config.imageEmbeddingSize();
        return pe_layer.forward(s, s).expandDims(0);
    }

    /**
     * Embeds points (B, N, 2) with labels (B, N) (1 foreground, 0 background, −1 padding/ignored). {@code pad}
     * appends a padding point, as the reference does when there is no box.
     */
    NDArray embedPoints(NDArray points, NDArray labels, boolean pad) {
        points = points.toType(DataType.FLOAT32, false).add(0.5f); // shift to centre of pixel
        labels = labels.toType(DataType.FLOAT32, false);
        if (pad) {
            long b = points.getShape().get(0);
            NDManager m = points.getManager();
            points = NDArrays.concat(new NDList(points, m.zeros(new Shape(b, 1, 2), DataType.FLOAT32)), 1);
            labels = NDArrays.concat(new NDList(labels, m.ones(new Shape(b, 1), DataType.FLOAT32).neg()), 1);
        }
        int s = config.inputImageSize();
        NDArray pe = pe_layer.forwardWithCoords(points, s, s);
        NDArray isPad = labels.eq(-1f).toType(DataType.FLOAT32, false).expandDims(-1);
        NDArray isNeg = labels.eq(0f).toType(DataType.FLOAT32, false).expandDims(-1);
        NDArray isPos = labels.eq(1f).toType(DataType.FLOAT32, false).expandDims(-1);
        // point_embedding[labels == -1] = 0, then the type embeddings are added where the label matches; the
        // masks are exact 0/1, so the sums equal the reference's masked in-place updates bit for bit
        pe = pe.mul(isPad.neg().add(1f));
        pe = pe.add(isPad.mul(not_a_point_embed.weight.array()));
        pe = pe.add(isNeg.mul(point_embeddings.get(0).weight.array()));
        return pe.add(isPos.mul(point_embeddings.get(1).weight.array()));
    }

    /**
     * Embeds boxes (B, 4) as two corner tokens each → (B, 2, C). Several boxes per image (B, k, 4) give
     * (B, 2k, C), as finetune-SAM's box trainer reshapes them.
     */
    NDArray embedBoxes(NDArray boxes) {
        long b = boxes.getShape().get(0);
        boxes = boxes.toType(DataType.FLOAT32, false).add(0.5f); // shift to centre of pixel
        NDArray coords = boxes.reshape(-1, 2, 2);
        int s = config.inputImageSize();
        NDArray corner = pe_layer.forwardWithCoords(coords, s, s);
        NDArray cornerTypes = NDArrays.concat(new NDList(point_embeddings.get(2).weight.array(),
                point_embeddings.get(3).weight.array()), 0); // (2, C): top-left, bottom-right
        return corner.add(cornerTypes).reshape(b, -1, embedDim);
    }

    NDArray embedMasks(NDArray masks) {
        return mask_downscaling.forward(masks);
    }

    /**
     * Embeds different types of prompts; any argument may be null.
     *
     * @param pointCoords (B, N, 2) point coordinates (x, y) in the input frame, or null
     * @param pointLabels (B, N) labels 1 / 0 / −1 (any numeric type), required with points
     * @param boxes       (B, 4) or (B, k, 4) boxes x0, y0, x1, y1 in the input frame, or null
     * @param masks       (B, 1, 4h, 4w) low-res mask logits, or null
     * @return sparse (B, N', C) tokens (B, 0, C) if none, and dense (B, C, h, w)
     */
    public Embeddings forward(NDArray pointCoords, NDArray pointLabels, NDArray boxes, NDArray masks) {
        if ((pointCoords == null) != (pointLabels == null)) {
            throw new SamtuneException("prompt: point coordinates and point labels must be given together");
        }
        long bs = batchSize(pointCoords, boxes, masks);
        NDManager m = anyManager(pointCoords, boxes, masks);
        NDArray sparse = m.zeros(new Shape(bs, 0, embedDim), DataType.FLOAT32);
        if (pointCoords != null) {
            NDArray pointEmbeddings = embedPoints(pointCoords, pointLabels, boxes == null);
            sparse = NDArrays.concat(new NDList(sparse, pointEmbeddings), 1);
        }
        if (boxes != null) {
            NDArray boxEmbeddings = embedBoxes(boxes);
            sparse = NDArrays.concat(new NDList(sparse, boxEmbeddings), 1);
        }
        NDArray dense;
        if (masks != null) {
            dense = embedMasks(masks);
        } else {
            int s = config.imageEmbeddingSize();
            dense = no_mask_embed.weight.array().reshape(1, embedDim, 1, 1).broadcast(bs, embedDim, s, s);
        }
        return new Embeddings(sparse, dense);
    }

    private static long batchSize(NDArray points, NDArray boxes, NDArray masks) {
        if (points != null) {
            return points.getShape().get(0);
        } else if (boxes != null) {
            return boxes.getShape().get(0);
        } else if (masks != null) {
            return masks.getShape().get(0);
        }
        return 1;
    }

    private NDManager anyManager(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                return a.getManager();
            }
        }
        return no_mask_embed.weight.array().getManager();
    }
}
