package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * A forward pass inside an NDScope leaves nothing behind in the model's or the input's manager, in eval and in
 * train mode (BatchNorm updates its running statistics in place instead of allocating new arrays). The one
 * exception is bounded: inference keeps each attention's gathered bias and the table it came from (two arrays
 * per attention, made once).
 */
class TinyViTMemoryTest {

    @Test
    void repeatedForwardPassesDoNotAccumulateArrays() {
        try (NDManager model = NDManager.newBaseManager(); NDManager data = model.newSubManager()) {
            TinyViT enc = new TinyViT(model, TinyViTConfig.mobileSamTiny());
            enc.initializeWeights(11);
            NDArray image = data.randomNormal(new Shape(1, 3, 1024, 1024));
            long attentions = enc.namedModules().values().stream().filter(m -> m instanceof TinyViTAttention).count();
            int modelArrays = model.getManagedArrays().size() + (int) (2 * attentions);
            int dataArrays = data.getManagedArrays().size();
            for (boolean training : new boolean[] {false, true}) {
                enc.train(training);
                for (int i = 0; i < 2; i++) {
                    try (NDScope scope = new NDScope()) {
                        NDArray out = enc.forward(image);
                        assertThat(out.getShape().getShape()).containsExactly(1, 256, 64, 64);
                    }
                    assertThat(model.getManagedArrays()).as("model manager, train=" + training).hasSize(modelArrays);
                    assertThat(data.getManagedArrays()).as("input manager, train=" + training).hasSize(dataArrays);
                }
            }
            assertThat(enc.stateArrays().get("layers.1.blocks.0.local_conv.bn.num_batches_tracked").getLong())
                    .isEqualTo(2L);
        }
    }
}
