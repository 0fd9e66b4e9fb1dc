package org.samtune.model.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;

/**
 * The weights tools/make_unet_fixtures.py gives its PyTorch networks, recomputed: tensor k of the state dict
 * (num_batches_tracked skipped), element i, {@code s = 2u − 1} with u the SplitMix64 finaliser of
 * {@code ((k << 32) + i)·0x9E3779B97F4A7C15}, top 53 bits; running_var 1 + 0.5 s², running_mean 0.1 s, 1-d weight
 * 1 + 0.1 s, 1-d bias 0.1 s, others s·√(6 / fan_in) with fan_in = numel / shape[0]. Also checks that the
 * state-dict keys, in order, are PyTorch's.
 */
final class FormulaWeights {
    private FormulaWeights() {}

    static void apply(Module model, String fixtureKeys) {
        List<String> expected;
        try {
            expected = Files.readAllLines(Fixtures.file("unet", fixtureKeys));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> keys = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, NDArray> e : model.stateArrays().entrySet()) {
            String name = e.getKey();
            if (name.endsWith("num_batches_tracked")) {
                continue;
            }
            keys.add(name);
            NDArray a = e.getValue();
            long[] shape = a.getShape().getShape();
            int n = Math.toIntExact(a.getShape().size());
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double s = 2 * uniform(k, i) - 1;
                double x;
                if (name.endsWith("running_var")) {
                    x = 1 + 0.5 * s * s;
                } else if (name.endsWith("running_mean")) {
                    x = 0.1 * s;
                } else if (shape.length == 1 && name.endsWith("weight")) {
                    x = 1 + 0.1 * s;
                } else if (shape.length == 1) {
                    x = 0.1 * s;
                } else {
                    x = s * Math.sqrt(6 / ((double) n / shape[0]));
                }
                v[i] = (float) x;
            }
            a.set(v);
            k++;
        }
        assertThat(keys).as("state-dict keys in PyTorch's order").containsExactlyElementsOf(expected);
    }

    static double uniform(long k, long i) {
        long z = ((k << 32) + i) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
