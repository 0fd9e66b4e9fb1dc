package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * A transformer decoder that attends to an input image using queries whose positional embedding is supplied
 * (transformer.py {@code TwoWayTransformer}).
 */
public final class TwoWayTransformer extends Module {
    public final ModuleList<TwoWayAttentionBlock> layers;
    public final TransformerAttention final_attn_token_to_image;
    public final LayerNorm norm_final_attn;

    public TwoWayTransformer(NDManager manager, int depth, int embeddingDim, int numHeads, int mlpDim,
                             int attentionDownsampleRate) {
        super(manager);
        layers = module("layers", new ModuleList<>(manager));
        for (int i = 0; i < depth; i++) {
            layers.add(new TwoWayAttentionBlock(manager, embeddingDim, numHeads, mlpDim, attentionDownsampleRate,
                    i == 0));
        }
        final_attn_token_to_image = module("final_attn_token_to_image",
                new TransformerAttention(manager, embeddingDim, numHeads, attentionDownsampleRate));
        norm_final_attn = module("norm_final_attn", new LayerNorm(manager, embeddingDim, 1e-5f));
    }

    /**
     * @param imageEmbedding (B, C, h, w) image to attend to
     * @param imagePe        (B or 1, C, h, w) its positional encoding
     * @param pointEmbedding (B or 1, N, C) query tokens (added to the queries at every attention)
     * @return [processed point embedding (B, N, C), processed image embedding (B, hw, C)]
     */
    public NDArray[] forward(NDArray imageEmbedding, NDArray imagePe, NDArray pointEmbedding) {
        // BxCxHxW -> BxHWxC == B x N_image_tokens x C
        imageEmbedding = imageEmbedding.reshape(imageEmbedding.getShape().get(0), imageEmbedding.getShape().get(1), -1)
                .transpose(0, 2, 1);
        imagePe = imagePe.reshape(imagePe.getShape().get(0), imagePe.getShape().get(1), -1).transpose(0, 2, 1);

        // Prepare queries
        NDArray queries = pointEmbedding;
        NDArray keys = imageEmbedding;

        // Apply transformer blocks and final layernorm
        for (TwoWayAttentionBlock layer : layers.items()) {
            NDArray[] qk = layer.forward(queries, keys, pointEmbedding, imagePe);
            queries = qk[0];
            keys = qk[1];
        }

        // Apply the final attention layer from the points to the image
        NDArray q = queries.add(pointEmbedding);
        NDArray k = keys.add(imagePe);
        NDArray attnOut = final_attn_token_to_image.forward(q, k, keys);
        queries = queries.add(attnOut);
        queries = norm_final_attn.forward(queries);
        return new NDArray[] {queries, keys};
    }
}
