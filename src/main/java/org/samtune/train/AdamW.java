package org.samtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;

/**
 * {@code torch.optim.AdamW} (torch 1.13 single-tensor path, amsgrad off), on the parameters of a model.
 *
 * <p>Per step and parameter with gradient g: {@code p *= 1 − lr·wd}; {@code m = β1·m + (1−β1)·g};
 * {@code v = β2·v + (1−β2)·g²}; {@code p −= lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + eps)}. Updates are in place,
 * outside any {@code GradientCollector}; temporaries of a step are closed when it ends.
 *
 * <p>PyTorch skips a parameter whose {@code .grad} is None: one the loss never reached (finetune-SAM: the IoU head,
 * point embeddings, mask down-scaling); with the reference's {@code zero_grad()} (torch 1.13: set to zero, not None)
 * a parameter reached once keeps a (possibly all-zero) gradient and is decayed at every step, e.g. the hypernetwork
 * MLP of mask token 0 under {@code multimask_output=True}. DJL's {@code getGradient()} fabricates zeros for an
 * undefined gradient, so the optimiser asks libtorch directly whether the gradient is defined.
 * Frozen parameters ({@link Parameter#isTrainable()} false) are never touched.
 */
public final class AdamW implements Optimizer {
    /** finetune-SAM's settings (spec §5.1): betas (0.9, 0.999), eps 1e-8, weight decay 0.1 on every parameter. */
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;
    public static final double WEIGHT_DECAY = 0.1;

    private static final String STEP = "step";
    private static final String EXP_AVG = "exp_avg";
    private static final String EXP_AVG_SQ = "exp_avg_sq";

    private final Map<String, Parameter> params;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private double lr;
    /** Parameters without weight decay (MAE: biases and 1-D tensors); empty for finetune-SAM. */
    private final java.util.Set<String> noDecay;
    private final NDManager stateManager;
    private final Map<String, State> state = new LinkedHashMap<>();

    /** Per-parameter state, as PyTorch's {@code optimizer.state[p]}. */
    private static final class State {
        long step;
        NDArray expAvg;
        NDArray expAvgSq;
    }

    /**
     * @param params the parameters to optimise by state-dict name (e.g. {@code model.namedParameters()}); frozen
     *     ones are skipped at each step, so the map may hold the whole model
     */
    public AdamW(Map<String, Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(params, lr, beta1, beta2, eps, weightDecay, java.util.Set.of());
    }

    /** As above, with {@code noDecay} naming parameters in a weight-decay-0 group (timm's param_groups_weight_decay). */
    public AdamW(Map<String, Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 java.util.Set<String> noDecay) {
        if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid AdamW settings: lr " + lr + ", betas (" + beta1 + ", " + beta2
                    + "), eps " + eps + ", weight decay " + weightDecay);
        }
        this.params = new LinkedHashMap<>(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.noDecay = java.util.Set.copyOf(noDecay);
        NDManager base = params.values().stream().findFirst().map(p -> p.array().getManager())
                .orElseThrow(() -> new IllegalArgumentException("AdamW needs at least one parameter"));
        this.stateManager = base.newSubManager();
    }

    /** finetune-SAM's optimiser: AdamW(lr, betas (0.9, 0.999), eps 1e-8, weight decay 0.1). */
    public static AdamW finetuneSam(Map<String, Parameter> params, double lr) {
        return new AdamW(params, lr, BETA1, BETA2, EPS, WEIGHT_DECAY);
    }

    public double lr() {
        return lr;
    }

    /** Sets the rate for the next steps ({@code param_group['lr'] = lr_}). */
    public void setLr(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.lr = lr;
    }

    /** One optimiser step over every trainable parameter that has a gradient. Call outside a GradientCollector. */
    public void step() {
        if (JniUtils.isGradMode()) {
            // inside a GradientCollector the in-place updates would be recorded into the graph
            throw new IllegalStateException("AdamW.step() must run outside a GradientCollector");
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (!p.isTrainable()) {
                continue;
            }
            try (NDScope scope = new NDScope()) {
                NDArray w = p.array();
                NDArray grad = definedGradient(w);
                if (grad == null) {
                    continue; // PyTorch's grad None (see class comment)
                }
                NDScope.register(grad); // each call wraps the gradient in a new handle: close it with the scope
                State s = state.get(e.getKey());
                if (s == null) {
                    s = newState(w);
                    NDScope.unregister(s.expAvg, s.expAvgSq);
                    state.put(e.getKey(), s);
                }
                update(w, grad, s, noDecay.contains(e.getKey()) ? 0 : weightDecay);
            }
        }
    }

    private void update(NDArray w, NDArray grad, State s, double weightDecay) {
        s.step++;
        w.muli(1 - lr * weightDecay);
        s.expAvg.muli(beta1).addi(grad.mul(1 - beta1));
        s.expAvgSq.muli(beta2).addi(grad.mul(grad).muli(1 - beta2));
        double biasCorrection1 = 1 - Math.pow(beta1, s.step);
        double biasCorrection2 = 1 - Math.pow(beta2, s.step);
        double stepSize = lr / biasCorrection1;
        NDArray denom = s.expAvgSq.sqrt().divi(Math.sqrt(biasCorrection2)).addi(eps);
        w.subi(s.expAvg.div(denom).muli(stepSize));
    }

    private State newState(NDArray w) {
        State s = new State();
        s.expAvg = stateManager.zeros(w.getShape(), w.getDataType());
        s.expAvgSq = stateManager.zeros(w.getShape(), w.getDataType());
        return s;
    }

    static NDArray definedGradient(NDArray w) {
        return new Parameter(w).gradient();
    }

    /** Sets every gradient of the optimised parameters to zero ({@code optimizer.zero_grad()}, torch 1.13). */
    public void zeroGrad() {
        for (Parameter p : params.values()) {
            NDArray w = p.array();
            NDArray g = definedGradient(w);
            if (g == null) {
                continue; // stays None, as in torch
            }
            if (w instanceof PtNDArray pt) {
                g.close();
                JniUtils.zeroGrad(pt); // grad.zero_(): also clears NaN and inf, which g·0 would keep
            } else {
                try (g) {
                    g.subi(g);
                }
            }
        }
    }

    /** The number of steps taken for a parameter (0 if it never had a gradient). */
    public long stepCount(String name) {
        State s = state.get(name);
        return s == null ? 0 : s.step;
    }

    /** The parameter names that have optimiser state, in order. */
    public List<String> statefulParameters() {
        return List.copyOf(state.keySet());
    }

    /**
     * The optimiser state on the heap, for resume: {@code <param>.step} (int64 scalar), {@code <param>.exp_avg},
     * {@code <param>.exp_avg_sq}; with {@link #hyperparameters()} as file metadata.
     */
    public StateDict stateDict() {
        LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
        state.forEach((name, s) -> {
            out.put(name + "." + STEP, TensorData.ofLongs(new long[] {s.step}));
            out.put(name + "." + EXP_AVG, Module.toTensorData(s.expAvg));
            out.put(name + "." + EXP_AVG_SQ, Module.toTensorData(s.expAvgSq));
        });
        return new StateDict(out, "AdamW");
    }

    /** Settings as text, for the metadata of the saved state. */
    public Map<String, String> hyperparameters() {
        return Map.of("optimizer", "AdamW", "lr", Double.toString(lr), "beta1", Double.toString(beta1),
                "beta2", Double.toString(beta2), "eps", Double.toString(eps), "weight_decay", Double.toString(weightDecay));
    }

    /**
     * Replaces the state with a saved one. Every entry must name an optimised parameter with the right shape;
     * parameters absent from the file start fresh.
     */
    public void loadStateDict(StateDict sd) {
        Map<String, State> loaded = new LinkedHashMap<>();
        for (String key : sd.keys()) {
            int dot = key.lastIndexOf('.');
            String name = dot < 0 ? "" : key.substring(0, dot);
            String field = key.substring(dot + 1);
            Parameter p = params.get(name);
            if (p == null || !(field.equals(STEP) || field.equals(EXP_AVG) || field.equals(EXP_AVG_SQ))) {
                throw new SamtuneException(sd.source() + ": optimiser state key '" + key
                        + "' does not name a parameter of this model followed by .step, .exp_avg or .exp_avg_sq");
            }
            TensorData t = sd.get(key);
            long[] want = field.equals(STEP) ? new long[0] : p.array().getShape().getShape();
            if (field.equals(STEP) ? t.numel() != 1 : !java.util.Arrays.equals(t.shape(), want)) {
                throw new SamtuneException(sd.source() + ": optimiser state '" + key + "' has shape " + t.shapeString()
                        + ", expected " + (field.equals(STEP) ? "one value" : java.util.Arrays.toString(want)));
            }
        }
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            boolean any = sd.contains(name + "." + STEP) || sd.contains(name + "." + EXP_AVG) || sd.contains(name + "." + EXP_AVG_SQ);
            if (!any) {
                continue;
            }
            if (!(sd.contains(name + "." + STEP) && sd.contains(name + "." + EXP_AVG) && sd.contains(name + "." + EXP_AVG_SQ))) {
                throw new SamtuneException(sd.source() + ": optimiser state of '" + name
                        + "' is incomplete: expected .step, .exp_avg and .exp_avg_sq");
            }
            State s = new State();
            s.step = sd.get(name + "." + STEP).toLongs()[0];
            DataType type = e.getValue().array().getDataType();
            s.expAvg = Module.toArray(stateManager, sd.get(name + "." + EXP_AVG), type);
            s.expAvgSq = Module.toArray(stateManager, sd.get(name + "." + EXP_AVG_SQ), type);
            loaded.put(name, s);
        }
        clearState();
        state.putAll(loaded);
    }

    private void clearState() {
        for (State s : state.values()) {
            s.expAvg.close();
            s.expAvgSq.close();
        }
        state.clear();
    }

    @Override
    public void close() {
        clearState();
        stateManager.close();
    }
}
