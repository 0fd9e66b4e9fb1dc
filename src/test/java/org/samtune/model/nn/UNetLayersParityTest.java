package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * The layers the U-Net baselines add, against PyTorch 2.13 (fixtures/unet/layers.npz from
 * tools/make_unet_fixtures.py): InstanceNorm2d(affine, eps 1e-5), LeakyReLU(0.01), MaxPool2d(3, 2, 1) on an odd-sized
 * input, and ConvTranspose2d(2, stride 2). Tolerance |a−b| ≤ 1e-5 + 1e-4·|b|.
 */
class UNetLayersParityTest {
    private static final Map<String, TensorData> F = Fixtures.npz("unet", "layers.npz");

    private static NDArray in(NDManager m, String key) {
        return Module.toArray(m, F.get(key), DataType.FLOAT32);
    }

    @Test
    void instanceNormNormalisesEachImageAndChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            InstanceNorm2d n = new InstanceNorm2d(m, 4, 1e-5);
            n.weight.array().set(F.get("instance_norm_weight").toFloats());
            n.bias.array().set(F.get("instance_norm_bias").toFloats());
            Tolerance.assertClose("InstanceNorm2d", n.forward(in(m, "instance_norm_x")), F.get("instance_norm_y"));
            n.train(true); // no running statistics: training mode computes the same
            Tolerance.assertClose("InstanceNorm2d train", n.forward(in(m, "instance_norm_x")), F.get("instance_norm_y"));
            assertThat(n.stateArrays().keySet()).containsExactly("weight", "bias");
        }
    }

    @Test
    void leakyRelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            Tolerance.assertClose("LeakyReLU", Activation.leakyRelu(m, 0.01).forward(in(m, "leaky_relu_x")),
                    F.get("leaky_relu_y"), 0, 0);
        }
    }

    @Test
    void maxPoolPadsWithMinusInfinity() {
        try (NDManager m = NDManager.newBaseManager()) {
            Tolerance.assertClose("MaxPool2d", new MaxPool2d(m, 3, 2, 1).forward(in(m, "max_pool_x")),
                    F.get("max_pool_y"), 0, 0);
        }
    }

    @Test
    void transposedConvolution() {
        try (NDManager m = NDManager.newBaseManager()) {
            ConvTranspose2d t = new ConvTranspose2d(m, 6, 5, 2, 2, true);
            t.weight.array().set(F.get("conv_transpose_weight").toFloats());
            t.bias.array().set(F.get("conv_transpose_bias").toFloats());
            Tolerance.assertClose("ConvTranspose2d", t.forward(in(m, "conv_transpose_x")), F.get("conv_transpose_y"));
        }
    }
}
