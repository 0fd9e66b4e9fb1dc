package org.samtune.study;

import java.util.ArrayList;
import java.util.List;

/**
 * The plan of {@code samtune demo --study}: on the bundled Colin27/AAL dataset, the compact SAM-architecture model
 * decoder-only (vanilla) and encoder+decoder (vanilla, adapter, LoRA), plus the U-Net baselines, two seeds each,
 * with the demo's training recipe shortened. A U-Net is one strategy line: it trains all its weights and takes no
 * prompts, so it has no tune or method; in the demo the U-Nets run below their default 256 px to fit the time budget
 * ({@link #RESNET_UNET_IMAGE_SIZE}, {@link #PLAIN_UNET_IMAGE_SIZE}).
 */
public final class DemoStudyPlan {
    /** Epochs per cell: sized so the grid fits in 45 minutes on an idle 2-core machine (docs/study.md). */
    public static final int EPOCHS = 60;
    /**
     * unet-resnet34's input in the demo. At its default 256 px a 60-epoch cell took 13 minutes on the 2-core
     * machine; at 128 px a quarter of that, and it still leads the demo's ranking (docs/study.md).
     */
    public static final int RESNET_UNET_IMAGE_SIZE = 128;
    /**
     * unet-plain's input in the demo. nnU-Net's recipe (SGD, momentum 0.99, 250 iterations per epoch, 1000 epochs)
     * needs far more steps than a 60-epoch cell gives: at 128 px its two cells took 24 of the study's 51 minutes and
     * still predicted background on their own training slices. 64 px (5 stages) costs a quarter of that; the cell
     * shows the baseline runs through the same data, loss and metrics, not what nnU-Net reaches with its budget.
     */
    public static final int PLAIN_UNET_IMAGE_SIZE = 64;

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
        lines.add("  # the U-Nets below their 256 px (the slices are 181 x 217): at 256 px they alone take about 80");
        lines.add("  # minutes here; unet-plain (nnU-Net's recipe needs thousands of steps) at 64 px: see docs/study.md");
        lines.add("  - {arch: unet-resnet34, imageSize: " + RESNET_UNET_IMAGE_SIZE + "}");
        lines.add("  - {arch: unet-plain, imageSize: " + PLAIN_UNET_IMAGE_SIZE + "}");
        lines.addAll(List.of(
                "axes:",
                "  seeds: [" + seed + ", " + (seed + 1) + "]",
                "training: {epochs: " + epochs + ", batchSize: 4, lr: 0.001, warmupIters: 20, valEvery: 5,"
                        + " patience: 40, augment: false, resize: longest, encoderBlocks: all}",
                ""));
        return String.join("\n", lines);
    }
}
