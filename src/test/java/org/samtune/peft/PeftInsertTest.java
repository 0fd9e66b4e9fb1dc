package org.samtune.peft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * Inserting adapters / LoRA into a loaded model: initialisations behave as documented (LoRA B = 0 and zero
 * up-projections leave the model's output unchanged to the bit-level tolerance 1e-6 absolute; finetune-SAM's
 * default adapter init changes it), and bad arguments are SamtuneExceptions naming the problem.
 */
class PeftInsertTest {
    NDManager m;
    NDArray image;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        var t = Fixtures.npy("sam-tiny", "image");
        image = m.create(t.toFloats(), new ai.djl.ndarray.types.Shape(t.shape()));
    }

    @AfterEach
    void close() {
        m.close();
    }

    Sam base() {
        Sam s = Sam.build(m, SamConfig.tiny().withBlockOrder(BlockOrder.FINETUNE_SAM));
        s.loadStateDict(Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")), true);
        return s;
    }

    static float[] logits(Sam s, NDArray image) {
        try (NDScope scope = new NDScope()) {
            NDArray emb = s.embedImages(image);
            return s.predict(emb, null, null, null, null, true).lowResLogits().toFloatArray();
        }
    }

    @Test
    void freshLoraIsANoOpButTrainsNonZeroA() {
        float[] before = logits(base(), image);
        Sam s = base();
        List<?> added = Lora.insert(s, List.of(), true, 4, 3L);
        assertThat(added).hasSize(2 + 14);
        var qkv = (LoraQkv) s.namedModules().get("image_encoder.blocks.0.attn.qkv");
        assertThat(qkv.linear_a_q.weight.array().abs().sum().getFloat()).isGreaterThan(0f);
        assertThat(qkv.linear_b_q.weight.array().abs().sum().getFloat()).isZero();
        Tolerance.assertClose("lora r=4, B=0", logits(s, image), before, 1e-6, 0);
    }

    @Test
    void zeroUpProjectionAdaptersStartAsTheBaseModel() {
        float[] before = logits(base(), image);
        Sam zero = base();
        Adapters.insert(zero, List.of(0, 1), 2, AdapterInit.ZERO_UP_PROJECTION, 5L);
        Tolerance.assertClose("zero-init adapters", logits(zero, image), before, 1e-6, 0);
        Sam dflt = base();
        Adapters.insert(dflt, List.of(0, 1), 2);
        float[] after = logits(dflt, image);
        assertThat(Tolerance.maxAbsDiff(after, before)).isGreaterThan(1e-3);
    }

    @Test
    void badArgumentsAreReported() {
        Sam s = base();
        assertThatThrownBy(() -> Lora.insert(s, List.of(2), false, 4, 0L)).isInstanceOf(SamtuneException.class)
                .hasMessage("encoder LoRA block 2 out of range: the encoder has 2 blocks (0..1)");
        assertThatThrownBy(() -> Lora.insert(s, List.of(0), false, 0, 0L)).isInstanceOf(SamtuneException.class)
                .hasMessage("LoRA rank must be >= 1, got 0");
        assertThatThrownBy(() -> Adapters.insert(s, List.of(-1), 0)).isInstanceOf(SamtuneException.class)
                .hasMessage("encoder adapter block -1 out of range: the encoder has 2 blocks (0..1)");
        assertThatThrownBy(() -> Adapters.insert(s, List.of(), 3)).isInstanceOf(SamtuneException.class)
                .hasMessage("decoder adapter depth 3 out of range 0..2");
        Lora.insert(s, List.of(0), false, 4, 0L);
        assertThatThrownBy(() -> Lora.insert(s, List.of(0), false, 4, 0L)).isInstanceOf(SamtuneException.class)
                .hasMessage("encoder block 0 already has LoRA");
    }
}
