package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.samtune.checkpoint.DType;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;

/**
 * The Java counterpart of {@code torch.nn.Module}: named parameters, buffers and child modules, so that a module's
 * state-dict keys are exactly PyTorch's ({@code image_encoder.blocks.3.attn.qkv.weight}). Each subclass defines
 * its own typed {@code forward}.
 *
 * <p>Parameters and buffers live in the {@link NDManager} given at construction (the model's). Forward passes
 * create intermediate arrays; callers run them inside an {@link ai.djl.ndarray.NDScope} and unregister what they
 * keep, so nothing accumulates in the model's manager.
 */
public abstract class Module {
    protected final NDManager manager;
    private final LinkedHashMap<String, Parameter> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, NDArray> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Boolean> bufferPersistent = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training;

    protected Module(NDManager manager) {
        this.manager = manager;
    }

    public NDManager manager() {
        return manager;
    }

    // ---- memory ---------------------------------------------------------------------------------------------

    /**
     * Runs {@code f} in its own NDScope and hands its result to the caller's scope: intermediates are released
     * as soon as a block is done instead of at the end of the whole forward pass (ViT-H at 1024² would otherwise
     * hold every block's attention maps at once).
     *
     * <p>Closing an array that libtorch computed only drops a reference, so what autograd saved survives. Arrays
     * DJL made from Java data are different: closing frees their memory. A block must therefore not create such an
     * array that backward needs (see {@link Scalars}; index tables live as long as the model).
     */
    public static NDArray scoped(java.util.function.Supplier<NDArray> f) {
        NDArray out;
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            out = f.get();
            ai.djl.ndarray.NDScope.unregister(out);
        }
        ai.djl.ndarray.NDScope.register(out);
        return out;
    }

    // ---- registration ------------------------------------------------------------------------------------

    /**
     * Set while {@link #shapesOnly} builds a model: parameters are zero-stride views of one zero, so a ViT-H's
     * 641 M parameters can be listed with their shapes without allocating 2.5 GB.
     */
    private static final ThreadLocal<Boolean> SHAPES_ONLY = ThreadLocal.withInitial(() -> false);

    /**
     * Builds a model whose parameters have the right names and shapes but share one zero of storage (PyTorch's
     * "meta" device). Such a model can be inspected (keys, shapes, counts) but not initialised, loaded or run.
     */
    public static <M extends Module> M shapesOnly(java.util.function.Supplier<M> build) {
        boolean before = SHAPES_ONLY.get();
        SHAPES_ONLY.set(true);
        try {
            return build.get();
        } finally {
            SHAPES_ONLY.set(before);
        }
    }

    /** Registers a float32 parameter of the given shape, zero-filled; {@link #resetParameters} initialises it. */
    protected final Parameter parameter(String name, long... shape) {
        NDArray a = SHAPES_ONLY.get()
                ? manager.zeros(new Shape(), DataType.FLOAT32).broadcast(new Shape(shape))
                : manager.zeros(new Shape(shape), DataType.FLOAT32);
        Parameter p = new Parameter(a);
        if (parameters.put(name, p) != null) {
            throw new IllegalStateException("parameter '" + name + "' registered twice");
        }
        return p;
    }

    /** Registers a buffer; a non-persistent buffer is not part of the state dict (PyTorch's persistent=False). */
    protected final NDArray buffer(String name, NDArray value, boolean persistent) {
        buffers.put(name, value);
        bufferPersistent.put(name, persistent);
        return value;
    }

    /** The current value of a buffer (it can be replaced by loading or by BatchNorm's running statistics). */
    protected final NDArray buffer(String name) {
        return buffers.get(name);
    }

    protected final void setBuffer(String name, NDArray value) {
        NDArray old = buffers.put(name, value);
        if (old != null && old != value) {
            old.close();
        }
    }

    protected final <M extends Module> M module(String name, M child) {
        if (children.put(name, child) != null) {
            throw new IllegalStateException("module '" + name + "' registered twice");
        }
        return child;
    }

    /** Replaces a registered child (e.g. a Linear wrapped by LoRA); the caller keeps the old one if it needs it. */
    public final void replaceModule(String name, Module child) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException("no child module '" + name + "' in " + getClass().getSimpleName());
        }
        children.put(name, child);
    }

    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    public final Module child(String name) {
        return children.get(name);
    }

    /** The module at a dotted path such as {@code blocks.3.attn}, or null. */
    public final Module find(String path) {
        Module m = this;
        for (String part : path.split("\\.")) {
            if (m == null) {
                return null;
            }
            m = m.children.get(part);
        }
        return m;
    }

    // ---- traversal ---------------------------------------------------------------------------------------

    /** Every parameter with its dotted name, in PyTorch's order (own parameters first, then children). */
    public final Map<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.parameters.forEach((k, v) -> out.put(prefix + k, v)));
        return out;
    }

    /** Every module with its dotted name ("" for this one). */
    public final Map<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
        return out;
    }

    private void visit(String prefix, BiConsumer<String, Module> f) {
        f.accept(prefix, this);
        children.forEach((k, c) -> c.visit(prefix + k + ".", f));
    }

    /** Parameters and persistent buffers, in the order of PyTorch's {@code state_dict()}. */
    public final Map<String, NDArray> stateArrays() {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, NDArray> out) {
        parameters.forEach((k, p) -> out.put(prefix + k, p.array()));
        buffers.forEach((k, b) -> {
            if (bufferPersistent.get(k)) {
                out.put(prefix + k, b);
            }
        });
        children.forEach((k, c) -> c.collectState(prefix + k + ".", out));
    }

    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(Parameter::numel).sum();
    }

    public final long trainableParameterCount() {
        return namedParameters().values().stream().filter(Parameter::isTrainable).mapToLong(Parameter::numel).sum();
    }

    /** Marks every parameter of this module and its children trainable or frozen. */
    public final void setTrainable(boolean trainable) {
        namedParameters().values().forEach(p -> p.setTrainable(trainable));
    }

    // ---- mode --------------------------------------------------------------------------------------------

    /** Training mode matters for BatchNorm (batch statistics, running-stat updates); as PyTorch's train(). */
    public final void train(boolean on) {
        visit("", (p, m) -> m.training = on);
    }

    public final boolean isTraining() {
        return training;
    }

    // ---- initialisation ----------------------------------------------------------------------------------

    /**
     * Initialises this module's own parameters as PyTorch's constructor would (Kaiming-uniform for Linear and
     * Conv, N(0,1) for Embedding, ...). The default leaves zeros; layers override. Children are done by
     * {@link #initialize(long)}.
     */
    protected void resetParameters(Random rng) {}

    /** Initialises every module from one seed, in registration order, so a seed gives the same weights. */
    public final void initialize(long seed) {
        Random rng = new Random(seed);
        visit("", (p, m) -> m.resetParameters(rng));
    }

    /** Fills a parameter with U(-bound, bound) from a Java RNG (reproducible whatever libtorch's RNG state). */
    protected final void uniform(Parameter p, double bound, Random rng) {
        float[] v = new float[Math.toIntExact(p.numel())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        p.assign(v);
    }

    protected final void normal(Parameter p, double std, Random rng) {
        float[] v = new float[Math.toIntExact(p.numel())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * std);
        }
        p.assign(v);
    }

    protected final void fill(Parameter p, float value) {
        if (SHAPES_ONLY.get()) {
            return;
        }
        float[] v = new float[Math.toIntExact(p.numel())];
        Arrays.fill(v, value);
        p.assign(v);
    }

    // ---- state dict --------------------------------------------------------------------------------------

    /**
     * Copies matching tensors from {@code sd} into this module. Tensors with a different shape are skipped and
     * reported, as are missing and unexpected keys; with {@code strict} any of those is an error.
     */
    public final LoadReport loadStateDict(StateDict sd, boolean strict) {
        Map<String, NDArray> mine = stateArrays();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<LoadReport.Mismatch> mismatched = new ArrayList<>();
        int loaded = 0;
        for (Map.Entry<String, NDArray> e : mine.entrySet()) {
            TensorData t = sd.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            long[] expected = e.getValue().getShape().getShape();
            if (!Arrays.equals(expected, t.shape())) {
                mismatched.add(new LoadReport.Mismatch(e.getKey(), expected, t.shape()));
                continue;
            }
            loaded++;
        }
        for (String k : sd.keys()) {
            if (!mine.containsKey(k)) {
                unexpected.add(k);
            }
        }
        LoadReport report = new LoadReport(sd.source(), loaded, missing, unexpected, mismatched);
        if (strict && !report.isClean()) {
            throw new org.samtune.SamtuneException(report.describe(10));
        }
        assign("", sd);
        return report;
    }

    private void assign(String prefix, StateDict sd) {
        parameters.forEach((k, p) -> {
            TensorData t = sd.get(prefix + k);
            if (t != null && Arrays.equals(p.array().getShape().getShape(), t.shape())) {
                p.assign(t.toFloats());
            }
        });
        for (String k : new ArrayList<>(buffers.keySet())) {
            TensorData t = sd.get(prefix + k);
            NDArray b = buffers.get(k);
            if (t != null && bufferPersistent.get(k) && Arrays.equals(b.getShape().getShape(), t.shape())) {
                setBuffer(k, toArray(manager, t, b.getDataType()));
            }
        }
        children.forEach((k, c) -> c.assign(prefix + k + ".", sd));
    }

    /** The module's parameters and persistent buffers copied to the heap, ready to be written to a file. */
    public final StateDict stateDict() {
        LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
        stateArrays().forEach((k, a) -> out.put(k, toTensorData(a)));
        return new StateDict(out, getClass().getSimpleName());
    }

    /** Copies an array to the heap (float32 stays float32, int64 stays int64; others become float32). */
    public static TensorData toTensorData(NDArray a) {
        long[] shape = a.getShape().getShape();
        if (a.getDataType() == DataType.INT64) {
            return TensorData.ofLongs(a.toLongArray(), shape);
        }
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        TensorData t = TensorData.ofFloats(f.toFloatArray(), shape);
        if (f != a) {
            f.close();
        }
        return t;
    }

    /** Creates an array of the given type in {@code manager} from heap data. */
    public static NDArray toArray(NDManager manager, TensorData t, DataType type) {
        Shape shape = new Shape(t.shape());
        if (type == DataType.INT64) {
            return manager.create(t.toLongs(), shape);
        }
        if (t.dtype() == DType.F32) {
            ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            return manager.create(b.asFloatBuffer(), shape, DataType.FLOAT32);
        }
        return manager.create(t.toFloats(), shape);
    }
}
