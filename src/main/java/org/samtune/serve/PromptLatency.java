package org.samtune.serve;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.Random;
import org.samtune.SamtuneException;
import org.samtune.data.UInt8Image;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.model.nn.ProcessMemory;

/**
 * What a click costs in {@code samtune serve}: the image embedding of a slice once, then the per-click work the
 * server does with it (prompt encoder, mask decoder with three candidates, SAM's postprocessing to the slice's
 * size, thresholding), through the same {@link PromptModel} the server uses. Random weights: the time does not
 * depend on their values.
 */
public final class PromptLatency {
    /** What to measure. */
    public record Options(String arch, int width, int height, int clicks, int threads, long seed) {
        public Options {
            if (!arch.equals("vit_b") && !arch.equals("vit_l") && !arch.equals("vit_h")) {
                throw new SamtuneException("bench prompt --arch: expected vit_b, vit_l or vit_h, got '" + arch + "'");
            }
            if (width < 1 || height < 1 || (long) width * height > 1L << 26) {
                throw new SamtuneException("bench prompt --size: expected WxH with 1..2^26 pixels, got " + width + "x"
                        + height);
            }
            if (clicks < 1) {
                throw new SamtuneException("bench prompt --clicks: expected at least 1, got " + clicks);
            }
        }
    }

    /** Times in ms: the embedding, and every timed click (after one warm-up click). */
    public record Result(int threads, double embedMs, double[] clickMs, double postprocessMs, double matmulMs,
            long vmHwmKb) {
        public double median() {
            return percentile(50);
        }

        public double percentile(double q) {
            double[] s = clickMs.clone();
            Arrays.sort(s);
            int i = (int) Math.ceil(q / 100.0 * s.length) - 1;
            return s[Math.max(0, Math.min(s.length - 1, i))];
        }
    }

    private PromptLatency() {}

    /** Median of 5 runs of SAM's postprocessing alone (3 low-res masks → img_size² → crop → slice size). */
    private static double postprocessMs(int imgSize, int w, int h, Random r) {
        int low = imgSize / 4;
        float[] logits = new float[3 * low * low];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian();
        }
        int longest = Math.max(w, h);
        int inH = (int) Math.floor(h * (double) imgSize / longest + 0.5);
        int inW = (int) Math.floor(w * (double) imgSize / longest + 0.5);
        double[] t = new double[5];
        for (int k = 0; k < t.length; k++) {
            long t0 = System.nanoTime();
            org.samtune.data.SamTransforms.postprocessMasks(logits, 1, 3, low, low, imgSize, inH, inW, h, w);
            t[k] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[2];
    }

    /** Median of 5 float32 1024×1024 @ 1024×1024 matmuls (2.1 GFLOP): the machine's speed right now. */
    private static double matmulMs(NDManager manager) {
        double[] t = new double[5];
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            ai.djl.ndarray.NDArray a = manager.randomNormal(new ai.djl.ndarray.types.Shape(1024, 1024));
            a.matMul(a).toFloatArray();
            for (int k = 0; k < t.length; k++) {
                long t0 = System.nanoTime();
                a.matMul(a).toFloatArray();
                t[k] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(t);
        return t[2];
    }

    public static Result run(Options o) {
        try (NDManager manager = org.samtune.model.nn.Compute.newManager()) {
            if (o.threads() > 0) {
                JniUtils.setNumThreads(o.threads());
            }
            int threads = JniUtils.getNumThreads();
            Sam sam = Sam.build(manager, SamConfig.preset(o.arch()));
            sam.initialize(o.seed());
            sam.train(false);
            PromptModel model = new PromptModel(sam);
            Random r = new Random(o.seed());
            byte[] px = new byte[o.width() * o.height()];
            r.nextBytes(px);
            UInt8Image image = new UInt8Image(o.height(), o.width(), 1, px).toRgb();
            long t0 = System.nanoTime();
            try (PromptModel.Embedded e = model.embed(image)) {
                double embedMs = (System.nanoTime() - t0) / 1e6;
                double[] ms = new double[o.clicks()];
                // a user's session: points added one by one (up to 5), then a box, repeated
                for (int k = -1; k < o.clicks(); k++) {
                    int n = 1 + Math.floorMod(k, 5);
                    double[] xy = new double[2 * n];
                    int[] labels = new int[n];
                    for (int p = 0; p < n; p++) {
                        xy[2 * p] = r.nextInt(o.width());
                        xy[2 * p + 1] = r.nextInt(o.height());
                        labels[p] = p == 0 ? 1 : r.nextInt(2);
                    }
                    double[] box = k % 6 == 5 ? new double[] {0, 0, o.width() / 2.0, o.height() / 2.0} : null;
                    long c0 = System.nanoTime();
                    PromptModel.Masks m = e.predict(xy, labels, box);
                    long c1 = System.nanoTime();
                    if (m.masks().length != 3) {
                        throw new IllegalStateException("expected 3 candidates");
                    }
                    if (k >= 0) {
                        ms[k] = (c1 - c0) / 1e6;
                    }
                }
                double post = postprocessMs(model.imgSize(), o.width(), o.height(), r);
                double mm = matmulMs(manager);
                return new Result(threads, embedMs, ms, post, mm, ProcessMemory.now().peakKb());
            }
        }
    }
}
