package org.samtune.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.model.EncoderBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code samtune bench}: speed measurements (never part of the unit tests). See docs/bench.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure speed and memory. See docs/bench.md.",
        subcommands = {BenchCommand.Encoder.class, BenchPromptCommand.class})
public final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "encoder",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {"Image encoder forward time with random weights, analytic GFLOP, achieved GFLOP/s,",
                "a float32 matmul's GFLOP/s in the same process, and peak memory."})
    static final class Encoder implements Callable<Integer> {
        @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "vit_b",
                description = "vit_b | vit_l | vit_h | vit_t | compact (default: ${DEFAULT-VALUE}).")
        String arch;

        @Option(names = "--size", paramLabel = "PX", defaultValue = "1024",
                description = "Input side in pixels, a multiple of 64 (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--runs", paramLabel = "N", defaultValue = "5",
                description = "Timed forward passes after one warm-up (default: ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--threads", paramLabel = "N",
                description = "libtorch intra-op threads (default: libtorch's choice).")
        Integer threads;

        @Option(names = "--matmul-size", paramLabel = "N", defaultValue = "2048",
                description = "Reference matmul N×N @ N×N, float32 (default: ${DEFAULT-VALUE}).")
        int matmulSize;

        @Option(names = "--matmul-runs", paramLabel = "N", defaultValue = "5",
                description = "Timed matmuls after one warm-up (default: ${DEFAULT-VALUE}).")
        int matmulRuns;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Weight seed.")
        long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            EncoderBenchmark.Result r = EncoderBenchmark.run(new EncoderBenchmark.Options(arch, size, runs,
                    threads == null ? 0 : threads, matmulSize, matmulRuns, seed));
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "encoder: %s %dx%d, %d parameters (random), %d threads%n", arch, size, size,
                    r.parameters(), r.threads());
            StringBuilder runsMs = new StringBuilder();
            for (double ms : r.runMs()) {
                runsMs.append(String.format(Locale.ROOT, " %.1f", ms));
            }
            o.printf(Locale.ROOT, "runs_ms:%s%n", runsMs);
            o.printf(Locale.ROOT, "forward_ms: %.1f (median of %d after 1 warm-up)%n", r.medianMs(), runs);
            o.printf(Locale.ROOT, "gflop: %.2f (analytic, 2 per multiply-add)%n", r.flops() / 1e9);
            o.printf(Locale.ROOT, "gflops: %.2f%n", r.gflops());
            o.printf(Locale.ROOT, "matmul_gflops: %.2f (%dx%d @ %dx%d float32, median %.1f ms of %d)%n",
                    r.matmulGflops(), matmulSize, matmulSize, matmulSize, matmulSize, r.matmulMedianMs(), matmulRuns);
            o.printf(Locale.ROOT, "ratio: %.3f (encoder / matmul)%n", r.ratio());
            o.printf(Locale.ROOT, "peak_rss_mb: %.1f (VmHWM)%n", r.vmHwmKb() / 1024.0);
            o.printf(Locale.ROOT, "rss_mb: %.1f (VmRSS)%n", r.vmRssKb() / 1024.0);
            o.printf(Locale.ROOT, "loadavg: %s%n", loadAverage());
            o.flush();
            return 0;
        }

        private static String loadAverage() {
            try {
                String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (java.io.IOException | RuntimeException e) {
                return "unavailable";
            }
        }
    }
}
