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
}
