package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.function.Function;
import org.samtune.SamtuneException;
import org.samtune.model.nn.OpProfile;
import org.samtune.model.nn.ProcessMemory;

/**
 * Speed of the image encoder (random weights) against a plain float32 matmul measured in the same process: median
 * forward time after one warm-up, analytic FLOPs ({@link EncoderFlops}), achieved GFLOP/s, the matmul's GFLOP/s
 * and their ratio, and memory from {@code /proc/self/status} (VmHWM peak resident, VmRSS now).
 */
public final class EncoderBenchmark {

    /** What to measure. {@code threads} ≤ 0 keeps libtorch's default; {@code matmulSize} is n of n×n @ n×n. */
    public record Options(String arch, int size, int runs, int threads, int matmulSize, int matmulRuns, long seed) {
        public Options {
            Architectures.getSam(arch, "bench encoder --arch", "bench encoder");
            int multiple = arch.equals(Architectures.VIT_T.name()) ? 64 : 16;
            if (size <= 0 || size % multiple != 0) {
                throw new SamtuneException("bench encoder --image-size: expected a positive multiple of " + multiple
                        + " for " + arch + ", got " + size);
            }
            if (runs < 1 || matmulRuns < 1) {
                throw new SamtuneException("bench encoder --runs: expected at least 1, got " + Math.min(runs,
                        matmulRuns));
            }
            if (matmulSize < 1) {
                throw new SamtuneException("bench encoder --matmul-size: expected at least 1, got " + matmulSize);
            }
        }
    }

    /**
     * @param runMs         every timed forward pass (ms), in order
     * @param medianMs      their median
     * @param flops         analytic FLOPs of one forward pass
     * @param matmulMedianMs median of the timed matmuls
     * @param vmHwmKb       peak resident set (kB) after the runs, -1 where /proc is missing
     * @param vmRssKb       resident set (kB) after the runs, -1 where /proc is missing
     */
    public record Result(Options options, int threads, long parameters, double[] runMs, double medianMs,
                         double flops, double matmulMedianMs, long vmHwmKb, long vmRssKb) {
        public double gflops() {
            return flops / (medianMs * 1e6);
        }

        public double matmulGflops() {
            double n = options.matmulSize();
            return 2 * n * n * n / (matmulMedianMs * 1e6);
        }

        public double ratio() {
            return gflops() / matmulGflops();
        }
    }

    private EncoderBenchmark() {}

    public static Result run(Options o) {
        try (NDManager manager = org.samtune.model.nn.Compute.newManager()) {
            // the native library is loaded with the engine, i.e. once a manager exists
            if (o.threads() > 0) {
                JniUtils.setNumThreads(o.threads());
            }
            int threads = JniUtils.getNumThreads();
            Encoder enc = build(manager, o);
            NDArray image = manager.randomNormal(new Shape(1, 3, o.size(), o.size()));
            double[] times;
            try (OpProfile profile = OpProfile.startIfRequested()) {
                times = time(o.runs(), image, enc.forward());
            }
            double mm = matmulMs(manager, o.matmulSize(), o.matmulRuns());
            ProcessMemory.Usage mem = ProcessMemory.now();
            return new Result(o, threads, enc.parameters(), times, median(times), enc.flops(), mm, mem.peakKb(),
                    mem.residentKb());
        }
    }

    private record Encoder(Function<NDArray, NDArray> forward, double flops, long parameters) {}

    private static Encoder build(NDManager manager, Options o) {
        if (Architectures.get(o.arch(), "--arch") == Architectures.VIT_T) {
            TinyViTConfig v = TinyViTConfig.vitT();
            TinyViTConfig c = new TinyViTConfig(o.size(), v.inChans(), v.numClasses(), v.embedDims(), v.depths(),
                    v.numHeads(), v.windowSizes(), v.mlpRatio(), v.mbconvExpandRatio(), v.localConvSize());
            TinyViT enc = new TinyViT(manager, c);
            enc.initialize(o.seed());
            enc.train(false);
            return new Encoder(enc::forward, EncoderFlops.tinyViT(c), enc.parameterCount());
        }
        SamConfig.ViT v = (Architectures.get(o.arch(), "--arch") == Architectures.COMPACT ? SamModels.compact()
                : SamConfig.preset(o.arch())).vit();
        SamConfig.ViT c = new SamConfig.ViT(o.size(), v.patchSize(), v.inChans(), v.embedDim(), v.depth(),
                v.numHeads(), v.mlpRatio(), v.outChans(), v.qkvBias(), v.useAbsPos(), v.useRelPos(), v.windowSize(),
                v.globalAttnIndexes(), v.blockOrder());
        ImageEncoderViT enc = new ImageEncoderViT(manager, c);
        enc.initialize(o.seed());
        return new Encoder(enc::forward, EncoderFlops.vit(c), enc.parameterCount());
    }

    /** One untimed warm-up, then {@code runs} timed calls; each result is materialised before the clock stops. */
    private static double[] time(int runs, NDArray input, Function<NDArray, NDArray> f) {
        double[] ms = new double[runs];
        for (int r = -1; r < runs; r++) {
            try (NDScope scope = new NDScope()) {
                long t0 = System.nanoTime();
                NDArray y = f.apply(input);
                y.toFloatArray(); // forces the computation and the copy out, as a caller would
                long t1 = System.nanoTime();
                if (r >= 0) {
                    ms[r] = (t1 - t0) / 1e6;
                }
            }
        }
        return ms;
    }

    /** Median milliseconds of an n×n @ n×n float32 matmul in {@code manager} (one warm-up, then {@code runs}). */
    public static double matmulMs(NDManager manager, int n, int runs) {
        try (NDScope scope = new NDScope()) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            return median(time(runs, a, x -> x.matMul(b)));
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
