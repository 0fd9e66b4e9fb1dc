package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Function;

/**
 * A backward pass in stages, for operations whose gradient samtune computes itself because libtorch's autograd
 * would need a far costlier form to reach it: SAM's attention with decomposed relative positions, where the fused
 * kernel gives no gradient for a float mask (so the bias had to be folded into three-times-wider heads).
 *
 * <p>Within an open stage set, such an operation runs outside autograd and hands on a fresh leaf in place of its
 * result ({@link #cut}). {@link #backward} first runs the ordinary backward pass from the loss, which fills the
 * leaves' gradients, then, from the last cut to the first, turns each leaf's gradient into its inputs' gradients
 * and continues the backward pass from those inputs. Gradients of parameters accumulate as in one pass.
 *
 * <p>Opened by a training step around its forward and backward passes ({@code try (StagedBackward s =
 * StagedBackward.open())}); code that runs without an open set (or without gradients) never cuts, so a caller that
 * only knows {@link GradientCollector#backward} gets the ordinary single-pass graph.
 */
public final class StagedBackward implements AutoCloseable {
    private static final ThreadLocal<StagedBackward> CURRENT = new ThreadLocal<>();

    /** {@code trains[i]}: whether autograd reaches {@code inputs[i]} (asked once, when the stage is cut). */
    private record Stage(NDArray leaf, NDList inputs, boolean[] trains, NDList held,
                         Function<NDArray, NDList> gradients) implements AutoCloseable {
        @Override
        public void close() {
            leaf.close();
            inputs.forEach(NDArray::close);
            held.forEach(NDArray::close);
        }
    }

    private final Deque<Stage> stages = new ArrayDeque<>();
    private final StagedBackward outer;

    private StagedBackward(StagedBackward outer) {
        this.outer = outer;
    }

    /** Opens a stage set for this thread until {@link #close}. */
    public static StagedBackward open() {
        StagedBackward s = new StagedBackward(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The open stage set, when gradients are being recorded. */
    public static Optional<StagedBackward> current() {
        StagedBackward s = CURRENT.get();
        return s != null && JniUtils.isGradMode() ? Optional.of(s) : Optional.empty();
    }

    /**
     * Puts an operation's result into the graph as a leaf whose gradient {@link #backward} hands on.
     *
     * <p>The leaf, the inputs and {@code held} are taken out of the caller's {@link NDScope} (a block may close
     * its intermediates when it returns) and closed when the stage's backward pass is done or the set closes.
     *
     * @param result    the operation's result, computed without autograd
     * @param inputs    the operation's inputs, as autograd recorded them; their recorded histories must be disjoint
     *                  (no tensor upstream of two of them), because each takes its own backward pass
     * @param held      arrays {@code gradients} reads besides the inputs (e.g. {@code result})
     * @param gradients from the gradient of {@code result}, the gradients of {@code inputs} (same order); runs
     *                  without autograd
     * @return the leaf to compute on in place of {@code result}
     */
    public NDArray cut(NDArray result, NDList inputs, NDList held, Function<NDArray, NDList> gradients) {
        boolean[] trains = new boolean[inputs.size()];
        boolean any = false;
        for (int i = 0; i < trains.length; i++) {
            trains[i] = TorchScriptOps.required().requiresGrad(inputs.get(i));
            any |= trains[i];
        }
        if (!any) {
            return result; // nothing upstream trains: no gradient to hand on
        }
        NDArray leaf = result.stopGradient();
        leaf.setRequiresGradient(true);
        NDScope.unregister(leaf);
        inputs.forEach(NDScope::unregister);
        held.forEach(NDScope::unregister);
        stages.push(new Stage(leaf, inputs, trains, held, gradients));
        return leaf;
    }

    /**
     * Cuts the graph at {@code x} without an operation: the returned leaf's gradient, complete once every later
     * stage has run, is handed on to {@code x}. A block whose operation is cut cuts its input too, so that the
     * residual path around the operation does not reach the layers before it ahead of the operation's gradient
     * (autograd would free their saved tensors in the first pass and miss that contribution).
     */
    public NDArray cutThrough(NDArray x) {
        // the stage owns and closes its inputs' handles: give it a view of x (recorded by autograd, so the
        // gradient still reaches x), and the caller's handle stays open (a model's own input, whose gradient is read)
        NDArray view = x.reshape(x.getShape());
        return cut(x, new NDList(view), new NDList(), g -> new NDList(g));
    }

    /** The loss's backward pass, then every stage's, last cut first. */
    public void backward(GradientCollector gc, NDArray loss) {
        gc.backward(loss);
        while (!stages.isEmpty()) {
            try (Stage s = stages.pop(); NDScope scope = new NDScope()) {
                NDArray g = s.leaf().getGradient();
                NDScope.register(g); // each call wraps the gradient in a new handle
                NDList grads = NoGrad.call(() -> s.gradients().apply(g));
                // each input's backward pass from its gradient, as PyTorch's tensor.backward(gradient); the
                // inputs' histories are disjoint (cut's contract), so no pass frees what another still needs. A
                // surrogate sum(input · gradient) would give the same gradients through two more full-size tensors
                // per input.
                for (int i = 0; i < s.inputs().size(); i++) {
                    if (s.trains()[i]) {
                        JniUtils.backward((PtNDArray) s.inputs().get(i), (PtNDArray) grads.get(i), false, false);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        stages.forEach(Stage::close); // not run: the loss was not finite, or the step failed
        stages.clear();
        CURRENT.set(outer);
        if (outer == null) {
            CURRENT.remove();
        }
    }
}
