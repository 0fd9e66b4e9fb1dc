package org.samtune.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.model.Architectures;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.NativeHeap;
import org.samtune.pretrain.PretrainBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code samtune bench pretrain}: a pretraining step (mae, prompts) beside a supervised step. See docs/bench.md. */
@Command(
        name = "pretrain",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Seconds per pretraining step (pretrain mae, pretrain prompts) and peak resident memory,",
            "beside a supervised step of the same encoder (bench train's encoder+decoder vanilla) and a float32",
            "matmul, all measured in the same process with random weights and data. See docs/bench.md."})
final class BenchPretrainCommand implements Callable<Integer> {
    @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "vit_b",
            description = "vit_b | vit_l | vit_h | vit_t | compact (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--image-size", paramLabel = "S",
            description = "Input side, a multiple of 16 (default: the architecture's: 1024; compact 256).")
    Integer imageSize;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "1",
            description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "3",
            description = "Timed steps after one warm-up step, per kind (default: ${DEFAULT-VALUE}).")
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
        // a U-Net has no pretraining: refused even when --image-size is given
        int defaultSize = Architectures.getSam(arch, "bench pretrain --arch", "bench pretrain").inputSize();
        int size = imageSize != null ? imageSize : defaultSize;
        PretrainBenchmark.Options options = new PretrainBenchmark.Options(arch, size, batch, steps, seed);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "bench pretrain: %s %dx%d, batch %d, random weights and data, %s; %d timed steps after "
                + "1 warm-up per kind%n", arch, size, size, batch, Compute.describe(), steps);
        double mmGflops = matmul.measure(o);
        o.println("supervised: train --tune encoder+decoder --method vanilla; mae: pretrain mae (mask 0.75, decoder "
                + "512x2); prompts: pretrain prompts (box, prompt encoder frozen)");
        o.println("step_s: median seconds per step; vs_supervised: step_s / the supervised step_s; step_matmul: "
                + "step_s x matmul GFLOP/s (load-independent cost); peak_rss_mb: VmHWM");
        o.printf(Locale.ROOT, "%-12s %12s %9s %14s %12s %12s  %s%n", "kind", "trainable", "step_s", "vs_supervised",
                "step_matmul", "peak_rss_mb", "steps_s");
        o.flush();
        double[] supervised = {Double.NaN};
        PretrainBenchmark.run(options, r -> {
            if (r.kind().equals("supervised")) {
                supervised[0] = r.medianStepSeconds();
            }
            StringBuilder runs = new StringBuilder();
            for (double t : r.stepSeconds()) {
                runs.append(String.format(Locale.ROOT, " %.3f", t));
            }
            o.printf(Locale.ROOT, "%-12s %12d %9.3f %14.2f %12.0f %12.0f %s%n", r.kind(), r.trainableParameters(),
                    r.medianStepSeconds(), r.medianStepSeconds() / supervised[0], r.medianStepSeconds() * mmGflops,
                    r.peakRssMb(), runs);
            o.flush();
        });
        o.printf(Locale.ROOT, "loadavg: %s%n", MatmulReference.loadAverage());
        o.printf(Locale.ROOT, "native_memory: %s%n", NativeHeap.state());
        o.flush();
        return 0;
    }
}
