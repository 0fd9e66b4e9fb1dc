package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.StagedBackward;
import org.samtune.model.nn.TorchScriptOps;
import org.samtune.testing.InUseMemory;

/**
 * The TorchScript helper paths do not leak: 300 fused attention forward + backward passes over a 32 × 32 grid
 * (with relative positions, gradients into the input and every parameter) leave the managers' array counts
 * unchanged after each NDScope, and memory in use (resident after {@code malloc_trim}, {@link InUseMemory}) grows by
 * at most 24 MiB from pass 50 to pass 300 (the IValues
 * DJL makes for each call are native memory no Java count sees; leaking one output per pass would add 62 MiB;
 * measured by RSS, not by time). The same for the staged path ({@link StagedBackward}: the attention cut out of
 * autograd, its gradient handed on in a second pass), whose stages hold arrays until their backward pass.
 */
class FusedAttentionMemoryTest {
    static final int PASSES = 300;
    static final int BASELINE = 50;
    /** Growth allowed: a leak of one output (256 KiB) per pass would be 62 MiB. */
    static final long ALLOWED_GROWTH_KB = 24 * 1024;

    /** Its own JVM with a fixed, pre-touched heap, so resident memory measures native (libtorch) memory. */
    @Test
    void residentMemoryIsFlatOverManyFusedPasses() throws Exception {
        check("fused");
    }

    @Test
    void residentMemoryIsFlatOverManyStagedPasses() throws Exception {
        check("staged");
    }

    private static void check(String path) throws Exception {
        java.util.List<String> cmd = java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), FusedAttentionMemoryTest.class.getName(), path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        long[] rss = new long[2];
        for (String line : out.split("\n")) {
            if (line.startsWith("rss ")) {
                String[] f = line.split(" ");
                rss[0] = Long.parseLong(f[1]);
                rss[1] = Long.parseLong(f[2]);
            }
        }
        System.out.printf("FusedAttentionMemoryTest (%s): RSS after pass %d %d kB, after pass %d %d kB (%+.1f %%)%n",
                path, BASELINE, rss[0], PASSES, rss[1], 100.0 * (rss[1] - rss[0]) / rss[0]);
        assertThat(rss[0]).as(out).isPositive();
        assertThat(rss[1] - rss[0]).as("RSS growth from pass %d to pass %d (kB)", BASELINE, PASSES)
                .isLessThanOrEqualTo(ALLOWED_GROWTH_KB);
    }

    /** The probe ({@code fused} or {@code staged}): prints "rss <after pass 50 kB> <after the last pass kB>". */
    public static void main(String[] args) {
        boolean staged = args.length > 0 && args[0].equals("staged");
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        long[] rss = new long[2];
        try (NDManager model = NDManager.newBaseManager(); NDManager data = model.newSubManager()) {
            RelPosAttention attn = new RelPosAttention(model, 64, 2, true, true, 32);
            attn.initialize(3);
            attn.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
            NDArray x = data.randomNormal(new Shape(1, 32, 32, 64));
            x.setRequiresGradient(true);
            int modelArrays = model.getManagedArrays().size();
            int dataArrays = data.getManagedArrays().size();
            for (int i = 1; i <= PASSES; i++) {
                try (NDScope scope = new NDScope();
                     GradientCollector gc = Engine.getInstance().newGradientCollector();
                     StagedBackward stages = staged ? StagedBackward.open() : null) {
                    if (stages != null) {
                        NDArray y = attn.forward(x); // 1,024 tokens: the staged path
                        stages.backward(gc, y.sum());
                    } else {
                        gc.backward(attn.forwardFused(x, ops).sum());
                    }
                }
                if (model.getManagedArrays().size() != modelArrays || data.getManagedArrays().size() != dataArrays) {
                    throw new IllegalStateException("arrays accumulate: model " + model.getManagedArrays().size()
                            + " (was " + modelArrays + "), data " + data.getManagedArrays().size() + " (was "
                            + dataArrays + ") after pass " + i);
                }
                if (i == BASELINE) {
                    rss[0] = residentKb();
                }
            }
            rss[1] = residentKb();
        }
        System.out.println("rss " + rss[0] + " " + rss[1]);
        System.exit(0);
    }

    private static long residentKb() {
        return InUseMemory.residentKb();
    }
}
