package org.samtune.pretrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;
import org.samtune.train.RunFolder;
import org.samtune.train.TrainConfig;

/**
 * Every setting of a {@code samtune pretrain prompts} run (Setup 2's task-expansive stage), written to the run
 * folder's config.yaml and read back by {@code --resume}. Defaults are MedSAM's ({@code train_one_gpu.py}: AdamW lr
 * 1e-4, weight decay 0.01, constant rate, [0, 1] normalisation, image encoder and mask decoder trained with the
 * prompt encoder frozen) where they apply.
 *
 * @param arch              vit_b, vit_l, vit_h, vit_t or compact ("custom": a ViT configured from the checkpoint)
 * @param checkpoint        starting SAM weights ("" for random initialisation)
 * @param datasets          the labelled datasets, each a training list, an optional validation list, class names
 *                          (from the dataset.yaml beside the list) and a sampling weight
 * @param plan              what is tuned and how ({@code train}'s plan block)
 * @param tunePromptEncoder train the prompt encoder too (MedSAM freezes it; off by default)
 * @param prompt            box or point, sampled from each structure as {@code train --prompt} does
 * @param promptRegions     components of a structure that get prompts: largest_K or random
 * @param warmup            linear warm-up then poly decay (off: MedSAM's constant rate)
 */
public record PromptConfig(String arch, String checkpoint, List<Dataset> datasets, TuningPlan plan,
                           boolean tunePromptEncoder, TrainConfig.PromptMode prompt, String promptRegions,
                           TrainConfig.Normalize normalize, TrainConfig.Resize resize, boolean augment, double lr,
                           boolean warmup, int warmupIters, double weightDecay, int batchSize, int epochs,
                           int valEvery, int patience, long seed, String outputDir) implements RunFolder.Settings {

    /**
     * One labelled dataset.
     *
     * @param name       how logs, metrics and checkpoints name it (the training list's folder)
     * @param trainList  finetune-SAM CSV list; a {@code dataset.yaml} beside it names the classes
     * @param valList    validation list ("" for none)
     * @param classNames the dataset.yaml's class names, background first
     * @param weight     relative sampling weight (0 for every dataset: in proportion to its number of structures)
     */
    public record Dataset(String name, String trainList, String valList, List<String> classNames, double weight) {
        public Dataset {
            valList = valList == null ? "" : valList;
            classNames = List.copyOf(classNames);
            if (!(weight >= 0) || !Double.isFinite(weight)) {
                throw new SamtuneException("--weights: expected numbers >= 0, got " + weight + " for " + trainList);
            }
        }
    }

    public PromptConfig {
        boolean fromCheckpoint = !checkpoint.isEmpty();
        if (!("custom".equals(arch) && fromCheckpoint)) {
            org.samtune.model.Architectures.get(arch, "--arch").requireSam("pretrain prompts");
        }
        if (datasets == null || datasets.isEmpty()) {
            throw new SamtuneException("pretrain prompts: give at least one --train-list (a prepare-made list with "
                    + "its dataset.yaml)");
        }
        datasets = List.copyOf(datasets);
        long weighted = datasets.stream().filter(d -> d.weight() > 0).count();
        if (weighted != 0 && weighted != datasets.size()) {
            throw new SamtuneException("--weights: expected a positive weight for every --train-list, got "
                    + datasets.stream().map(d -> Double.toString(d.weight())).toList());
        }
        if (prompt == null || prompt == TrainConfig.PromptMode.NONE) {
            throw new SamtuneException("--prompt: expected box or point (pretraining is prompt-based), got "
                    + (prompt == null ? "nothing" : prompt.id()));
        }
        org.samtune.data.prompt.PromptSampler.Regions.parse(promptRegions);
        if (plan == null || normalize == null || resize == null) {
            throw new SamtuneException("config: plan, normalize and resize must be set");
        }
        if (epochs < 1 || batchSize < 1 || valEvery < 1 || patience < 0 || warmupIters < 1) {
            throw new SamtuneException("pretrain prompts: expected epochs >= 1, batch >= 1, val-every >= 1, "
                    + "patience >= 0, warm-up iterations >= 1; got " + epochs + ", " + batchSize + ", " + valEvery
                    + ", " + patience + ", " + warmupIters);
        }
        if (!(lr > 0) || !Double.isFinite(lr) || !(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new SamtuneException("pretrain prompts: expected lr > 0 and weight decay >= 0, got " + lr + " and "
                    + weightDecay);
        }
    }

    /** MedSAM's defaults; the CLI overrides what the user sets. */
    public static PromptConfig defaults(String arch, String checkpoint, List<Dataset> datasets, String outputDir) {
        TuningPlan plan = new TuningPlan(TuningPlan.Tune.ENCODER_DECODER, TuningPlan.Method.VANILLA,
                EncoderBlocks.everyBlock(), TuningPlan.DEFAULT_DECODER_ADAPTER_DEPTH, Compat.SAMTUNE,
                TuningPlan.DEFAULT_LORA_RANK);
        return new PromptConfig(arch, checkpoint, datasets, plan, false, TrainConfig.PromptMode.BOX, "largest_3",
                TrainConfig.Normalize.MEDSAM, TrainConfig.Resize.SQUARE, true, 1e-4, false, 200, 0.01, 2, 100, 2, 20,
                0, outputDir);
    }

    /** The names of the datasets, in order. */
    public List<String> datasetNames() {
        return datasets.stream().map(Dataset::name).toList();
    }

    /** Whether a parameter trains: the plan's rule, and the prompt encoder only when asked. */
    public boolean isTrainable(String name) {
        return plan.isTrainable(name) && (tunePromptEncoder || !name.startsWith("prompt_encoder."));
    }

    /** metrics.csv: one Dice column per dataset, after an unused column 0 (train's background column). */
    @Override
    public int metricClasses() {
        return datasets.size() + 1;
    }

    @Override
    public List<String> metricNames() {
        List<String> names = new ArrayList<>();
        names.add("-");
        names.addAll(datasetNames());
        return names;
    }

    @Override
    public String curveTitle() {
        return "samtune pretrain prompts " + arch + " " + plan.describe() + " (" + prompt.id() + ", "
                + datasets.size() + " datasets)";
    }

    private static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }

    public String toYaml() {
        try {
            return yaml().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(Path file) {
        AtomicFiles.writeString(file, "# samtune prompt pretraining run settings (read back by resume)\n" + toYaml());
    }

    public static PromptConfig read(Path file) {
        try {
            return yaml().readValue(Files.readString(file), PromptConfig.class);
        } catch (IOException e) {
            Throwable c = e.getCause();
            if (c instanceof SamtuneException se) {
                throw new SamtuneException(file + ": " + se.getMessage(), se);
            }
            throw new SamtuneException(file + ": not a readable prompt pretraining config: "
                    + e.getMessage().split("\n")[0], e);
        }
    }
}
