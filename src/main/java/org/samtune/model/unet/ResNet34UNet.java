package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.BatchNorm2d;
import org.samtune.model.nn.ConvTranspose2d;
import org.samtune.model.nn.MaxPool2d;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.ModuleList;

/**
 * finetune-SAM's U-Net baseline ({@code models/unet/unet_model.py}, {@code UNet(args, resnet='resnet34')}): the
 * ResNet-34 trunk (stem 7×7/2 conv + BN + ReLU + 3×3/2 max pool, then 3, 4, 6, 3 basic blocks at widths 64, 128,
 * 256, 512) as encoder, and four {@link UnetBlock}s of width 256 taking the skips after the stem's ReLU (1/2),
 * layer1 (1/4), layer2 (1/8) and layer3 (1/16), then a 2×2 stride-2 transposed convolution to one logit map per class
 * at the input size.
 *
 * <p>Keys: the encoder's are torchvision's ResNet-34 names ({@code conv1.weight}, {@code layer3.5.bn2.running_var},
 * ...), so an ImageNet {@code resnet34-*.pth} loads directly (its {@code fc.*} are reported unexpected); the decoder's
 * are the reference's ({@code up1.tr_conv.weight}, ..., {@code up5.weight}). The reference also builds seven
 * transposed convolutions {@code pred1..pred7} that its forward pass never uses; they are left out here.
 *
 * <p>Initialisation: the encoder as the reference's ResNet (convolutions N(0, 2/(k²·out)), BatchNorm 1 and 0), the
 * decoder with PyTorch's layer defaults. The input side must be a multiple of 32.
 */
public final class ResNet34UNet extends Module implements DenseSegmenter {
    /** Blocks per ResNet-34 stage. */
    static final int[] BLOCKS = {3, 4, 6, 3};
    static final int[] WIDTHS = {64, 128, 256, 512};
    /** The reference's decoder width. */
    static final int DECODER_WIDTH = 256;

    private final int inputSize;
    private final int numClasses;
    private final KaimingNormalConv2d conv1;
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool;
    private final ModuleList<BasicBlock>[] layers;
    private final UnetBlock up1;
    private final UnetBlock up2;
    private final UnetBlock up3;
    private final UnetBlock up4;
    private final ConvTranspose2d up5;

    @SuppressWarnings("unchecked")
    public ResNet34UNet(NDManager manager, int inputSize, int numClasses) {
        super(manager);
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("unet-resnet34 needs an input side that is a multiple of 32 (five "
                    + "halvings), got " + inputSize);
        }
        this.inputSize = inputSize;
        this.numClasses = numClasses;
        conv1 = module("conv1", KaimingNormalConv2d.resnet(manager, 3, 64, 7, 2, 3));
        bn1 = module("bn1", new BatchNorm2d(manager, 64));
        maxpool = new MaxPool2d(manager, 3, 2, 1);
        layers = new ModuleList[4];
        int in = 64;
        for (int s = 0; s < 4; s++) {
            layers[s] = module("layer" + (s + 1), new ModuleList<>(manager));
            for (int b = 0; b < BLOCKS[s]; b++) {
                layers[s].add(new BasicBlock(manager, in, WIDTHS[s], b == 0 && s > 0 ? 2 : 1));
                in = WIDTHS[s];
            }
        }
        up1 = module("up1", new UnetBlock(manager, 512, 256, DECODER_WIDTH));
        up2 = module("up2", new UnetBlock(manager, DECODER_WIDTH, 128, DECODER_WIDTH));
        up3 = module("up3", new UnetBlock(manager, DECODER_WIDTH, 64, DECODER_WIDTH));
        up4 = module("up4", new UnetBlock(manager, DECODER_WIDTH, 64, DECODER_WIDTH));
        up5 = module("up5", new ConvTranspose2d(manager, DECODER_WIDTH, numClasses, 2, 2, true));
    }

    @Override
    public NDArray forward(NDArray images) {
        NDArray stem = Activations.relu(bn1.forward(conv1.forward(images)));
        NDArray[] skips = new NDArray[4];
        NDArray x = maxpool.forward(stem);
        for (int s = 0; s < 4; s++) {
            for (BasicBlock b : layers[s].items()) {
                x = b.forward(x);
            }
            skips[s] = x;
        }
        // the reference applies F.relu to the trunk's output (a no-op after a block's final ReLU)
        x = Activations.relu(skips[3]);
        x = up1.forward(x, skips[2]);
        x = up2.forward(x, skips[1]);
        x = up3.forward(x, skips[0]);
        x = up4.forward(x, stem);
        return up5.forward(x);
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }
}
