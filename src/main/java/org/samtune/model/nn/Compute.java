package org.samtune.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;
import org.samtune.SamtuneException;

/**
 * Where and with how many threads samtune computes: {@code --device cpu|gpu[:N]} and {@code --threads N} of every
 * verb. The choice is made once per process, before any model exists; every model, optimiser and batch lives in a
 * manager from {@link #newManager()}, so nothing else names a device. The default is a GPU when libtorch sees one
 * (DJL's default device), else the CPU. A GPU that was asked for and is not there is an error, never a silent
 * fall-back to the CPU.
 */
public final class Compute {
    private static volatile Device selected;
    private static volatile Precision precision = Precision.FP32;

    /** A verb's {@code --device}, {@code --threads} and {@code --precision}; null fields mean the defaults. */
    public record Settings(String device, Integer threads, Precision precision) {}

    private Compute() {}

    /**
     * Selects the device and the intra-op thread count for the rest of the process.
     *
     * @param device  "cpu", "gpu" (= gpu:0), "gpu:N", or null for the default (GPU when present)
     * @param threads libtorch intra-op threads, or null / 0 for libtorch's default (the number of cores)
     * @throws SamtuneException for an unknown spelling, a GPU that is not there, or threads below 1
     */
    public static Device use(String device, Integer threads) {
        Device d = device == null ? Engine.getInstance().defaultDevice() : parse(device);
        if (threads != null && threads != 0) {
            if (threads < 1) {
                throw new SamtuneException("--threads: expected at least 1, got " + threads);
            }
            Engine.getInstance(); // loads libtorch, which setNumThreads needs
            JniUtils.setNumThreads(threads);
        }
        selected = d;
        return d;
    }

    /**
     * Selects device, threads and precision for the rest of the process.
     *
     * @throws SamtuneException as {@link #use(String, Integer)}, and for bf16 where it cannot run natively
     */
    public static Device use(Settings s) {
        Device d = use(s.device(), s.threads());
        usePrecision(s.precision() == null ? Precision.FP32 : s.precision());
        return d;
    }

    /**
     * Selects the precision of matmuls and convolutions. bf16 needs the TorchScript helper and, on the CPU, native
     * bf16 (AVX512-BF16 or AMX-BF16 in /proc/cpuinfo); otherwise one line says why and nothing changes.
     */
    public static void usePrecision(Precision p) {
        requirePrecision(p);
        selectPrecision(p);
    }

    /** Refuses, with one line, a precision this process cannot compute in ({@link #usePrecision}); selects nothing. */
    public static void requirePrecision(Precision p) {
        if (p == Precision.BF16) {
            if (!device().isGpu()) {
                Precision.requireNativeBf16(java.nio.file.Path.of("/proc/cpuinfo"));
            }
            if (TorchScriptOps.get().isEmpty()) {
                throw new SamtuneException("--precision bf16: needs samtune's TorchScript helper, which did not "
                        + "load (see the warning above); use --precision fp32");
            }
        }
    }

    /** Sets the precision without the hardware check (tests: bf16 is exact in its semantics, only slow, without it). */
    static void selectPrecision(Precision p) {
        precision = p;
    }

    /** The selected precision (fp32 unless a verb chose bf16). */
    public static Precision precision() {
        return precision;
    }

    /** {@code --device} as a DJL device, checked against the GPUs libtorch sees. */
    public static Device parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return Device.cpu();
        }
        int index;
        if (s.equals("gpu") || s.equals("cuda")) {
            index = 0;
        } else if (s.matches("(gpu|cuda):[0-9]{1,4}")) {
            index = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        } else {
            throw new SamtuneException("--device: expected cpu, gpu or gpu:N, got '" + spec + "'");
        }
        int gpus = Engine.getInstance().getGpuCount();
        if (index >= gpus) {
            throw new SamtuneException("--device " + spec + ": " + (gpus == 0
                    ? "no CUDA GPU visible to libtorch (this build carries the CPU libtorch; build with "
                            + "`mvn -Pgpu package` on a CUDA machine that is online, see README 'Running on a GPU')"
                    : "libtorch sees " + gpus + " GPU(s), numbered 0.." + (gpus - 1)));
        }
        return Device.gpu(index);
    }

    /** The selected device; DJL's default (GPU when present) until {@link #use} is called. */
    public static Device device() {
        Device d = selected;
        return d != null ? d : Engine.getInstance().defaultDevice();
    }

    /** libtorch's intra-op thread count. */
    public static int threads() {
        Engine.getInstance();
        return JniUtils.getNumThreads();
    }

    /** A root manager on the selected device: the one way models and their data get memory. */
    public static NDManager newManager() {
        return NDManager.newBaseManager(device());
    }

    /** "cpu, 2 threads" or "gpu:0" (", bf16" appended under bf16), for logs and run folders. */
    public static String describe() {
        Device d = device();
        String where = d.isGpu() ? "gpu:" + d.getDeviceId() : "cpu, " + threads() + " threads";
        return precision == Precision.FP32 ? where : where + ", " + precision.id();
    }
}
