package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * {@link StagedBackward} on a hand-written operation: y = 3·x², cut out of autograd, between recorded operations
 * before and after it. The input's gradient equals the single-pass graph's exactly, the stage's arrays are closed
 * once its backward pass ran (or when the set closes unused), and nothing is cut outside an open set or without
 * gradients.
 */
class StagedBackwardCutTest {

    private static NDArray cube(StagedBackward staged, NDArray u) {
        NDArray y;
        JniUtils.setGradMode(false);
        try {
            y = u.square().muli(3);
        } finally {
            JniUtils.setGradMode(true);
        }
        return staged.cut(y, new NDList(u), new NDList(), g -> new NDList(g.mul(u).muli(6)));
    }

    @Test
    void gradientEqualsTheSinglePassGraphAndStagesAreClosed() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray x = m.create(new float[] {0.5f, -1.25f, 2f, 3.5f});
            x.setRequiresGradient(true);
            float[] expected;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray u = x.mul(2).add(1);
                gc.backward(u.square().muli(3).mul(x).sum()); // (3u²)·x, u = 2x + 1
            }
            expected = x.getGradient().toFloatArray();
            x.getGradient().subi(x.getGradient());

            NDArray leaf;
            NDArray u;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                assertThat(StagedBackward.current()).containsSame(staged);
                u = x.mul(2).add(1);
                leaf = cube(staged, u);
                assertThat(leaf).isNotSameAs(u);
                staged.backward(gc, leaf.mul(x).sum());
                assertThat(leaf.isReleased()).as("the leaf is closed after its stage").isTrue();
                assertThat(u.isReleased()).as("the stage's input is closed after its stage").isTrue();
            }
            assertThat(x.getGradient().toFloatArray()).containsExactly(expected);
            assertThat(StagedBackward.current()).isEmpty();
        }
    }

    @Test
    void anUnusedStageIsClosedWithItsSet() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray x = m.create(new float[] {1f, 2f});
            x.setRequiresGradient(true);
            NDArray leaf;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                 StagedBackward staged = StagedBackward.open()) {
                leaf = cube(staged, x.mul(2));
            }
            assertThat(leaf.isReleased()).isTrue();
        }
    }

    @Test
    void nothingIsCutWithoutGradientsOrWhenNothingUpstreamTrains() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope();
             StagedBackward staged = StagedBackward.open()) {
            assertThat(StagedBackward.current()).as("no gradients recorded").isEmpty();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray constant = m.create(new float[] {1f, 2f});
                NDArray y = constant.mul(2);
                assertThat(staged.cut(y, new NDList(constant), new NDList(), g -> new NDList(g))).isSameAs(y);
            }
        }
    }
}
