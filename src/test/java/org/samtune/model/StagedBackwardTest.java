package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.Parameter;
import org.samtune.model.nn.StagedBackward;
import org.samtune.testing.Tolerance;

/**
 * ViT blocks trained through {@link StagedBackward} (global attention cut out of autograd, block inputs cut with
 * it) against the same blocks through the ordinary single-pass graph (augmented fused attention): the output and
 * the gradients of the input and of every trainable parameter agree, whichever parts train. A windowed block
 * before two global ones (32×32 grid, 1,024 tokens: the staged path's size), batch 2.
 *
 * <p>Tolerance: float32 against float32 in two summation orders (the staged path's parity with PyTorch's float64
 * is {@code FusedAttentionParityTest#stagedPathMatchesPyTorch}): |a − b| ≤ 1e-4·max|b| + 1e-4·|b|, scaled by the
 * tensor's largest entry because weight gradients sum over 2,048 tokens and some entries nearly cancel.
 */
class StagedBackwardTest {
    private static final int DIM = 32;
    private static final int GRID = 32;

    @Test
    void everythingTrains() {
        compare(name -> true, true);
    }

    /** Only the last block trains and the input does not: the earlier cuts have nothing to hand on. */
    @Test
    void onlyTheLastBlockTrains() {
        compare(name -> name.startsWith("2."), false);
    }

    /** Only the first block trains: the gradient has to pass through both staged attentions to reach it. */
    @Test
    void onlyTheFirstBlockTrains() {
        compare(name -> name.startsWith("0."), false);
    }

    private static void compare(Predicate<String> trains, boolean inputTrains) {
        Result plain = run(trains, inputTrains, false);
        Result staged = run(trains, inputTrains, true);
        Tolerance.assertClose("out", staged.out(), plain.out(), 1e-5, 1e-5);
        assertThat(staged.out()).as("the staged path ran (its rounding differs)").isNotEqualTo(plain.out());
        assertThat(staged.grads().keySet()).isEqualTo(plain.grads().keySet()).isNotEmpty();
        for (Map.Entry<String, float[]> e : plain.grads().entrySet()) {
            float[] expected = e.getValue();
            double max = Tolerance.maxAbsDiff(expected, new float[expected.length]);
            assertThat(max).as("gradient of " + e.getKey() + " is not zero").isGreaterThan(0);
            Tolerance.assertClose("gradient of " + e.getKey(), staged.grads().get(e.getKey()), expected, 1e-4 * max,
                    1e-4);
        }
    }

    private record Result(float[] out, Map<String, float[]> grads) {}

    private static Result run(Predicate<String> trains, boolean inputTrains, boolean staged) {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Engine.getInstance().setRandomSeed(3);
            List<Block> blocks = List.of(
                    new Block(m, DIM, 2, 2.0, true, true, 8, GRID, BlockOrder.OFFICIAL),
                    new Block(m, DIM, 2, 2.0, true, true, 0, GRID, BlockOrder.OFFICIAL),
                    new Block(m, DIM, 2, 2.0, true, true, 0, GRID, BlockOrder.OFFICIAL));
            Map<String, Parameter> params = new LinkedHashMap<>();
            for (int i = 0; i < blocks.size(); i++) {
                Block b = blocks.get(i);
                b.initialize(17 + i);
                // rel_pos starts at zero (rel_pos_zero_init): give it values so the bias matters
                for (Parameter p : List.of(b.attn.rel_pos_h, b.attn.rel_pos_w)) {
                    p.array().addi(m.randomNormal(p.array().getShape()).muli(0.3f));
                }
                String prefix = i + ".";
                b.namedParameters().forEach((k, p) -> params.put(prefix + k, p));
            }
            params.forEach((k, p) -> p.array().setRequiresGradient(trains.test(k)));
            NDArray x = m.randomNormal(new Shape(2, GRID, GRID, DIM));
            NDArray gradOut = m.randomNormal(x.getShape());
            x.setRequiresGradient(inputTrains);
            float[] out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward stages = staged ? StagedBackward.open() : null) {
                NDArray y = x;
                for (Block b : blocks) {
                    y = b.forward(y);
                }
                out = y.toFloatArray();
                NDArray loss = y.mul(gradOut).sum();
                if (stages != null) {
                    stages.backward(gc, loss);
                } else {
                    gc.backward(loss);
                }
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            if (inputTrains) {
                grads.put("x", x.getGradient().toFloatArray());
            }
            params.forEach((k, p) -> {
                if (trains.test(k)) {
                    grads.put(k, p.array().getGradient().toFloatArray());
                }
            });
            return new Result(out, grads);
        }
    }
}
