package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.Parameter;
import org.samtune.peft.AdapterInit;
import org.samtune.peft.TinyViTAdapters;

/**
 * Training through TinyViT: in train mode with gradients recorded, the loss reaches the attention-bias tables
 * (gathered with take), BatchNorm affine parameters, the stage-0 convs and the adapters; and the per-block scopes
 * free intermediates without breaking backward.
 */
class TinyViTGradientTest {

    @Test
    void gradientsReachBiasTablesBatchNormAndAdapters() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViT enc = new TinyViT(m, TinyViTConfig.mobileSamTiny());
            enc.loadStateDict(MobileSamTinyFixture.weights().withPrefixRemoved("image_encoder."), true);
            TinyViTAdapters.insert(enc, List.of(0), AdapterInit.PYTORCH_DEFAULT, 3);
            enc.train(true);
            TinyViTBlock blk = enc.basicLayer(1).blocks.get(1);
            List<Parameter> watched = List.of(blk.attn.attention_biases, blk.local_conv.bn.weight,
                    enc.convLayer().blocks.get(0).conv2.c.weight,
                    ((org.samtune.peft.Adapter) blk.child("Space_Adapter")).D_fc2.weight,
                    enc.basicLayer(3).blocks.get(0).attn.attention_biases);
            watched.forEach(p -> p.array().setRequiresGradient(true));
            NDArray image = MobileSamTinyFixture.image(m);
            try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray emb = enc.forward(image);
                gc.backward(emb.square().mean());
            }
            for (Parameter p : watched) {
                NDArray g = p.array().getGradient();
                assertThat(g.getShape()).isEqualTo(p.array().getShape());
                assertThat(g.abs().sum().getFloat()).isGreaterThan(0f);
                assertThat(g.isNaN().any().getBoolean()).isFalse();
            }
        }
    }
}
