package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * nnU-Net's {@code UNetDecoder}: from the bottleneck up, stage s upsamples with a 2×2 stride-2 transposed
 * convolution to the skip's width ({@code transpconvs.s}), concatenates (upsampled first, then the skip), and merges
 * with {@link StackedConvBlocks} ({@code stages.s}); a 1×1 convolution ({@code seg_layers.s}) gives logits at that
 * resolution. With deep supervision every stage's logits are returned, highest resolution first; without it only
 * the last stage's.
 */
public final class UNetDecoder extends Module {
    private final ModuleList<StackedConvBlocks> stages;
    private final ModuleList<KaimingNormalConvTranspose2d> transpconvs;
    private final ModuleList<Conv2d> segLayers;

    public UNetDecoder(NDManager manager, PlainUNetPlan plan, int numClasses) {
        super(manager);
        stages = module("stages", new ModuleList<>(manager));
        transpconvs = module("transpconvs", new ModuleList<>(manager));
        segLayers = module("seg_layers", new ModuleList<>(manager));
        int[] f = plan.features();
        for (int s = 1; s < f.length; s++) {
            int below = f[f.length - s];
            int skip = f[f.length - s - 1];
            transpconvs.add(new KaimingNormalConvTranspose2d(manager, below, skip, 2, 2, ConvNormAct.NEGATIVE_SLOPE));
            stages.add(new StackedConvBlocks(manager, PlainUNetPlan.CONVS_PER_STAGE, 2 * skip, skip,
                    PlainUNetPlan.KERNEL, 1));
            segLayers.add(KaimingNormalConv2d.nnUNet(manager, skip, numClasses, 1, 1, 0, ConvNormAct.NEGATIVE_SLOPE));
        }
    }

    /** @param skips the encoder's outputs, bottleneck last */
    public List<NDArray> forward(NDArray[] skips, boolean deepSupervision) {
        NDArray x = skips[skips.length - 1];
        List<NDArray> outputs = new ArrayList<>();
        int n = stages.size();
        for (int s = 0; s < n; s++) {
            NDArray up = transpconvs.get(s).forward(x);
            x = stages.get(s).forward(NDArrays.concat(new NDList(up, skips[skips.length - s - 2]), 1));
            if (deepSupervision || s == n - 1) {
                outputs.add(segLayers.get(s).forward(x));
            }
        }
        Collections.reverse(outputs);
        return outputs;
    }
}
