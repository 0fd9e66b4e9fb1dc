package org.samtune.model.unet;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.LoadReport;

/**
 * The non-SAM baselines {@code --arch} accepts: {@code unet-resnet34} (finetune-SAM's {@link ResNet34UNet}) and
 * {@code unet-plain} (nnU-Net's 2-D {@link PlainConvUNet}), built for an input size and a number of classes,
 * optionally from a checkpoint.
 */
public final class UNets {
    public static final String RESNET34 = "unet-resnet34";
    public static final String PLAIN = "unet-plain";
    public static final List<String> ARCHS = List.of(RESNET34, PLAIN);
    /** Input (and logit) side when the run does not say: finetune-SAM's ground-truth size. */
    public static final int DEFAULT_INPUT_SIZE = 256;

    private UNets() {}

    public static boolean isUNet(String arch) {
        return ARCHS.contains(arch);
    }

    /** A network and where its weights came from ({@code report} null without a checkpoint). */
    public record Built(DenseSegmenter net, LoadReport report) {}

    /**
     * @param checkpoint weights to start from, or null for the architecture's own initialisation: for
     *     unet-resnet34 a torchvision ResNet-34 state dict ({@code resnet34-*.pth}: the encoder loads, {@code fc.*}
     *     is ignored) or a finetune-SAM U-Net state dict ({@code rn.N.*} keys); for either network a state dict with
     *     its own keys. Every tensor whose key the network has must have the network's shape.
     */
    public static Built build(NDManager manager, String arch, int inputSize, int numClasses, Path checkpoint,
                              long seed) {
        DenseSegmenter net;
        try {
            net = switch (arch) {
                case RESNET34 -> new ResNet34UNet(manager, inputSize, numClasses);
                case PLAIN -> new PlainConvUNet(manager, 3, PlainUNetPlan.forSize(inputSize), numClasses);
                default -> throw new SamtuneException("--arch: '" + arch + "' is not one of " + String.join(", ", ARCHS));
            };
        } catch (IllegalArgumentException e) {
            throw new SamtuneException("config field imageSize: " + e.getMessage(), e);
        }
        net.asModule().initialize(seed);
        if (checkpoint == null) {
            return new Built(net, null);
        }
        StateDict sd = Checkpoints.load(checkpoint);
        if (RESNET34.equals(arch)) {
            sd = fromFinetuneSamKeys(sd);
        }
        LoadReport report = net.asModule().loadStateDict(sd, false);
        if (!report.mismatched().isEmpty()) {
            throw new SamtuneException(checkpoint + ": " + report.mismatched().get(0) + " (" + report.mismatched().size()
                    + " tensors with another shape; expected " + describe(arch) + ")");
        }
        if (report.loaded() == 0) {
            throw new SamtuneException(checkpoint + ": no tensor of " + arch + " in it (keys such as "
                    + sd.keys().stream().limit(3).toList() + "; expected " + describe(arch) + ")");
        }
        return new Built(net, report);
    }

    private static String describe(String arch) {
        return RESNET34.equals(arch)
                ? "a torchvision ResNet-34 state dict (conv1.weight [64, 3, 7, 7], layer1.0.conv1.weight, ...) or a "
                        + "samtune / finetune-SAM unet-resnet34 state dict"
                : "a samtune unet-plain state dict (encoder.stages.0.0.convs.0.conv.weight, ...) for this input size";
    }

    /**
     * finetune-SAM's U-Net keeps the trunk as {@code rn = Sequential(conv1, bn1, relu, maxpool, layer1..layer4)}:
     * {@code rn.0.weight} is {@code conv1.weight}, {@code rn.4.2.bn1.bias} is {@code layer1.2.bn1.bias}.
     */
    static StateDict fromFinetuneSamKeys(StateDict sd) {
        if (sd.keys().stream().noneMatch(k -> k.startsWith("rn."))) {
            return sd;
        }
        String[] names = {"conv1", "bn1", null, null, "layer1", "layer2", "layer3", "layer4"};
        Map<String, TensorData> out = new LinkedHashMap<>();
        sd.tensors().forEach((k, v) -> {
            if (k.startsWith("rn.")) {
                int dot = k.indexOf('.', 3);
                String index = dot < 0 ? "" : k.substring(3, dot);
                int i = index.matches("[0-7]") ? Integer.parseInt(index) : -1;
                out.put(i >= 0 && names[i] != null ? names[i] + k.substring(dot) : k, v);
            } else {
                out.put(k, v);
            }
        });
        return new StateDict(out, sd.source());
    }
}
