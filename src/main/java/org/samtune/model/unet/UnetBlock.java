package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.BatchNorm2d;
import org.samtune.model.nn.Conv2d;
import org.samtune.model.nn.ConvTranspose2d;
import org.samtune.model.nn.Module;

/**
 * One up-stage of finetune-SAM's ResNet U-Net ({@code models/unet/unet_model.py}, {@code UnetBlock}): the coarser
 * features go through a 2×2 stride-2 transposed convolution to half the output width, the skip features through a
 * 1×1 convolution to the other half; the two are concatenated (upsampled first), passed through ReLU and then
 * BatchNorm — in that order, as the reference does.
 */
public final class UnetBlock extends Module {
    private final Conv2d xConv;
    private final ConvTranspose2d trConv;
    private final BatchNorm2d bn;

    public UnetBlock(NDManager manager, int upIn, int skipIn, int out) {
        super(manager);
        xConv = module("x_conv", new Conv2d(manager, skipIn, out / 2, 1, 1, 0, true));
        trConv = module("tr_conv", new ConvTranspose2d(manager, upIn, out / 2, 2, 2, true));
        bn = module("bn", new BatchNorm2d(manager, out));
    }

    public NDArray forward(NDArray up, NDArray skip) {
        NDArray cat = NDArrays.concat(new NDList(trConv.forward(up), xConv.forward(skip)), 1);
        return bn.forward(Activations.relu(cat));
    }
}
