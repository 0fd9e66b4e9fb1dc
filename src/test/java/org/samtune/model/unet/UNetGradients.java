package org.samtune.model.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/** Compares a network's gradients after one backward pass with the fixture's. */
final class UNetGradients {
    private UNetGradients() {}

    /**
     * Every parameter's gradient L2 norm (NaN in the fixture: PyTorch had no gradient, so neither may we) within
     * {@code 1e-7 + rtol·norm}, and the full gradient of the parameters the fixture stores, element-wise within
     * {@code relToMax·max|expected| + rtol·|expected|}: float32 rounding in a deep network is relative to a
     * tensor's scale, not to each element (some elements are 0 up to rounding, e.g. a convolution bias before
     * InstanceNorm).
     */
    static void check(Module model, Map<String, TensorData> f, String paramsFile, double relToMax, double rtol) {
        Map<String, Parameter> params = model.namedParameters();
        if (paramsFile != null) {
            try {
                assertThat(List.copyOf(params.keySet())).as("parameter names in PyTorch's order")
                        .containsExactlyElementsOf(Files.readAllLines(Fixtures.file("unet", paramsFile)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        float[] norms = f.get("gradnorm").toFloats();
        assertThat(norms).hasSize(params.size());
        int i = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            NDArray g = e.getValue().gradient();
            if (Double.isNaN(norms[i])) {
                assertThat(g).as(e.getKey() + " has no gradient in PyTorch").isNull();
            } else {
                assertThat(g).as(e.getKey() + " gradient").isNotNull();
                double n = g.norm().getFloat();
                assertThat(Math.abs(n - norms[i])).as(e.getKey() + " gradient norm " + n + " vs " + norms[i])
                        .isLessThanOrEqualTo(1e-7 + rtol * norms[i]);
                g.close();
            }
            i++;
        }
        for (String key : f.keySet()) {
            if (key.startsWith("grad/")) {
                String name = key.substring(5);
                NDArray g = params.get(name).gradient();
                float[] expected = f.get(key).toFloats();
                double max = 0;
                for (float v : expected) {
                    max = Math.max(max, Math.abs(v));
                }
                Tolerance.assertClose("gradient of " + name, g, f.get(key), 1e-8 + relToMax * max, rtol);
                g.close();
            }
        }
    }
}
