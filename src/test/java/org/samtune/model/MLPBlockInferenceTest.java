package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.TorchScriptOps;
import org.samtune.testing.Tolerance;

/**
 * SAM's MLP block without autograd runs in row bands through the helper ({@code mlp_gelu_inference}: hidden bands
 * below 8 MiB, GELU in place). Against the same block composed of DJL's Linear and GELU — the path every parity test
 * of the model checks against PyTorch — on a shape of several bands with a remainder, within float rounding
 * (1e-5 + 1e-5·|b|: both are float32 products, the bands only change how the BLAS blocks its rows). The
 * sam-tiny parity tests take the banded path too, in one band.
 */
class MLPBlockInferenceTest {
    @Test
    void bandedInferenceEqualsTheComposedBlock() {
        assertThat(TorchScriptOps.get()).as("helper loads here").isPresent();
        assertThat(JniUtils.isGradMode()).as("inference").isFalse();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            // hidden 4096: bands of 512 rows; 2 x 23 x 29 = 1,334 rows = 2 bands + 310
            MLPBlock mlp = new MLPBlock(m, 96, 4096, Activation.gelu(m));
            mlp.initialize(5);
            NDArray x = m.randomNormal(new Shape(2, 23, 29, 96));
            NDArray banded = mlp.forward(x);
            NDArray composed = mlp.lin2.forward(Activations.gelu(mlp.lin1.forward(x)));
            assertThat(banded.getShape()).isEqualTo(new Shape(2, 23, 29, 96));
            Tolerance.assertClose("banded MLP vs composed", banded.toFloatArray(), composed.toFloatArray(), 1e-5, 1e-5);
        }
    }
}
