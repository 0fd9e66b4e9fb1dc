package org.samtune.study;

import java.util.List;

/**
 * The plan of {@code samtune demo --setup all}: the study's three setups in miniature on the bundled Colin27/AAL
 * dataset (Gu et al., MELBA 2025; docs/setups.md). One fine-tuning recipe (the demo's: the compact model, encoder
 * and decoder, all weights) crossed with three starts — random weights (Setup 1), the checkpoint of
 * {@code pretrain prompts} on other AAL regions (Setup 2) and the checkpoint of {@code pretrain mae} on unlabelled
 * slices (Setup 3) — × full data and 5 shots × 3 seeds, so that only the start differs between columns.
 */
public final class SetupStudyPlan {
    /** The setups' names in the tables. */
    public static final List<String> SETUPS = List.of("setup1-random", "setup2-prompts", "setup3-mae");
    /**
     * Fine-tuning epochs per cell: shortened from the demo's 150, as {@code demo --study} shortens its cells, so
     * that the 18 cells take about half an hour on 2 idle cores (docs/setups.md: measured).
     */
    public static final int EPOCHS = 60;

    private SetupStudyPlan() {}

    /**
     * @param datasetDir       the demo dataset (made with {@code prepare --shots 5}), relative to the plan
     * @param promptCheckpoint Setup 2's checkpoint, relative to the plan
     * @param maeCheckpoint    Setup 3's checkpoint, relative to the plan
     * @param epochs           fine-tuning epochs per cell ({@link #EPOCHS} unless the user says otherwise)
     */
    public static String text(String datasetDir, String promptCheckpoint, String maeCheckpoint, int epochs,
                              List<Long> seeds, int shots) {
        return String.join("\n", List.of(
                "# samtune demo --setup all: the study's Setups 1, 2 and 3 in miniature on Colin27 + AAL (one subject:",
                "# this compares fitting, not generalisation across patients). One fine-tuning recipe, three starts.",
                "datasets:",
                "  - {name: colin27-aal, dir: " + datasetDir + "}",
                "strategies:",
                "  - {arch: compact, tune: encoder+decoder, method: vanilla}",
                "axes:",
                "  setup:",
                "    - {name: " + SETUPS.get(0) + "}",
                "    - {name: " + SETUPS.get(1) + ", checkpoint: " + promptCheckpoint + "}",
                "    - {name: " + SETUPS.get(2) + ", checkpoint: " + maeCheckpoint + "}",
                "  shots: [all, " + shots + "]",
                "  seeds: " + seeds,
                "training: {epochs: " + epochs + ", batchSize: 4, lr: 0.001, warmupIters: 20, valEvery: 5,"
                        + " patience: 40, augment: false, resize: longest}",
                ""));
    }
}
