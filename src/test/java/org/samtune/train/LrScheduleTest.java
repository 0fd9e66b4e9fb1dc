package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

    /** The reference loop, transcribed: optimiser lr starts at base/warmup, lr_ is set after each step. */
    private static double[] referenceLoop(double base, int warmup, long maxIter, int steps) {
        double[] used = new double[steps];
        double current = base / warmup;
        for (int iterNum = 0; iterNum < steps; iterNum++) {
            used[iterNum] = current; // optimizer.step() runs with the group's current lr
            if (iterNum < warmup) {
                current = base * ((iterNum + 1) / (double) warmup);
            } else {
                current = base * Math.pow(1.0 - (iterNum - warmup) / (double) maxIter, 0.9);
            }
        }
        return used;
    }

    @Test
    void matchesTheReferenceLoopStepByStep() {
        LrSchedule s = LrSchedule.warmupPoly(1e-3, 200, 1000);
        double[] ref = referenceLoop(1e-3, 200, 1000, 1000);
        for (int i = 0; i < ref.length; i++) {
            assertThat(s.lrForStep(i)).as("step %d", i).isEqualTo(ref[i]);
        }
    }

    @Test
    void offByOneOfTheReference() {
        LrSchedule s = LrSchedule.warmupPoly(1e-3, 200, 1000);
        assertThat(s.lrForStep(0)).isEqualTo(1e-3 / 200);
        assertThat(s.lrForStep(1)).isEqualTo(1e-3 / 200); // lr_ after step 0 is base·1/200 again
        assertThat(s.lrForStep(2)).isCloseTo(2e-3 / 200, within(1e-18));
        assertThat(s.lrForStep(199)).isCloseTo(1e-3 * 199 / 200, within(1e-18));
        assertThat(s.lrForStep(200)).isEqualTo(1e-3); // after step 199: base·200/200
        assertThat(s.lrForStep(201)).isEqualTo(1e-3); // after step 200: poly with shift 0
        assertThat(s.lrForStep(202)).isCloseTo(1e-3 * Math.pow(1 - 1 / 1000.0, 0.9), within(1e-18));
        assertThat(s.lrAfterStep(1199)).isCloseTo(1e-3 * Math.pow(1 - 999 / 1000.0, 0.9), within(1e-18));
    }

    @Test
    void decaysMonotonicallyAfterWarmupAndStopsAtZero() {
        LrSchedule s = LrSchedule.warmupPoly(1e-3, 10, 100);
        for (int i = 11; i < 111; i++) {
            assertThat(s.lrForStep(i + 1)).isLessThan(s.lrForStep(i));
        }
        assertThat(s.lrAfterStep(110)).isEqualTo(0.0);
        assertThat(s.lrAfterStep(500)).isEqualTo(0.0);
    }

    @Test
    void constantWithoutWarmup() {
        LrSchedule s = LrSchedule.constant(3e-4);
        assertThat(s.hasWarmup()).isFalse();
        assertThat(s.lrForStep(0)).isEqualTo(3e-4);
        assertThat(s.lrForStep(123456)).isEqualTo(3e-4);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> LrSchedule.warmupPoly(1e-3, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LrSchedule.warmupPoly(1e-3, 5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LrSchedule.constant(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LrSchedule.constant(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LrSchedule.constant(1).lrForStep(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** nnU-Net's PolyLRScheduler stepped with the epoch at each epoch start: lr·(1 − e/E)^0.9, constant within it. */
    @Test
    void nnUNetPolyPerEpoch() {
        LrSchedule s = LrSchedule.polyPerEpoch(0.01, 7, 10);
        for (int i = 0; i < 7; i++) {
            assertThat(s.lrForStep(i)).isEqualTo(0.01);
        }
        assertThat(s.lrForStep(7)).isCloseTo(0.01 * Math.pow(0.9, 0.9), within(1e-15));
        assertThat(s.lrAfterStep(6)).isEqualTo(s.lrForStep(7));
        assertThat(s.lrForStep(69)).isCloseTo(0.01 * Math.pow(0.1, 0.9), within(1e-15));
        assertThat(s.lrForStep(70)).isZero(); // a resumed run past its planned length
        assertThat(s.hasWarmup()).isFalse();
        assertThatThrownBy(() -> LrSchedule.polyPerEpoch(0.01, 0, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
