package org.samtune.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.model.Architectures;
import org.samtune.model.EncoderBenchmark;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.NativeHeap;
import org.samtune.model.nn.Precision;
import org.samtune.model.nn.TorchScriptOps;
import org.samtune.peft.TuningPlan;
import org.samtune.train.TrainBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code samtune bench}: speed measurements (never part of the unit tests). See docs/bench.md. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Measure speed and memory. See docs/bench.md.",
            "Without a subcommand: seconds per training step and peak memory of all six strategies on vit_b at",
            "256x256, batch 1 (a few minutes), beside a matmul measured in the same process."},
        subcommands = {BenchCommand.Encoder.class, BenchCommand.Train.class, BenchPromptCommand.class,
                BenchPretrainCommand.class})
public final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Override
    public void run() {
        Train t = new Train();
        t.compute = compute;
        t.arch = "vit_b";
        t.tune = "all";
        t.method = "all";
        t.imageSize = 256;
        t.batch = 1;
        t.steps = 2;
        t.matmul = new MatmulReference();
        t.matmul.size = 2048;
        t.matmul.runs = 3;
        t.spec = spec;
        t.call();
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

        @Option(names = {"--image-size", "--size"}, paramLabel = "PX", defaultValue = "1024",
                description = "Input side in pixels, a multiple of 16 (vit_t: 64) (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--runs", paramLabel = "N", defaultValue = "5",
                description = "Timed forward passes after one warm-up (default: ${DEFAULT-VALUE}).")
        int runs;

        @picocli.CommandLine.Mixin
        ComputeOptions compute = new ComputeOptions();

        @picocli.CommandLine.Mixin
        MatmulReference matmul = new MatmulReference();

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Weight seed.")
        long seed;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            compute.apply();
            EncoderBenchmark.Result r = EncoderBenchmark.run(new EncoderBenchmark.Options(arch, size, runs,
                    0, matmul.size, matmul.runs, seed));
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "encoder: %s %dx%d, %d parameters (random), %d threads%n", arch, size, size,
                    r.parameters(), r.threads());
            o.printf(Locale.ROOT, "compute: %s%n", computeLine());
            StringBuilder runsMs = new StringBuilder();
            for (double ms : r.runMs()) {
                runsMs.append(String.format(Locale.ROOT, " %.1f", ms));
            }
            o.printf(Locale.ROOT, "runs_ms:%s%n", runsMs);
            o.printf(Locale.ROOT, "forward_ms: %.1f (median of %d after 1 warm-up)%n", r.medianMs(), runs);
            o.printf(Locale.ROOT, "gflop: %.2f (analytic, 2 per multiply-add)%n", r.flops() / 1e9);
            o.printf(Locale.ROOT, "gflops: %.2f%n", r.gflops());
            matmul.print(o, r.matmulMedianMs());
            o.printf(Locale.ROOT, "ratio: %.3f (encoder / matmul)%n", r.ratio());
            o.printf(Locale.ROOT, "peak_rss_mb: %.1f (VmHWM)%n", r.vmHwmKb() / 1024.0);
            o.printf(Locale.ROOT, "rss_mb: %.1f (VmRSS)%n", r.vmRssKb() / 1024.0);
            o.printf(Locale.ROOT, "loadavg: %s%n", MatmulReference.loadAverage());
            o.flush();
            return 0;
        }

        /** Device, threads, precision and which attention path ran, for the record. */
        static String computeLine() {
            return Compute.describe() + (Compute.precision() == Precision.FP32 ? ", fp32" : "")
                    + ", attention " + (TorchScriptOps.get().isPresent()
                    ? "fused (TorchScript helper)" : "plain");
        }
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {"Seconds per training step and peak resident memory of one strategy or all of them,",
                "random weights and data, beside a float32 matmul measured in the same process. See docs/bench.md."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "vit_b",
                description = "vit_b | vit_l | vit_h | vit_t | compact (default: ${DEFAULT-VALUE}).")
        String arch;

        @Option(names = "--tune", paramLabel = "WHAT", defaultValue = "all",
                description = "decoder | encoder+decoder | all (default: ${DEFAULT-VALUE}).")
        String tune;

        @Option(names = "--method", paramLabel = "HOW", defaultValue = "all",
                description = "vanilla | adapter | lora | all (default: ${DEFAULT-VALUE}).")
        String method;

        @Option(names = "--image-size", paramLabel = "S",
                description = "Input side, a multiple of 16 (default: 1024; compact 256).")
        Integer imageSize;

        @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "1",
                description = "Batch size (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "3",
                description = "Timed steps after one warm-up step (default: ${DEFAULT-VALUE}).")
        int steps;

        @picocli.CommandLine.Mixin
        MatmulReference matmul = new MatmulReference();

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Weight and data seed.")
        long seed;

        @picocli.CommandLine.Mixin
        ComputeOptions compute = new ComputeOptions();

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            compute.apply();
            PrintWriter o = spec.commandLine().getOut();
            int size = imageSize != null ? imageSize
                    : Architectures.getSam(arch, "bench train --arch", "bench train").inputSize();
            List<TrainBenchmark.Options> todo = new ArrayList<>();
            for (TrainBenchmark.Options s : TrainBenchmark.allStrategies(arch, size, batch, steps, seed)) {
                if ((tune.equals("all") || s.tune() == TuningPlan.Tune.parse(tune))
                        && (method.equals("all") || s.method() == TuningPlan.Method.parse(method))) {
                    todo.add(s);
                }
            }
            o.printf(Locale.ROOT, "bench train: %s %dx%d, batch %d, random weights and data, %s; %d timed steps "
                    + "after 1 warm-up per strategy%n", arch, size, size, batch, Encoder.computeLine(), steps);
            double mmGflops = matmul.measure(o);
            o.println("step_s: median seconds per step; cached_s: the same with cached embeddings (frozen encoder); "
                    + "step_matmul: step_s x matmul GFLOP/s (load-independent cost); peak_rss_mb: VmHWM");
            o.printf(Locale.ROOT, "%-26s %12s %9s %9s %12s %12s  %s%n", "strategy", "trainable", "step_s",
                    "cached_s", "step_matmul", "peak_rss_mb", "steps_s");
            o.flush();
            for (TrainBenchmark.Options s : todo) {
                TrainBenchmark.Result r = TrainBenchmark.run(s);
                StringBuilder runs = new StringBuilder();
                for (double t : r.stepSeconds()) {
                    runs.append(String.format(Locale.ROOT, " %.2f", t));
                }
                o.printf(Locale.ROOT, "%-26s %12d %9.2f %9s %12.0f %12.0f %s%n", s.strategy(),
                        r.trainableParameters(), r.medianStepSeconds(), Double.isNaN(r.cachedStepSeconds()) ? "-"
                                : String.format(Locale.ROOT, "%.3f", r.cachedStepSeconds()),
                        r.medianStepSeconds() * mmGflops, r.peakRssMb(), runs);
                o.flush();
            }
            o.printf(Locale.ROOT, "loadavg: %s%n", MatmulReference.loadAverage());
            o.printf(Locale.ROOT, "native_memory: %s%n", NativeHeap.state());
            o.flush();
            return 0;
        }
    }
}
