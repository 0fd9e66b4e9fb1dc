package org.samtune.study;

import java.nio.file.Path;
import org.samtune.train.TrainConfig;

/**
 * One cell of a study: a strategy trained with one seed on one dataset, evaluated on its test list. Its run folder
 * is {@code cells/<dataset>/<strategy id>/seed<k>} inside the study, an ordinary {@code samtune train} run folder.
 *
 * @param dataset the dataset's name in the plan
 * @param strategy the strategy (everything but dataset and seed)
 * @param seed the cell's seed
 * @param config the run's settings ({@code outputDir} relative to the study folder)
 * @param testList the test list scored after training
 */
public record StudyCell(String dataset, StrategyKey strategy, long seed, TrainConfig config, Path testList) {

    /** The cell's folder relative to the study folder, '/'-separated (the same on every machine). */
    public String relativeDir() {
        return relativeDir(dataset, strategy, seed);
    }

    static String relativeDir(String dataset, StrategyKey strategy, long seed) {
        return "cells/" + dataset + "/" + strategy.id() + "/seed" + seed;
    }

    /** A short name for progress lines and cells.csv. */
    public String id() {
        return dataset + "/" + strategy.id() + "/seed" + seed;
    }
}
