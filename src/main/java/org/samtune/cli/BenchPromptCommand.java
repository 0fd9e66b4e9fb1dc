package org.samtune.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.serve.PromptLatency;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code samtune bench prompt}: the latency of one click in {@code samtune serve} (decoder only, embedding cached). */
@Command(
        name = "prompt",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Per-click time of samtune serve with random weights: the slice's image embedding once, then",
            "prompt encoder + mask decoder (3 candidates) + postprocessing to the slice size for each click."})
final class BenchPromptCommand implements Callable<Integer> {
    @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "vit_b",
            description = "vit_b | vit_l | vit_h (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "512x512",
            description = "Slice size in pixels (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--clicks", paramLabel = "N", defaultValue = "50",
            description = "Timed clicks after one warm-up (default: ${DEFAULT-VALUE}).")
    int clicks;

    @Option(names = "--threads", paramLabel = "N", description = "libtorch intra-op threads (default: libtorch's).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Weight and prompt seed.")
    long seed;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        int w;
        int h;
        try {
            w = Integer.parseInt(wh[0].trim());
            h = Integer.parseInt(wh[1].trim());
        } catch (RuntimeException e) {
            throw new SamtuneException("--size: expected WxH in pixels (e.g. 512x512), got '" + size + "'");
        }
        PromptLatency.Result r = PromptLatency.run(new PromptLatency.Options(arch, w, h, clicks,
                threads == null ? 0 : threads, seed));
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "prompt: %s, slice %dx%d, %d threads, random weights%n", arch, w, h, r.threads());
        o.printf(Locale.ROOT, "embedding_ms: %.1f (once per slice, then cached)%n", r.embedMs());
        o.printf(Locale.ROOT, "click_ms: median %.1f, p90 %.1f, max %.1f (%d clicks after 1 warm-up)%n", r.median(),
                r.percentile(90), r.percentile(100), clicks);
        o.printf(Locale.ROOT, "postprocess_ms: %.1f (of a click: 3 masks to %dx%d, median of 5)%n", r.postprocessMs(),
                w, h);
        o.printf(Locale.ROOT, "matmul_ms: %.1f (1024³ float32, median of 5; click/matmul %.2f, embedding/matmul %.1f)%n",
                r.matmulMs(), r.median() / r.matmulMs(), r.embedMs() / r.matmulMs());
        o.printf(Locale.ROOT, "peak_rss_mb: %.1f (VmHWM)%n", r.vmHwmKb() / 1024.0);
        o.printf(Locale.ROOT, "loadavg: %s%n", MatmulReference.loadAverage());
        o.flush();
        return 0;
    }
}
