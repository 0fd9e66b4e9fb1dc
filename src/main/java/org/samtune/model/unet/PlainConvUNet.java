package org.samtune.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.samtune.model.nn.Module;

/**
 * nnU-Net's 2-D architecture ({@code dynamic_network_architectures.architectures.unet.PlainConvUNet} with the
 * settings nnU-Net v2's default planner writes into its plans): {@link PlainConvEncoder} + {@link UNetDecoder},
 * shape from {@link PlainUNetPlan}, weights initialised with {@code InitWeights_He(1e-2)}. Training uses deep
 * supervision (every decoder stage's logits, weighted as nnU-Net does); {@link #forward} gives the full-resolution
 * logits only, as nnU-Net's inference does. Keys as nnU-Net's: {@code encoder.stages.0.0.convs.0.conv.weight},
 * {@code decoder.transpconvs.0.weight}, {@code decoder.seg_layers.5.bias}, ...
 */
public final class PlainConvUNet extends Module implements DenseSegmenter {
    private final PlainUNetPlan plan;
    private final int numClasses;
    private final PlainConvEncoder encoder;
    private final UNetDecoder decoder;

    public PlainConvUNet(NDManager manager, int inChannels, PlainUNetPlan plan, int numClasses) {
        super(manager);
        this.plan = plan;
        this.numClasses = numClasses;
        encoder = module("encoder", new PlainConvEncoder(manager, inChannels, plan));
        decoder = module("decoder", new UNetDecoder(manager, plan, numClasses));
    }

    public PlainUNetPlan plan() {
        return plan;
    }

    @Override
    public NDArray forward(NDArray images) {
        return decoder.forward(encoder.forward(images), false).get(0);
    }

    @Override
    public List<NDArray> trainingOutputs(NDArray images) {
        return decoder.forward(encoder.forward(images), true);
    }

    @Override
    public double[] outputWeights() {
        return plan.deepSupervisionWeights();
    }

    @Override
    public int inputSize() {
        return plan.inputSize();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }
}
