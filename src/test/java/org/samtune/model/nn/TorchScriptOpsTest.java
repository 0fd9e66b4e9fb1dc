package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The TorchScript helper: the archive made in memory loads, a method runs and returns an array of the caller's
 * manager and scope, and every way of not having the helper (turned off, a source libtorch rejects) is an empty
 * result, never an exception or an abort.
 */
class TorchScriptOpsTest {

    @Test
    void bundledHelperRunsAMethod() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(3, 5, 8));
            NDArray k = m.randomNormal(new Shape(3, 6, 8));
            NDArray v = m.randomNormal(new Shape(3, 6, 4));
            int before = m.getManagedArrays().size();
            try (NDScope scope = new NDScope()) {
                NDArray out = ops.call("attention", q, k, v);
                NDArray expected = q.matMul(k.transpose(0, 2, 1)).div(Math.sqrt(8)).softmax(-1).matMul(v);
                assertThat(out.getShape()).isEqualTo(new Shape(3, 5, 4));
                assertThat(out.getManager()).isSameAs(m);
                assertThat(out.sub(expected).abs().max().getFloat()).isLessThan(1e-6f);
            }
            assertThat(m.getManagedArrays()).as("the scope released the call's arrays").hasSize(before);
        }
    }

    @Test
    void namedInputsAreNotMistakenForStructure() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray q = m.randomNormal(new Shape(1, 2, 4));
            q.setName("blocks.0.attn.q"); // DJL would turn "a.b" into a dict entry
            NDArray out = ops.call("attention", q, q, q);
            assertThat(out.getShape()).isEqualTo(new Shape(1, 2, 4));
            assertThat(q.getName()).isEqualTo("blocks.0.attn.q");
        }
    }

    @Test
    void turnedOffIsEmpty() {
        assertThat(TorchScriptOps.load("false", null)).isEmpty();
        assertThat(TorchScriptOps.load(" FALSE ", null)).isEmpty();
    }

    @Test
    void sourceLibtorchRejectsIsEmptyNotAnAbort() {
        assertThat(TorchScriptOps.load("true", "class Ops(Module):\n  def forward(self: __torch__.Ops, x: Tensor) "
                + "-> Tensor:\n    return undefined_name(x)\n")).isEmpty();
        assertThat(TorchScriptOps.load("true", "this is not python")).isEmpty();
    }

    @Test
    void aFreshlyLoadedHelperWorksAndCloses() {
        Optional<TorchScriptOps> ops = TorchScriptOps.load("true", null);
        assertThat(ops).isPresent();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray x = m.ones(new Shape(1, 1, 2));
            assertThat(ops.get().call("attention", x, x, x).toFloatArray()).containsExactly(1f, 1f);
        } finally {
            ops.get().close();
        }
    }

    @Test
    void unknownMethodIsAnException() {
        TorchScriptOps ops = TorchScriptOps.get().orElseThrow();
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray x = m.ones(new Shape(1, 1, 2));
            assertThatThrownBy(() -> ops.call("no_such_method", x)).isInstanceOf(RuntimeException.class);
        }
    }
}
