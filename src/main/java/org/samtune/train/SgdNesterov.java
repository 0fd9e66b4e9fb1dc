package org.samtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;

/**
 * nnU-Net's optimiser step: {@code torch.nn.utils.clip_grad_norm_(params, maxGradNorm)} followed by
 * {@code torch.optim.SGD(params, lr, momentum, weight_decay, nesterov=True)} (dampening 0, single-tensor path).
 *
 * <p>Clipping: the total norm is the 2-norm of the per-parameter gradient norms; every gradient is multiplied by
 * {@code min(1, maxNorm / (total + 1e-6))}, in float32 as PyTorch does. SGD per parameter with gradient g:
 * {@code d = g + wd·p}; the momentum buffer starts as a copy of {@code d}, then {@code buf = μ·buf + d};
 * Nesterov {@code d = d + μ·buf}; {@code p −= lr·d}. Weight decay is plain L2 added to the gradient (coupled),
 * unlike AdamW's.
 *
 * <p>Parameters whose gradient libtorch never defined are skipped by both, as PyTorch skips {@code grad is None}
 * (nnU-Net: the lowest-resolution deep-supervision head, whose loss weight is 0). nnU-Net clears gradients with
 * {@code set_to_none=True}; {@link #zeroGrad} sets them to zero instead (DJL cannot undefine a gradient), which is
 * the same as long as every parameter reached once is reached at every step — true of the U-Nets here.
 */
public final class SgdNesterov implements Optimizer {
    /** nnU-Net's settings ({@code nnUNetTrainer}): lr 1e-2, momentum 0.99, weight decay 3e-5, clip at 12. */
    public static final double LR = 1e-2;
    public static final double MOMENTUM = 0.99;
    public static final double WEIGHT_DECAY = 3e-5;
    public static final double MAX_GRAD_NORM = 12;

    private static final String BUFFER = "momentum_buffer";

    private final Map<String, Parameter> params;
    private final double momentum;
    private final double weightDecay;
    private final double maxGradNorm;
    private double lr;
    private final NDManager stateManager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /** @param maxGradNorm gradient clipping threshold, or infinity for none */
    public SgdNesterov(Map<String, Parameter> params, double lr, double momentum, double weightDecay,
                       double maxGradNorm) {
        if (!(lr >= 0) || !(momentum > 0 && momentum < 1) || !(weightDecay >= 0) || !(maxGradNorm > 0)) {
            throw new IllegalArgumentException("invalid SGD settings: lr " + lr + ", momentum " + momentum
                    + ", weight decay " + weightDecay + ", max gradient norm " + maxGradNorm);
        }
        this.params = new LinkedHashMap<>(params);
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.maxGradNorm = maxGradNorm;
        NDManager base = params.values().stream().findFirst().map(p -> p.array().getManager())
                .orElseThrow(() -> new IllegalArgumentException("SGD needs at least one parameter"));
        this.stateManager = base.newSubManager();
    }

    /** nnU-Net's recipe with the given learning rate and weight decay. */
    public static SgdNesterov nnUNet(Map<String, Parameter> params, double lr, double weightDecay) {
        return new SgdNesterov(params, lr, MOMENTUM, weightDecay, MAX_GRAD_NORM);
    }

    @Override
    public double lr() {
        return lr;
    }

    @Override
    public void setLr(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public void step() {
        if (JniUtils.isGradMode()) {
            throw new IllegalStateException("SgdNesterov.step() must run outside a GradientCollector");
        }
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                if (!e.getValue().isTrainable()) {
                    continue;
                }
                NDArray g = e.getValue().gradient();
                if (g != null) {
                    NDScope.register(g);
                    grads.put(e.getKey(), g);
                }
            }
            if (grads.isEmpty()) {
                return;
            }
            clip(grads.values());
            for (Map.Entry<String, NDArray> e : grads.entrySet()) {
                update(e.getKey(), params.get(e.getKey()).array(), e.getValue());
            }
        }
    }

    /** clip_grad_norm_: scales the gradients in place (always, by at most 1). */
    private void clip(Iterable<NDArray> grads) {
        if (Double.isInfinite(maxGradNorm)) {
            return;
        }
        List<NDArray> norms = new ArrayList<>();
        for (NDArray g : grads) {
            norms.add(g.flatten().norm());
        }
        NDArray total = NDArrays.stack(new NDList(norms)).norm();
        NDArray coef = total.getManager().full(total.getShape(), (float) maxGradNorm).div(total.add(1e-6f))
                .minimum(1f);
        for (NDArray g : grads) {
            g.muli(coef);
        }
    }

    private void update(String name, NDArray w, NDArray grad) {
        NDArray d = weightDecay == 0 ? grad : grad.add(w.mul((float) weightDecay));
        NDArray buf = buffers.get(name);
        if (buf == null) {
            buf = d.duplicate();
            NDScope.unregister(buf);
            buf.attach(stateManager);
            buffers.put(name, buf);
        } else {
            buf.muli((float) momentum).addi(d);
        }
        NDArray step = d.add(buf.mul((float) momentum));
        w.subi(step.muli((float) lr));
    }

    @Override
    public void zeroGrad() {
        for (Parameter p : params.values()) {
            NDArray g = p.gradient();
            if (g == null) {
                continue;
            }
            g.close();
            JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.array());
        }
    }

    /** The parameter names that have a momentum buffer, in order. */
    public List<String> statefulParameters() {
        return List.copyOf(buffers.keySet());
    }

    @Override
    public StateDict stateDict() {
        LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
        buffers.forEach((name, b) -> out.put(name + "." + BUFFER, Module.toTensorData(b)));
        return new StateDict(out, "SGD");
    }

    @Override
    public void loadStateDict(StateDict sd) {
        Map<String, NDArray> loaded = new LinkedHashMap<>();
        for (String key : sd.keys()) {
            String name = key.endsWith("." + BUFFER) ? key.substring(0, key.length() - BUFFER.length() - 1) : null;
            Parameter p = name == null ? null : params.get(name);
            if (p == null) {
                throw new SamtuneException(sd.source() + ": optimiser state key '" + key
                        + "' does not name a parameter of this model followed by ." + BUFFER);
            }
            TensorData t = sd.get(key);
            long[] want = p.array().getShape().getShape();
            if (!java.util.Arrays.equals(t.shape(), want)) {
                throw new SamtuneException(sd.source() + ": optimiser state '" + key + "' has shape "
                        + t.shapeString() + ", expected " + java.util.Arrays.toString(want));
            }
            loaded.put(name, Module.toArray(stateManager, t, DataType.FLOAT32));
        }
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        buffers.putAll(loaded);
    }

    @Override
    public Map<String, String> hyperparameters() {
        return Map.of("optimizer", "SGD", "lr", Double.toString(lr), "momentum", Double.toString(momentum),
                "nesterov", "true", "weight_decay", Double.toString(weightDecay), "max_grad_norm",
                Double.toString(maxGradNorm));
    }

    @Override
    public void close() {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        stateManager.close();
    }
}
