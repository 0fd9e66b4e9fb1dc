package org.samtune.model;

import org.samtune.model.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.LayerNorm;
import org.samtune.model.nn.Module;

/**
 * A transformer block with four layers (transformer.py): (1) self-attention of sparse inputs, (2) cross attention
 * of sparse inputs to dense inputs, (3) MLP on sparse inputs, (4) cross attention of dense inputs to sparse inputs.
 *
 * <p>finetune-SAM's decoder adapters ({@code Adapter}, {@code MLP_Adapter}) are attached by
 * {@code org.samtune.peft.Adapters}: the one residual {@code Adapter} is applied to the queries after the
 * token→image residual and to the keys after the image→token residual (same weights); {@code MLP_Adapter} runs
 * in parallel with the MLP, scaled.
 */
public final class TwoWayAttentionBlock extends Module {
    public final TransformerAttention self_attn;
    public final LayerNorm norm1;
    public final TransformerAttention cross_attn_token_to_image;
    public final LayerNorm norm2;
    public final MLPBlock mlp;
    public final LayerNorm norm3;
    public final LayerNorm norm4;
    public final TransformerAttention cross_attn_image_to_token;
    public final boolean skipFirstLayerPe;

    private Layer adapter;
    private Layer mlpAdapter;
    private float mlpAdapterScale;

    public TwoWayAttentionBlock(NDManager manager, int embeddingDim, int numHeads, int mlpDim,
                                int attentionDownsampleRate, boolean skipFirstLayerPe) {
        super(manager);
        self_attn = module("self_attn", new TransformerAttention(manager, embeddingDim, numHeads, 1));
        norm1 = module("norm1", new LayerNorm(manager, embeddingDim, 1e-5f));
        cross_attn_token_to_image = module("cross_attn_token_to_image",
                new TransformerAttention(manager, embeddingDim, numHeads, attentionDownsampleRate));
        norm2 = module("norm2", new LayerNorm(manager, embeddingDim, 1e-5f));
        mlp = module("mlp", new MLPBlock(manager, embeddingDim, mlpDim, Activation.relu(manager)));
        norm3 = module("norm3", new LayerNorm(manager, embeddingDim, 1e-5f));
        norm4 = module("norm4", new LayerNorm(manager, embeddingDim, 1e-5f));
        cross_attn_image_to_token = module("cross_attn_image_to_token",
                new TransformerAttention(manager, embeddingDim, numHeads, attentionDownsampleRate));
        this.skipFirstLayerPe = skipFirstLayerPe;
    }

    /** Attaches finetune-SAM's decoder adapters (keys {@code MLP_Adapter.*}, {@code Adapter.*}). */
    public <A extends Module & Layer> void attachAdapters(A adapter, A mlpAdapter, float mlpScale) {
        if (this.adapter != null) {
            throw new IllegalStateException("two-way block already has adapters");
        }
        module("MLP_Adapter", mlpAdapter);
        module("Adapter", adapter);
        this.adapter = adapter;
        this.mlpAdapter = mlpAdapter;
        this.mlpAdapterScale = mlpScale;
    }

    public boolean hasAdapters() {
        return adapter != null;
    }

    /** Queries (B, N, C) and keys (B, HW, C) with their positional encodings → updated [queries, keys]. */
    public NDArray[] forward(NDArray queries, NDArray keys, NDArray queryPe, NDArray keyPe) {
        // Self attention block
        if (skipFirstLayerPe) {
            queries = self_attn.forward(queries, queries, queries);
        } else {
            NDArray q = queries.add(queryPe);
            NDArray attnOut = self_attn.forward(q, q, queries);
            queries = queries.add(attnOut);
        }
        queries = norm1.forward(queries);

        // Cross attention block, tokens attending to image embedding
        NDArray q = queries.add(queryPe);
        NDArray k = keys.add(keyPe);
        NDArray attnOut = cross_attn_token_to_image.forward(q, k, keys);
        queries = queries.add(attnOut);
        if (adapter != null) {
            queries = adapter.forward(queries);
        }
        queries = norm2.forward(queries);

        // MLP block
        NDArray mlpOut = mlp.forward(queries);
        if (mlpAdapter != null) {
            queries = queries.add(mlpOut).add(Scalars.mul(mlpAdapter.forward(queries), mlpAdapterScale));
        } else {
            queries = queries.add(mlpOut);
        }
        queries = norm3.forward(queries);

        // Cross attention block, image embedding attending to tokens
        q = queries.add(queryPe);
        k = keys.add(keyPe);
        attnOut = cross_attn_image_to_token.forward(k, q, queries);
        keys = keys.add(attnOut);
        if (adapter != null) {
            keys = adapter.forward(keys);
        }
        keys = norm4.forward(keys);
        return new NDArray[] {queries, keys};
    }
}
