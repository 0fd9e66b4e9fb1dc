package org.samtune.model;

import org.samtune.model.nn.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;

/**
 * transformer.py's {@code Attention}: multi-head attention whose internal width can be downscaled
 * (embedding_dim / downsample_rate) after projecting to queries, keys and values.
 *
 * <p>Batches broadcast: a batch-1 set of tokens attends to B image embeddings (finetune-SAM's no-prompt training
 * relies on this). {@code q_proj} and {@code v_proj} are replaceable slots for LoRA.
 */
public final class TransformerAttention extends Module {
    public final int embeddingDim;
    public final int internalDim;
    public final int numHeads;
    public final Linear out_proj;

    public TransformerAttention(NDManager manager, int embeddingDim, int numHeads, int downsampleRate) {
        super(manager);
        this.embeddingDim = embeddingDim;
        this.internalDim = embeddingDim / downsampleRate;
        this.numHeads = numHeads;
        if (internalDim % numHeads != 0) {
            throw new IllegalArgumentException("num_heads " + numHeads + " must divide " + internalDim);
        }
        module("q_proj", new Linear(manager, embeddingDim, internalDim));
        module("k_proj", new Linear(manager, embeddingDim, internalDim));
        module("v_proj", new Linear(manager, embeddingDim, internalDim));
        out_proj = module("out_proj", new Linear(manager, internalDim, embeddingDim));
    }

    public Layer qProj() {
        return (Layer) child("q_proj");
    }

    public Layer kProj() {
        return (Layer) child("k_proj");
    }

    public Layer vProj() {
        return (Layer) child("v_proj");
    }

    private NDArray separateHeads(NDArray x) {
        long[] s = x.getShape().getShape();
        return x.reshape(s[0], s[1], numHeads, s[2] / numHeads).transpose(0, 2, 1, 3); // B x N_heads x N_tokens x C_per_head
    }

    private static NDArray recombineHeads(NDArray x) {
        long[] s = x.getShape().getShape();
        return x.transpose(0, 2, 1, 3).reshape(s[0], s[2], s[1] * s[3]); // B x N_tokens x C
    }

    public NDArray forward(NDArray q, NDArray k, NDArray v) {
        // input projections
        q = qProj().forward(q);
        k = kProj().forward(k);
        v = vProj().forward(v);
        // separate into heads
        q = separateHeads(q);
        k = separateHeads(k);
        v = separateHeads(v);
        // attention
        long cPerHead = q.getShape().get(3);
        NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)); // B x N_heads x N_tokens x N_tokens
        attn = Scalars.div(attn, Math.sqrt(cPerHead));
        attn = attn.softmax(-1);
        // get output
        NDArray out = attn.matMul(v);
        out = recombineHeads(out);
        return out_proj.forward(out);
    }
}
