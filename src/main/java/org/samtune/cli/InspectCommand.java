package org.samtune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;
import org.samtune.model.CheckpointSummary;
import org.samtune.model.SamConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code samtune inspect CKPT}: what a SAM checkpoint is (architecture, sizes, adapters / LoRA, dtypes). */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the architecture, parameter counts, adapters/LoRA and dtypes of a SAM checkpoint "
                + "(.pth, .pt or .safetensors).")
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CKPT", description = "checkpoint file")
    Path checkpoint;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        StateDict sd = Checkpoints.load(checkpoint);
        PrintWriter out = spec.commandLine().getOut();
        org.samtune.model.EncoderCheckpoint.Holds holds = org.samtune.model.EncoderCheckpoint.holds(sd);
        if (holds == org.samtune.model.EncoderCheckpoint.Holds.ENCODER_ONLY
                || holds == org.samtune.model.EncoderCheckpoint.Holds.BARE_ENCODER) {
            StateDict enc = org.samtune.model.EncoderCheckpoint.encoderOf(sd);
            out.printf("checkpoint:    %s%n", checkpoint);
            out.printf("holds:         %s%n", holds.description);
            out.printf("architecture:  %s image encoder%n", org.samtune.model.SamModels.detectArch(enc));
            out.printf("tensors:       %d keys, %,d elements%n", sd.size(), sd.numel());
            out.printf("use:           samtune train --checkpoint SAM.pth --encoder-from %s (the prompt encoder and "
                    + "mask decoder come from SAM.pth)%n", checkpoint);
            out.flush();
            return 0;
        }
        CheckpointSummary s = CheckpointSummary.of(sd);
        out.printf("checkpoint:    %s%n", checkpoint);
        out.printf("holds:         %s%n", holds.description);
        out.printf("architecture:  %s%n", describeArch(s));
        if (s.config() != null) {
            SamConfig.ViT v = s.config().vit();
            out.printf("image encoder: ViT embed %d, depth %d, heads %d (head dim %d), window %d, global blocks %s, "
                            + "input %d px, patch %d, neck %d%n", v.embedDim(), v.depth(), v.numHeads(), v.headDim(),
                    v.windowSize(), v.globalAttnIndexes(), v.imgSize(), v.patchSize(), v.outChans());
        }
        for (String stage : s.tinyVitStages()) {
            out.printf("image encoder: TinyViT %s%n", stage);
        }
        SamConfig.Decoder d = s.decoder();
        out.printf("mask decoder:  dim %d, %d mask tokens (%d multimask outputs / classes), %d two-way blocks, "
                        + "mlp %d%n", d.transformerDim(), d.numMaskTokens(), d.numMultimaskOutputs(),
                d.transformerDepth(), d.mlpDim());
        out.printf("tensors:       %d keys, %,d elements%n", s.keyCount(), s.elementCount());
        for (Map.Entry<String, Long> e : s.elements().entrySet()) {
            if (e.getValue() > 0 || !(e.getKey().equals("adapters") || e.getKey().equals("lora")
                    || e.getKey().equals("other"))) {
                out.printf("  %-15s %,15d%n", e.getKey(), e.getValue());
            }
        }
        if (s.loraRank() > 0) {
            out.printf("LoRA:          rank %d; encoder blocks %s; %d mask-decoder projections%n", s.loraRank(),
                    s.loraEncoderBlocks(), s.loraDecoderProjections());
        }
        if (!s.adapterEncoderBlocks().isEmpty() || !s.adapterDecoderLayers().isEmpty()) {
            out.printf("adapters:      encoder blocks %s; two-way blocks %s%n", s.adapterEncoderBlocks(),
                    s.adapterDecoderLayers());
        }
        if (s.loraRank() == 0 && s.adapterEncoderBlocks().isEmpty() && s.adapterDecoderLayers().isEmpty()) {
            out.println("adapters/LoRA: none");
        }
        StringBuilder dt = new StringBuilder();
        s.dtypes().forEach((k, v) -> dt.append(dt.length() == 0 ? "" : ", ").append(k).append(" (").append(v).append(")"));
        out.printf("dtypes:        %s%n", dt);
        out.flush();
        return 0;
    }

    private static String describeArch(CheckpointSummary s) {
        org.samtune.model.Architecture a = org.samtune.model.Architectures.forCheckpoint(s.arch(), "arch");
        return a.name() + " (" + a.description() + ")";
    }
}
