package org.samtune.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch operations that DJL 0.36's NDArray API does not expose (the fused {@code scaled_dot_product_attention}),
 * reached through a small TorchScript module: samtune's own source ({@code torchscript_ops.py} beside this class),
 * packed into an archive in memory ({@link TorchScriptArchive}) and loaded by libtorch from a stream, so no file is
 * written. Autograd records through its methods as through any libtorch op.
 *
 * <p>Optional by design: when the module cannot be loaded (or {@code -Dsamtune.torchscript=false}), {@link #get()}
 * is empty, callers use their plain DJL path, and one warning says so for the whole process.
 *
 * <p>Pitfalls handled here: DJL's {@code IValueUtils.runMethod} runs without gradients, so methods are called
 * through {@code IValueUtils.forward(..., true)} with the method named by a {@code module_method:} marker; the
 * IValues DJL makes for the call are closed by it; the results are ordinary arrays of the first input's manager,
 * registered in the caller's {@code NDScope}.
 */
public final class TorchScriptOps {
    /** {@code -Dsamtune.torchscript=false} turns the helper off (the plain path is then used everywhere). */
    public static final String PROPERTY = "samtune.torchscript";
    private static final Logger LOG = LoggerFactory.getLogger(TorchScriptOps.class);
    private static final Object LOCK = new Object();
    private static volatile Optional<TorchScriptOps> instance;

    private final NDManager manager;
    private final PtSymbolBlock module;

    private TorchScriptOps(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
    }

    /** The helper, loaded on first use; empty when it is disabled or could not be loaded (said once). */
    public static Optional<TorchScriptOps> get() {
        Optional<TorchScriptOps> ops = instance;
        if (ops == null) {
            synchronized (LOCK) {
                ops = instance;
                if (ops == null) {
                    ops = load(System.getProperty(PROPERTY, "true"), null);
                    instance = ops;
                }
            }
        }
        return ops;
    }

    /**
     * Loads the helper, or says in one warning why not.
     *
     * @param enabled the {@link #PROPERTY} value ("false" turns the helper off)
     * @param source  TorchScript source to load instead of the bundled one (tests), or null
     */
    static Optional<TorchScriptOps> load(String enabled, String source) {
        if ("false".equalsIgnoreCase(enabled.strip())) {
            LOG.warn("TorchScript helper off (-D{}=false): attention runs unfused, bf16 is unavailable", PROPERTY);
            return Optional.empty();
        }
        NDManager manager = null;
        try {
            byte[] archive = TorchScriptArchive.of("Ops", source != null ? source : source());
            // lives for the process: the module has no tensors, its methods run on their inputs' device
            manager = Compute.newManager();
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive),
                    false, false);
            return Optional.of(new TorchScriptOps(manager, module));
        } catch (RuntimeException | IOException | LinkageError e) {
            if (manager != null) {
                manager.close();
            }
            LOG.warn("TorchScript helper not available ({}): attention runs unfused, bf16 is unavailable",
                    String.valueOf(e.getMessage()).lines().map(String::strip).filter(l -> !l.isEmpty())
                            .findFirst().orElse(e.getClass().getSimpleName()));
            return Optional.empty();
        }
    }

    static String source() throws IOException {
        try (InputStream in = TorchScriptOps.class.getResourceAsStream("torchscript_ops.py")) {
            if (in == null) {
                throw new IOException("resource torchscript_ops.py missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs one method of the helper with gradients recorded when autograd is on.
     *
     * @return the method's tensor result, in {@code inputs[0]}'s manager and the current NDScope
     */
    public NDArray call(String method, NDArray... inputs) {
        NDList out = callAll(method, inputs);
        if (out.size() != 1) {
            out.close();
            throw new IllegalStateException("TorchScript helper " + method + " returned " + out.size() + " tensors");
        }
        return out.get(0);
    }

    /**
     * Runs a method that returns one tensor or several (a tuple), with gradients recorded when autograd is on.
     *
     * @return the method's tensors, in {@code inputs[0]}'s manager and the current NDScope
     */
    public NDList callAll(String method, NDArray... inputs) {
        NDList args = new NDList(inputs.length + 1);
        for (NDArray a : inputs) {
            // DJL reads structure from array names ("a.b" → dict entry, "x[]" → list): pass named arrays as
            // unnamed views
            args.add(a.getName() == null ? a : a.reshape(a.getShape()));
        }
        // DJL names the method through an array's name; the marker array itself is not passed
        NDArray marker = inputs[0].getManager().create(0f);
        marker.setName("module_method:" + method);
        args.add(marker);
        try {
            return IValueUtils.forward(module, args, true);
        } finally {
            marker.close();
        }
    }

    /**
     * Whether autograd reaches {@code x}: a leaf that asks for a gradient or a recorded result. (DJL 0.36's
     * {@code JniUtils.requiresGrad} is false for recorded results, and its gradient-function name crashes the JVM
     * on a tensor without one.)
     */
    public boolean requiresGrad(NDArray x) {
        try (NDArray flag = call("requires_grad", x)) {
            return flag.toLongArray()[0] == 1;
        }
    }

    /** The helper where a caller has made sure it exists (bf16 is only selectable with it). */
    public static TorchScriptOps required() {
        return get().orElseThrow(() -> new IllegalStateException("TorchScript helper not loaded"));
    }

    /** {@code torch.nn.functional.linear} with bf16 inputs, float32 result (bias may be null). */
    public NDArray linearBf16(NDArray x, NDArray weight, NDArray bias) {
        return bias == null ? call("linear_nobias_bf16", x, weight) : call("linear_bf16", x, weight, bias);
    }

    /**
     * lin2(GELU(lin1(x))) with bf16 products and the hidden layer kept in bf16 between them (autocast's MLP), float32
     * result; biases required.
     */
    public NDArray mlpGeluBf16(NDArray x, NDArray w1, NDArray b1, NDArray w2, NDArray b2) {
        return call("mlp_gelu_bf16", x, w1, b1, w2, b2);
    }

    /**
     * lin2(GELU(lin1(x))) in float32 without autograd, in row bands whose hidden layer stays below 8 MiB (no map
     * too large for the C allocator to reuse); biases required.
     */
    public NDArray mlpGeluInference(NDArray x, NDArray w1, NDArray b1, NDArray w2, NDArray b2) {
        return call("mlp_gelu_inference", x, w1, b1, w2, b2);
    }

    /** {@code torch.nn.functional.conv2d} (square stride and padding, no dilation) with bf16 inputs, float32 result. */
    public NDArray conv2dBf16(NDArray x, NDArray weight, NDArray bias, int stride, int padding, int groups) {
        // read with int() inside the method, never saved by autograd, so a Java-made array is safe here
        NDArray geometry = x.getManager().create(new long[] {stride, padding, groups});
        try {
            return bias == null ? call("conv2d_nobias_bf16", x, weight, geometry)
                    : call("conv2d_bf16", x, weight, bias, geometry);
        } finally {
            geometry.close();
        }
    }

    /** Releases the module (only helpers made by {@link #load} in tests; the process-wide one lives on). */
    void close() {
        manager.close();
    }
}
