package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.samtune.model.nn.Activations;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * TinyViT's inverted-residual block of the convolutional stage, on NCHW maps: 1×1 expand, GELU, depthwise 3×3,
 * GELU, 1×1 project, then the shortcut is added BEFORE the last GELU.
 */
public class MBConv extends Module implements Layer {
    public final int inChans;
    public final int hiddenChans;
    public final Conv2dBN conv1;
    public final Conv2dBN conv2;
    public final Conv2dBN conv3;

    public MBConv(NDManager manager, int inChans, int outChans, double expandRatio) {
        super(manager);
        this.inChans = inChans;
        this.hiddenChans = (int) (inChans * expandRatio);
        conv1 = module("conv1", new Conv2dBN(manager, inChans, hiddenChans));
        conv2 = module("conv2", new Conv2dBN(manager, hiddenChans, hiddenChans, 3, 1, 1, hiddenChans));
        conv3 = module("conv3", new Conv2dBN(manager, hiddenChans, outChans, 1, 1, 0, 1, 0f));
    }

    @Override
    public NDArray forward(NDArray x) {
        // The expanded maps are 4× the input (64 MB each at 1024²). Each is closed as soon as the next one exists,
        // as PyTorch frees a temporary when its last reference goes, so the allocator reuses memory instead of
        // faulting in fresh pages. Closing an array libtorch computed only drops a reference: what autograd
        // saved for backward survives. The residual is added in place on conv3's fresh output (neither the conv
        // nor BatchNorm saves its output for backward).
        return scoped(() -> {
            NDArray h = conv1.forward(x);
            h = geluAndClose(h);
            NDArray h2 = conv2.forward(h);
            h.close();
            h2 = geluAndClose(h2);
            NDArray y = conv3.forward(h2);
            h2.close();
            return geluAndClose(y.addi(x));
        });
    }

    private static NDArray geluAndClose(NDArray x) {
        NDArray y = Activations.gelu(x);
        x.close();
        return y;
    }
}
