package org.samtune.model.nn;

/**
 * The precision switch without the hardware check, for tests outside this package: libtorch emulates bf16 on a CPU
 * without it, with the same numbers, so the parity tests run everywhere (only the CLI refuses it there).
 */
public final class TestPrecision {
    private TestPrecision() {}

    public static void select(Precision p) {
        Compute.selectPrecision(p);
    }

    /** Whether this machine's CPU computes bf16 natively (where the CLI and a study accept {@code bf16}). */
    public static boolean nativeBf16Here() {
        try {
            return Precision.nativeBf16(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
