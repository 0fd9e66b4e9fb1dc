package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
import org.samtune.model.BlockOrder;
import org.samtune.model.MLPBlock;
import org.samtune.model.Sam;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * {@code --precision bf16} on SAM's image encoder (the sam-tiny fixture model and image), against PyTorch's float32
 * output, with the tolerance taken from PyTorch's own bf16 error: segment-anything's encoder under
 * {@code torch.autocast('cpu', bfloat16)} is 0.67 % off its float32 output in relative L2
 * (tools/make_bf16_reference.py, fixtures/bf16/autocast_error.npy). samtune's bf16 must stay within 2× that
 * (bf16 rounds at different points than autocast — e.g. our products return float32 — so equal errors are not
 * expected, only the same order), must actually differ from float32 (more than 20× float32's own 1e-5 level,
 * so bf16 really ran), and must be as close to PyTorch's bf16 output as that is to float32. fp32 stays
 * bit-identical to the default path.
 *
 * <p>Runs on any CPU: bf16 without native support is emulated by libtorch (slow, same numbers); only the CLI
 * refuses it there, which {@link #cpuWithoutNativeBf16IsRefused} checks.
 */
class Bf16ParityTest {
    @TempDir Path dir;

    @AfterEach
    void backToFp32() {
        Compute.selectPrecision(Precision.FP32);
    }

    @Test
    void encoderInBf16IsWithinPyTorchsOwnBf16Error() {
        float[] golden = Fixtures.npy("sam-tiny", "image_embeddings").toFloats();
        float[] torchBf16 = Fixtures.npy("bf16", "image_embeddings_bf16_autocast").toFloats();
        float[] torchError = Fixtures.npy("bf16", "autocast_error").toFloats();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Sam sam = Sam.fromStateDict(m, Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")),
                    BlockOrder.OFFICIAL);
            NDArray image = Module.toArray(m, Fixtures.npy("sam-tiny", "image"), DataType.FLOAT32);
            float[] fp32 = sam.embedImages(image).toFloatArray();
            Compute.selectPrecision(Precision.BF16);
            NDArray bf16Out = sam.embedImages(image);
            assertThat(bf16Out.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] bf16 = bf16Out.toFloatArray();
            Compute.selectPrecision(Precision.FP32);
            float[] fp32Again = sam.embedImages(image).toFloatArray();

            double ours = Tolerance.relativeL2(bf16, golden);
            double torch = torchError[0];
            System.out.printf("bf16 encoder: relative L2 vs float32 %.4g (PyTorch autocast %.4g), vs PyTorch bf16 %.4g;"
                    + " fp32 path %.3g%n", ours, torch, Tolerance.relativeL2(bf16, torchBf16), Tolerance.relativeL2(fp32, golden));
            assertThat(ours).as("bf16 relative error vs PyTorch float32").isLessThanOrEqualTo(2 * torch);
            assertThat(ours).as("bf16 actually ran (float32 error is ~1e-6)").isGreaterThan(20 * 1e-5);
            assertThat(Tolerance.relativeL2(bf16, torchBf16)).as("bf16 vs PyTorch's bf16").isLessThanOrEqualTo(2 * torch);
            assertThat(fp32Again).as("fp32 after bf16 is the fp32 path").containsExactly(fp32);
        }
    }

    @Test
    void gradientsFlowInFloat32ThroughBf16Products() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Linear lin = new Linear(m, 64, 32, true);
            Conv2d conv = new Conv2d(m, 3, 8, 3, 2, 1, true);
            lin.initialize(1);
            conv.initialize(2);
            lin.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            conv.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            NDArray x = m.randomNormal(new Shape(5, 64));
            NDArray img = m.randomNormal(new Shape(2, 3, 16, 16));
            float[][] grads = new float[2][];
            for (Precision p : Precision.values()) {
                Compute.selectPrecision(p);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = lin.forward(x).square().sum().add(conv.forward(img).square().sum());
                    gc.backward(loss);
                }
                NDArray g = lin.weight.gradient();
                assertThat(g.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(conv.weight.gradient().getDataType()).isEqualTo(DataType.FLOAT32);
                grads[p.ordinal()] = g.toFloatArray();
                lin.namedParameters().values().forEach(q -> q.array().getGradient().subi(q.array().getGradient()));
                conv.namedParameters().values().forEach(q -> q.array().getGradient().subi(q.array().getGradient()));
            }
            double rel = Tolerance.relativeL2(grads[1], grads[0]);
            System.out.printf("bf16 Linear weight gradient: relative L2 vs float32 %.4g%n", rel);
            // bf16 has 8 significant bits (relative rounding 2^-9 = 0.2 %); a sum of products stays at that order
            assertThat(rel).isBetween(1e-5, 2e-2);
        }
    }

    /**
     * SAM's MLP block under bf16 keeps its 4×-wide hidden layer in bf16 from lin1 through GELU into lin2 (one helper
     * call, as autocast runs it). Against float32: output and both weight gradients within bf16's order (2 %); against
     * the same block composed of bf16 Linear layers and a float32 GELU in between (the hidden layer rounded to bf16 at
     * the same point, GELU's bf16 kernel computing in float32): within 1 % — the two differ only where GELU's
     * rounding to bf16 happens.
     */
    @Test
    void mlpBlockKeepsItsHiddenLayerInBf16() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            MLPBlock mlp = new MLPBlock(m, 48, 192, Activation.gelu(m));
            mlp.initialize(3);
            mlp.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            NDArray x = m.randomNormal(new Shape(2, 5, 7, 48));
            float[][] out = new float[3][];
            float[][] g1 = new float[3][];
            float[][] g2 = new float[3][];
            for (int run = 0; run < 3; run++) {
                Compute.selectPrecision(run == 0 ? Precision.FP32 : Precision.BF16);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = run == 2 ? mlp.lin2.forward(Activations.gelu(mlp.lin1.forward(x))) : mlp.forward(x);
                    assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
                    out[run] = y.toFloatArray();
                    gc.backward(y.square().sum());
                }
                g1[run] = mlp.lin1.weight.gradient().toFloatArray();
                g2[run] = mlp.lin2.weight.gradient().toFloatArray();
                mlp.namedParameters().values().forEach(q -> q.array().getGradient().subi(q.array().getGradient()));
            }
            System.out.printf("bf16 MLP block: relative L2 vs float32 out %.4g, lin1 grad %.4g, lin2 grad %.4g; "
                    + "vs composed bf16 layers %.4g%n", Tolerance.relativeL2(out[1], out[0]),
                    Tolerance.relativeL2(g1[1], g1[0]), Tolerance.relativeL2(g2[1], g2[0]),
                    Tolerance.relativeL2(out[1], out[2]));
            assertThat(Tolerance.relativeL2(out[1], out[0])).as("out").isBetween(1e-5, 2e-2);
            assertThat(Tolerance.relativeL2(g1[1], g1[0])).as("lin1 weight gradient").isBetween(1e-5, 2e-2);
            assertThat(Tolerance.relativeL2(g2[1], g2[0])).as("lin2 weight gradient").isBetween(1e-5, 2e-2);
            assertThat(Tolerance.relativeL2(out[1], out[2])).as("vs composed layers").isLessThan(1e-2);
        }
    }

    @Test
    void cpuWithoutNativeBf16IsRefused() throws Exception {
        assertThat(Precision.nativeBf16("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")).isFalse();
        assertThat(Precision.nativeBf16("flags\t\t: fpu avx512f avx512_bf16\n")).isTrue();
        assertThat(Precision.nativeBf16("flags\t\t: fpu amx_tile amx_bf16 amx_int8\n")).isTrue();
        assertThat(Precision.nativeBf16("bugs\t\t: avx512_bf16\n")).as("only the flags line counts").isFalse();
        Path old = Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: fpu sse2 avx2\n");
        assertThatThrownBy(() -> Precision.requireNativeBf16(old)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("no native bf16").hasMessageContaining("--precision fp32");
        assertThatThrownBy(() -> Precision.requireNativeBf16(dir.resolve("missing")))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("cannot read");
        assertThatThrownBy(() -> Precision.parse("fp16")).isInstanceOf(SamtuneException.class)
                .hasMessage("--precision: expected fp32 or bf16, got 'fp16'");
        assertThat(Precision.parse(" BF16 ")).isEqualTo(Precision.BF16);
    }
}
