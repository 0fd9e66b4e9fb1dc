package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Sequential;

/**
 * nnU-Net's {@code PlainConvEncoder} with strided-convolution downsampling: stage s is
 * {@code stages.s.0} = {@link StackedConvBlocks} whose first convolution has stride 2 (stride 1 at stage 0). The
 * output of every stage is kept as a skip connection; the last one is the bottleneck.
 */
public final class PlainConvEncoder extends Module {
    private final Sequential[] stages;

    public PlainConvEncoder(NDManager manager, int inChannels, PlainUNetPlan plan) {
        super(manager);
        Sequential all = module("stages", new Sequential(manager));
        int[] f = plan.features();
        stages = new Sequential[f.length];
        int in = inChannels;
        for (int s = 0; s < f.length; s++) {
            stages[s] = new Sequential(manager).add(new StackedConvBlocks(manager, PlainUNetPlan.CONVS_PER_STAGE, in,
                    f[s], PlainUNetPlan.KERNEL, s == 0 ? 1 : 2));
            all.add(stages[s]);
            in = f[s];
        }
    }

    /** The output of every stage, full resolution first, bottleneck last. */
    public NDArray[] forward(NDArray x) {
        NDArray[] skips = new NDArray[stages.length];
        for (int s = 0; s < stages.length; s++) {
            x = stages[s].forward(x);
            skips[s] = x;
        }
        return skips;
    }
}
