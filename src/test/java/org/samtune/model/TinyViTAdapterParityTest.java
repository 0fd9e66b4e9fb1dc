package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.samtune.model.MobileSamTinyFixture.expected;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.peft.AdapterInit;
import org.samtune.peft.TinyViTAdapters;
import org.samtune.testing.Tolerance;

/**
 * finetune-SAM's TinyViT with encoder adapters ({@code encoder_adapter_depths = [0, 1]}: every block of layers.1
 * and layers.2) against its PyTorch outputs, weights = mobilesam_tiny.pth ∪ mobilesam_tiny_adapter.pth loaded
 * strictly. Tolerance: |a−b| ≤ 1e-5 + 1e-4·|b|.
 */
class TinyViTAdapterParityTest {

    static StateDict union(StateDict base, StateDict extra) {
        Map<String, TensorData> all = new LinkedHashMap<>(base.tensors());
        all.putAll(extra.tensors());
        return new StateDict(all, base.source() + " + " + extra.source());
    }

    @Test
    void adapterStagesMatchFinetuneSam() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViT enc = new TinyViT(m, TinyViTConfig.mobileSamTiny());
            var added = TinyViTAdapters.insert(enc, List.of(0, 1, 10, 11), AdapterInit.PYTORCH_DEFAULT, 0);
            assertThat(added).hasSize(2 * (2 + 2)); // layers.1 and layers.2 have 2 blocks each
            assertThat(enc.basicLayer(3).blocks.get(0).hasAdapters()).isFalse();
            StateDict sd = union(MobileSamTinyFixture.weights(), MobileSamTinyFixture.adapterWeights());
            enc.loadStateDict(sd.withPrefixRemoved("image_encoder."), true);
            enc.train(false);

            NDArray x = enc.patch_embed.forward(MobileSamTinyFixture.image(m));
            x = enc.layer(0).forward(x);
            x = enc.layer(1).forward(x);
            Tolerance.assertClose("adapter_enc_stage1", x, expected("adapter_enc_stage1"));
            for (TinyViTBlock blk : enc.basicLayer(2).blocks.items()) {
                x = blk.forward(x);
            }
            Tolerance.assertClose("adapter_enc_stage2_blocks", x, expected("adapter_enc_stage2_blocks"));
            // The adapters matter: the plain encoder's output differs well beyond the tolerance.
            float[] plain = expected("enc_stage2_blocks").toFloats();
            assertThat(org.samtune.testing.Tolerance.maxAbsDiff(x.toFloatArray(), plain)).isGreaterThan(1e-2);
        }
    }
}
