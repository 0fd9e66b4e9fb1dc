package org.samtune.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.util.Locale;
import org.samtune.model.EncoderBenchmark;
import org.samtune.model.nn.Compute;
import picocli.CommandLine.Option;

/**
 * The float32 matmul every {@code bench} verb measures in its own process: what the BLAS delivers at that moment,
 * so that times taken on a shared machine can be compared through it (docs/bench.md).
 */
final class MatmulReference {
    @Option(names = "--matmul-size", paramLabel = "N", defaultValue = "2048",
            description = "Reference matmul N×N @ N×N, float32 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--matmul-runs", paramLabel = "N", defaultValue = "3",
            description = "Timed matmuls after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    /** Measures the matmul, prints its {@code matmul_gflops:} line and returns its GFLOP/s. */
    double measure(PrintWriter out) {
        double ms;
        try (NDManager m = Compute.newManager()) {
            ms = EncoderBenchmark.matmulMs(m, size, runs);
        }
        return print(out, ms);
    }

    /** Prints the {@code matmul_gflops:} line of a matmul whose median took {@code medianMs}; returns GFLOP/s. */
    double print(PrintWriter out, double medianMs) {
        double n = size;
        double gflops = 2 * n * n * n / (medianMs * 1e6);
        out.printf(Locale.ROOT, "matmul_gflops: %.2f (%dx%d @ %dx%d float32, median %.1f ms of %d)%n", gflops,
                size, size, size, size, medianMs, runs);
        return gflops;
    }

    /** {@code /proc/loadavg}'s three averages when the measurement ended: other processes share the cores. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unavailable";
        }
    }
}
