package org.samtune.study;

import java.util.ArrayList;
import java.util.List;

/**
 * The plan of {@code samtune demo --study}: on the bundled Colin27/AAL dataset, the compact SAM-architecture model
 * decoder-only (vanilla) and encoder+decoder (vanilla, adapter, LoRA), plus the U-Net baselines, two seeds each,
 * with the demo's training recipe shortened. A U-Net is one strategy line: it trains all its weights and takes no
 * prompts, so it has no tune or method; in the demo it runs at {@link #UNET_IMAGE_SIZE} px to fit the time budget.
 */
public final class DemoStudyPlan {
    /** Epochs per cell: sized so the grid fits in 45 minutes on an idle 2-core machine (docs/study.md). */
    public static final int EPOCHS = 60;
    /**
     * The U-Nets' input in the demo. At their default 256 px a 60-epoch cell took 13 (ResNet-34) and about 30
     * (nnU-Net's PlainConvUNet, 33 M parameters) minutes on the 2-core machine, four times the whole compact grid;
     * at 128 px they cost a quarter of that (docs/study.md).
     */
    public static final int UNET_IMAGE_SIZE = 128;

    private DemoStudyPlan() {}

    public static String text(String datasetDir, int epochs, long seed) {
        List<String> lines = new ArrayList<>(List.of(
                "# samtune demo --study: a small grid on Colin27 + AAL (one subject: this compares fitting, not",
                "# generalisation across patients). Every cell is an ordinary run folder under cells/.",
                "datasets:",
                "  - {name: colin27-aal, dir: " + datasetDir + "}",
                "strategies:",
                "  - {arch: compact, tune: decoder, method: vanilla}",
                "  - {arch: compact, tune: encoder+decoder, method: vanilla}",
                "  - {arch: compact, tune: encoder+decoder, method: adapter}",
                "  - {arch: compact, tune: encoder+decoder, method: lora}"));
        lines.add("  # the U-Nets at 128 px (the slices are 181 x 217): at 256 px they alone take about 80 minutes here");
        for (String unet : StudyGrid.UNET_ARCHS) {
            lines.add("  - {arch: " + unet + ", imageSize: " + UNET_IMAGE_SIZE + "}");
        }
        lines.addAll(List.of(
                "axes:",
                "  seeds: [" + seed + ", " + (seed + 1) + "]",
                "training: {epochs: " + epochs + ", batchSize: 4, lr: 0.001, warmupIters: 20, valEvery: 5,"
                        + " patience: 40, augment: false, resize: longest, encoderBlocks: all}",
                ""));
        return String.join("\n", lines);
    }
}
