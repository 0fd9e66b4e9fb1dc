package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.BatchNorm2d;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Sequential;

/**
 * ResNet's basic residual block (ResNet-18/34): two 3×3 convolutions with BatchNorm, the first with the block's
 * stride; a 1×1 strided convolution + BatchNorm ({@code downsample}) brings the shortcut to the new shape when the
 * stride or the width changes. Keys as torchvision's: {@code conv1, bn1, conv2, bn2, downsample.0, downsample.1}.
 */
public final class BasicBlock extends Module implements Layer {
    private final KaimingNormalConv2d conv1;
    private final BatchNorm2d bn1;
    private final KaimingNormalConv2d conv2;
    private final BatchNorm2d bn2;
    private final Sequential downsample;

    public BasicBlock(NDManager manager, int in, int out, int stride) {
        super(manager);
        conv1 = module("conv1", KaimingNormalConv2d.resnet(manager, in, out, 3, stride, 1));
        bn1 = module("bn1", new BatchNorm2d(manager, out));
        conv2 = module("conv2", KaimingNormalConv2d.resnet(manager, out, out, 3, 1, 1));
        bn2 = module("bn2", new BatchNorm2d(manager, out));
        downsample = stride != 1 || in != out
                ? module("downsample", new Sequential(manager)
                        .add(KaimingNormalConv2d.resnet(manager, in, out, 1, stride, 0))
                        .add(new BatchNorm2d(manager, out)))
                : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y = Activations.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        NDArray shortcut = downsample == null ? x : downsample.forward(x);
        return Activations.relu(y.add(shortcut));
    }
}
