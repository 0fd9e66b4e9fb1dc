package org.samtune.model.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.samtune.SamtuneException;

/**
 * {@code --precision fp32|bf16}: the number format of matmuls and convolutions.
 *
 * <p>{@code fp32} (the default) is float32 everywhere and keeps exact parity with PyTorch. {@code bf16} follows
 * PyTorch's CPU autocast: Linear layers, convolutions and the ViT's attention products take bfloat16 inputs
 * (through {@link TorchScriptOps}, because DJL 0.36's own cast to bfloat16 aborts the JVM) and hand float32
 * results on (SAM's MLP keeps its hidden layer in bf16 between its two products, as autocast does), so
 * normalisation, softmax outside the fused attention, the loss, gradients of the (float32) weights and the
 * optimiser state stay float32. It needs a CPU with native bf16 (AVX512-BF16 or AMX-BF16); elsewhere it
 * is refused, since emulated bf16 is slower than float32.
 */
public enum Precision {
    FP32("fp32"),
    BF16("bf16");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    /** The spelling of flags, logs and docs. */
    public String id() {
        return id;
    }

    /** {@code --precision} value → precision; anything else is one clear line. */
    public static Precision parse(String s) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        for (Precision p : values()) {
            if (p.id.equals(v)) {
                return p;
            }
        }
        throw new SamtuneException("--precision: expected fp32 or bf16, got '" + s + "'");
    }

    /** CPU flags (from /proc/cpuinfo) that mean native bf16 arithmetic. */
    static final Set<String> NATIVE_BF16_FLAGS = Set.of("avx512_bf16", "amx_bf16");

    /**
     * Whether a CPU whose /proc/cpuinfo reads {@code cpuinfo} computes bf16 natively: a {@code flags} line with
     * avx512_bf16 or amx_bf16.
     */
    static boolean nativeBf16(String cpuinfo) {
        return cpuinfo.lines()
                .filter(l -> l.startsWith("flags"))
                .map(l -> l.substring(l.indexOf(':') + 1))
                .anyMatch(flags -> java.util.Arrays.stream(flags.strip().split("\\s+"))
                        .anyMatch(NATIVE_BF16_FLAGS::contains));
    }

    /** Refuses bf16 on a CPU without native bf16 (one line; the CLI exits 2). */
    static void requireNativeBf16(Path cpuinfo) {
        String text;
        try {
            text = Files.readString(cpuinfo);
        } catch (IOException | RuntimeException e) {
            throw new SamtuneException("--precision bf16: cannot read " + cpuinfo + " to check for native bf16 "
                    + "(avx512_bf16 or amx_bf16); use --precision fp32");
        }
        if (!nativeBf16(text)) {
            throw new SamtuneException("--precision bf16: this CPU has no native bf16 (neither avx512_bf16 nor "
                    + "amx_bf16 among the flags in " + cpuinfo + "); use --precision fp32");
        }
    }
}
