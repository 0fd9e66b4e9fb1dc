package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * Conv2d_BN in eval mode, where the BatchNorm is folded into the convolution's weights and bias, against PyTorch's
 * {@code Sequential(Conv2d(bias=False), BatchNorm2d).eval()} (fixtures/tinyvit/conv2d_bn_eval.npz from
 * tools/make_conv2d_bn_goldens.py): 1×1, depthwise 3×3 (stride 1 and 2) and full 3×3 stride-2 convolutions with
 * non-trivial running statistics. Output and the gradients of sum(y·g) with respect to the input, the conv weight
 * and BatchNorm's weight and bias (an encoder fine-tuned while kept in eval mode). Tolerance |a−b| ≤ 1e-5 +
 * 1e-4·|b| for the output and the input gradient; the parameter gradients sum over every output position
 * (up to 2·13·13 terms), so they get atol 1e-4.
 */
class Conv2dBNFoldParityTest {
    private static final Map<String, TensorData> F = Fixtures.npz("tinyvit", "conv2d_bn_eval.npz");

    @Test
    void foldedEvalForwardAndGradientsMatchPyTorch() {
        int cases = 0;
        for (int k = 0; F.containsKey("k" + k + "_meta"); k++, cases++) {
            long[] meta = F.get("k" + k + "_meta").toLongs();
            try (NDManager m = NDManager.newBaseManager()) {
                Conv2dBN conv = new Conv2dBN(m, (int) meta[0], (int) meta[1], (int) meta[2], (int) meta[3],
                        (int) meta[4], (int) meta[5]);
                conv.c.weight.assign(F.get("k" + k + "_w").toFloats());
                conv.bn.weight.assign(F.get("k" + k + "_gamma").toFloats());
                conv.bn.bias.assign(F.get("k" + k + "_beta").toFloats());
                conv.bn.runningMean().set(F.get("k" + k + "_mean").toFloats());
                conv.bn.runningVar().set(F.get("k" + k + "_var").toFloats());
                conv.train(false);
                String c = "case " + k + " " + java.util.Arrays.toString(meta);

                NDArray x = in(m, "k" + k + "_x");
                try (NDScope scope = new NDScope()) {
                    Tolerance.assertClose(c + " y (no grad)", conv.forward(x), F.get("k" + k + "_y"));
                }

                x.setRequiresGradient(true);
                conv.c.weight.array().setRequiresGradient(true);
                conv.bn.weight.array().setRequiresGradient(true);
                conv.bn.bias.array().setRequiresGradient(true);
                try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = conv.forward(x);
                    Tolerance.assertClose(c + " y", y, F.get("k" + k + "_y"));
                    gc.backward(y.mul(in(m, "k" + k + "_g")).sum());
                }
                Tolerance.assertClose(c + " dx", x.getGradient(), F.get("k" + k + "_dx"));
                Tolerance.assertClose(c + " dw", conv.c.weight.gradient(), F.get("k" + k + "_dw"), 1e-4, 1e-4);
                Tolerance.assertClose(c + " dgamma", conv.bn.weight.gradient(), F.get("k" + k + "_dgamma"), 1e-4,
                        1e-4);
                Tolerance.assertClose(c + " dbeta", conv.bn.bias.gradient(), F.get("k" + k + "_dbeta"), 1e-4, 1e-4);
                // eval mode never touches the running statistics
                assertThat(conv.bn.runningMean().toFloatArray()).containsExactly(F.get("k" + k + "_mean").toFloats());
            }
        }
        assertThat(cases).isEqualTo(4);
    }

    private static NDArray in(NDManager m, String key) {
        return Module.toArray(m, F.get(key), DataType.FLOAT32);
    }
}
