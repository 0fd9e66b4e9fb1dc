package org.samtune.study;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.samtune.SamtuneException;

/**
 * A study plan as written in {@code plan.yaml}: the datasets, the strategies (listed, or crossed from
 * architecture × tune × method), the other axes crossed with them (setup, prompt, shots, seeds, precision), the fixed training
 * settings and the evaluation settings. Read strictly: an unknown key, a wrong type or a missing required entry is
 * refused with one line naming the entry. {@link StudyGrid#expand} checks what needs the files (lists, classes)
 * and the combinations.
 *
 * <pre>
 * datasets:
 *   - name: colin27
 *     dir: data/colin27          # a folder made by `samtune prepare` (relative to the plan file)
 *     test: ../site2/test.csv    # optional: another prepared folder's test list (same classes)
 * strategies:                    # either listed ...
 *   - {arch: compact, tune: decoder, method: vanilla}
 *   - {arch: unet-plain}         # U-Nets train all their weights: no tune, no method
 * axes:
 *   # ... or crossed: arch: [vit_b, vit_t], tune: [decoder, encoder+decoder], method: [vanilla, adapter, lora]
 *   setup: [{name: random}]      # starting checkpoints; {name: sam, checkpoint: sam_vit_b_01ec64.pth}
 *   prompt: [none]               # none, box, point
 *   shots: [all]                 # all, or K (train_Kshot.csv from `prepare --shots K`)
 *   seeds: [0, 1]
 *   precision: [fp32, bf16]      # optional: the number format of the products, as --precision (default: the flag's)
 * training: {epochs: 30, batchSize: 4}   # any config.yaml field the axes do not set
 * evaluation: {lowRes: false, nsdMm: 2, weights: best, keepEmpty: false}
 * </pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyPlan(
        List<Dataset> datasets,
        List<Strategy> strategies,
        Axes axes,
        Map<String, Object> training,
        Evaluation evaluation) {

    /**
     * One dataset: a folder made by {@code samtune prepare} (train.csv, val.csv, test.csv, dataset.yaml) and,
     * optionally, the test list of another prepared folder (e.g. another site), relative to {@code dir}; its
     * dataset.yaml must name the same classes.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Dataset(String name, String dir, String test) {}

    /**
     * One strategy: architecture, what trains and how (tune and method are absent for the U-Nets), and optionally
     * the input size in pixels when it is not the architecture's (e.g. a U-Net at the data's own scale).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Strategy(String arch, String tune, String method, Integer imageSize) {
        public Strategy(String arch, String tune, String method) {
            this(arch, tune, method, null);
        }
    }

    /** A starting point: a name for the tables and the checkpoint (none: random initialisation). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Setup(String name, String checkpoint) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Axes(List<String> arch, List<String> tune, List<String> method, List<Setup> setup,
                       List<String> prompt, List<String> shots, List<Long> seeds, List<String> precision) {
        public Axes(List<String> arch, List<String> tune, List<String> method, List<Setup> setup,
                    List<String> prompt, List<String> shots, List<Long> seeds) {
            this(arch, tune, method, setup, prompt, shots, seeds, null);
        }
    }

    /** How each cell's best checkpoint is scored on its dataset's test list (as {@code samtune eval --run}). */
    public record Evaluation(Boolean lowRes, Double nsdMm, String weights, Boolean keepEmpty) {
        public boolean lowResOrDefault() {
            return lowRes != null && lowRes;
        }

        public double nsdMmOrDefault() {
            return nsdMm == null ? 2.0 : nsdMm;
        }

        public String weightsOrDefault() {
            return weights == null ? "best" : weights;
        }

        public boolean keepEmptyOrDefault() {
            return keepEmpty != null && keepEmpty;
        }
    }

    public StudyPlan {
        datasets = datasets == null ? List.of() : List.copyOf(datasets);
        strategies = strategies == null ? null : List.copyOf(strategies);
        training = training == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(training));
        evaluation = evaluation == null ? new Evaluation(null, null, null, null) : evaluation;
    }

    static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Reads a plan; any error is one line naming the file and the entry. */
    public static StudyPlan read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read the study plan: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public static StudyPlan parse(String text, String source) {
        try {
            StudyPlan plan = yaml().readValue(text, StudyPlan.class);
            if (plan == null) {
                throw new SamtuneException(source + ": empty study plan (expected datasets, strategies or axes)");
            }
            return plan;
        } catch (UnrecognizedPropertyException e) {
            throw new SamtuneException(source + ": " + where(e) + ": unknown key '" + e.getPropertyName()
                    + "' (expected one of " + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")) + ")", e);
        } catch (JsonMappingException e) {
            throw new SamtuneException(source + ": " + where(e) + ": " + e.getOriginalMessage().split("\n")[0], e);
        } catch (JsonProcessingException e) {
            throw new SamtuneException(source + ": not a valid YAML study plan: "
                    + e.getOriginalMessage().split("\n")[0], e);
        }
    }

    /** The plan entry of a mapping error, e.g. {@code axes.seeds[1]}. */
    private static String where(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "plan" : sb.toString();
    }

    /** The plan as YAML (copied into the study folder, so a study records what made it). */
    public String toYaml() {
        try {
            return yaml().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @JsonProperty("training")
    public Map<String, Object> training() {
        return training;
    }
}
