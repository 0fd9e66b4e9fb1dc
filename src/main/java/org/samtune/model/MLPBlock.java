package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Optional;
import org.samtune.model.nn.Activation;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Linear;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Precision;
import org.samtune.model.nn.TorchScriptOps;

/** SAM's {@code MLPBlock} (common.py): lin1 → activation → lin2. GELU in the ViT, ReLU in the two-way transformer. */
public final class MLPBlock extends Module implements Layer {
    public final Linear lin1;
    public final Linear lin2;
    private final Activation act;

    public MLPBlock(NDManager manager, int embeddingDim, int mlpDim, Activation act) {
        super(manager);
        lin1 = module("lin1", new Linear(manager, embeddingDim, mlpDim));
        lin2 = module("lin2", new Linear(manager, mlpDim, embeddingDim));
        this.act = act;
    }

    /**
     * The GELU MLP takes one helper call where that saves memory traffic with the same numbers: under bf16 its hidden
     * layer stays bf16 between the products (autocast's MLP; Bf16ParityTest), and without autograd it runs in row
     * bands whose hidden layer the C allocator reuses (MLPBlockInferenceTest). Training in float32 composes the layers.
     */
    @Override
    public NDArray forward(NDArray x) {
        if (act.name().equals("GELU") && lin1.bias != null && lin2.bias != null) {
            if (Compute.precision() == Precision.BF16) {
                return TorchScriptOps.required().mlpGeluBf16(x, lin1.weight.array(), lin1.bias.array(),
                        lin2.weight.array(), lin2.bias.array());
            }
            Optional<TorchScriptOps> ops = TorchScriptOps.get();
            if (ops.isPresent() && !JniUtils.isGradMode()) {
                return ops.get().mlpGeluInference(x, lin1.weight.array(), lin1.bias.array(), lin2.weight.array(),
                        lin2.bias.array());
            }
        }
        return lin2.forward(act.forward(lin1.forward(x)));
    }
}
