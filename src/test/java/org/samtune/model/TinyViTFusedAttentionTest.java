package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.TorchScriptOps;
import org.samtune.testing.Tolerance;

/**
 * TinyViT's window attention through libtorch's fused kernel (inference) against the plain path (MobileSAM's
 * operations, which {@code TinyViTParityTest} checks against PyTorch) on the same float32 inputs, for MobileSAM's
 * two window sizes and a learned bias far from zero. Both are float32 with different summation orders, so the
 * bar is float rounding: |a − b| ≤ 1e-5 + 1e-5·|b|. Training mode (and any forward pass under autograd) must
 * keep the plain path, which gives the bias table its gradient.
 */
class TinyViTFusedAttentionTest {

    @Test
    void fusedMatchesPlainForMobileSamWindows() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        for (int[] c : new int[][] {{64, 2, 7, 6}, {160, 5, 14, 2}}) {
            try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
                TinyViTAttention attn = new TinyViTAttention(m, c[0], c[1], c[2]);
                attn.initialize(11);
                float[] table = new float[Math.toIntExact(attn.attention_biases.numel())];
                Random rng = new Random(3);
                for (int i = 0; i < table.length; i++) {
                    table[i] = (float) (2 * rng.nextGaussian());
                }
                attn.attention_biases.assign(table);
                attn.train(false);
                NDArray x = m.randomNormal(0, 1, new Shape(c[3], (long) c[2] * c[2], c[0]),
                        ai.djl.ndarray.types.DataType.FLOAT32);
                float[] fused = attn.forwardFused(x, ops).toFloatArray();
                float[] plain = attn.forwardPlain(x).toFloatArray();
                float[] viaForward = attn.forward(x).toFloatArray();
                Tolerance.assertClose("window " + c[2] + " fused vs plain", fused, plain, 1e-5, 1e-5);
                assertThat(viaForward).as("inference takes the fused path").containsExactly(fused);
                attn.train(true);
                assertThat(attn.forward(x).toFloatArray()).as("training takes the plain path")
                        .containsExactly(plain);
            }
        }
    }
}
