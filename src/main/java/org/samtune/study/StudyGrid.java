package org.samtune.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;
import org.samtune.model.Architectures;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Precision;
import org.samtune.peft.TuningPlan;
import org.samtune.train.TrainConfig;

/**
 * A plan's cells: datasets × strategies × setups × prompts × shots × precisions × seeds, each with its complete
 * run settings. Everything that can be checked without training is checked here, before the first cell starts: axis
 * values, lists and their classes, impossible combinations (adapters or prompts on a U-Net), and each cell's
 * settings (through {@link TrainConfig}'s own validation). Every refusal is one line naming the plan entry.
 */
public final class StudyGrid {

    /** The SAM-family architectures of {@code samtune train --arch}. */
    public static final List<String> SAM_ARCHS = List.of("vit_b", "vit_l", "vit_h", "vit_t", "compact");
    /** The non-SAM baselines: they train all their weights and take no prompts. */
    public static final List<String> UNET_ARCHS = List.of("unet-resnet34", "unet-plain");
    static final List<String> TUNES = List.of("decoder", "encoder+decoder");
    static final List<String> METHODS = List.of("vanilla", "adapter", "lora");
    static final List<String> PROMPTS = List.of("none", "box", "point");

    /** Config fields the plan's axes and datasets set, so {@code training} may not. */
    static final Set<String> AXIS_FIELDS = Set.of("arch", "checkpoint", "tune", "method", "seed", "promptMode",
            "numClasses", "targets", "trainList", "valList", "imageFolder", "maskFolder", "outputDir", "imageSize",
            "outSize");

    /** A dataset as the study uses it: its lists and class names (index 0 = background). */
    public record DatasetInfo(String name, Path dir, Path testList, List<String> classes) {}

    private final List<StudyCell> cells;
    private final Map<String, DatasetInfo> datasets;
    private final boolean variesSetup;
    private final boolean variesPrompt;
    private final boolean variesShots;
    private final boolean variesPrecision;

    private StudyGrid(List<StudyCell> cells, Map<String, DatasetInfo> datasets, boolean variesSetup,
                      boolean variesPrompt, boolean variesShots, boolean variesPrecision) {
        this.cells = List.copyOf(cells);
        this.datasets = Map.copyOf(datasets);
        this.variesSetup = variesSetup;
        this.variesPrompt = variesPrompt;
        this.variesShots = variesShots;
        this.variesPrecision = variesPrecision;
    }

    public List<StudyCell> cells() {
        return cells;
    }

    public Map<String, DatasetInfo> datasets() {
        return datasets;
    }

    /** The table name of a strategy: the axes that vary in this study are spelled out. */
    public String label(StrategyKey s) {
        return s.label(variesSetup, variesPrompt, variesShots, variesPrecision);
    }

    /** The precisions the cells compute in, in plan order. */
    public List<Precision> precisions() {
        return cells.stream().map(c -> c.strategy().precision()).distinct().toList();
    }

    /**
     * Expands and checks a plan; without {@code axes.precision} every cell computes in the precision this process
     * selected ({@code --precision}). Relative paths (dataset folders, checkpoints) are resolved against
     * {@code planDir}, the folder of the plan file.
     */
    public static StudyGrid expand(StudyPlan plan, Path planDir, String source) {
        return expand(plan, planDir, source, Compute.precision());
    }

    /**
     * Expands and checks a plan, {@code precision} being the cells' precision where the plan has no
     * {@code axes.precision}.
     */
    public static StudyGrid expand(StudyPlan plan, Path planDir, String source, Precision precision) {
        if (plan.datasets().isEmpty()) {
            throw new SamtuneException(source + ": datasets: expected at least one dataset (name, dir)");
        }
        Map<String, DatasetInfo> datasets = new LinkedHashMap<>();
        for (int i = 0; i < plan.datasets().size(); i++) {
            DatasetInfo d = dataset(plan.datasets().get(i), planDir, source + ": datasets[" + i + "]");
            if (datasets.put(d.name(), d) != null) {
                throw new SamtuneException(source + ": datasets[" + i + "]: the name '" + d.name()
                        + "' is used twice");
            }
        }
        StudyPlan.Axes axes = plan.axes() != null ? plan.axes()
                : new StudyPlan.Axes(null, null, null, null, null, null, null, null);
        List<StudyPlan.Strategy> strategies = strategies(plan, axes, source);
        List<StudyPlan.Setup> setups = axes.setup() == null || axes.setup().isEmpty()
                ? List.of(new StudyPlan.Setup("random", null)) : axes.setup();
        List<String> prompts = values(axes.prompt(), List.of("none"), PROMPTS, source + ": axes.prompt");
        List<String> shots = shots(axes.shots(), source);
        List<String> precisions = values(axes.precision(), List.of(precision.id()),
                Arrays.stream(Precision.values()).map(Precision::id).toList(), source + ": axes.precision");
        List<Long> seeds = axes.seeds() == null || axes.seeds().isEmpty() ? List.of(0L) : axes.seeds();
        if (new HashSet<>(seeds).size() != seeds.size()) {
            throw new SamtuneException(source + ": axes.seeds: a seed appears twice in " + seeds);
        }
        Set<String> setupNames = new HashSet<>();
        List<String> checkpoints = new ArrayList<>();
        for (int i = 0; i < setups.size(); i++) {
            StudyPlan.Setup s = setups.get(i);
            String where = source + ": axes.setup[" + i + "]";
            if (s.name() == null || !s.name().matches("[A-Za-z0-9_-]+")) {
                throw new SamtuneException(where + ": name: expected letters, digits, '_' or '-', got " + s.name());
            }
            if (!setupNames.add(s.name())) {
                throw new SamtuneException(where + ": the name '" + s.name() + "' is used twice");
            }
            String ckpt = "";
            if (s.checkpoint() != null && !s.checkpoint().isBlank()) {
                Path p = planDir.resolve(s.checkpoint()).normalize();
                if (!Files.isRegularFile(p)) {
                    throw new SamtuneException(where + " (" + s.name() + "): checkpoint " + p + " not found");
                }
                ckpt = p.toAbsolutePath().toString();
            }
            checkpoints.add(ckpt);
        }
        TrainConfig base = training(plan.training(), source);

        List<StudyCell> cells = new ArrayList<>();
        for (DatasetInfo d : datasets.values()) {
            for (StudyPlan.Strategy st : strategies) {
                boolean unet = UNET_ARCHS.contains(st.arch());
                for (int si = 0; si < setups.size(); si++) {
                    for (String prompt : prompts) {
                        if (unet && !"none".equals(prompt)) {
                            throw new SamtuneException(source + ": axes.prompt: " + prompt + " is impossible for "
                                    + st.arch() + " (U-Nets take no prompts); use prompt [none] or list the"
                                    + " strategies so the U-Nets are not crossed with prompts");
                        }
                        for (String shot : shots) {
                            Path train = d.dir().resolve("all".equals(shot) ? "train.csv" : "train_" + shot + "shot.csv");
                            if (!Files.isRegularFile(train)) {
                                throw new SamtuneException(source + ": axes.shots: " + shot + " needs " + train
                                        + " (make it with samtune prepare --shots " + shot + ")");
                            }
                            for (String p : precisions) {
                                Precision precisionOfCell = Precision.parse(p);
                                StrategyKey key = new StrategyKey(st.arch(), unet ? StrategyKey.NONE : st.tune(),
                                        unet ? StrategyKey.NONE : st.method(), setups.get(si).name(), prompt, shot,
                                        precisionOfCell);
                                for (long seed : seeds) {
                                    cells.add(cell(d, key, st.imageSize(), seed, base, checkpoints.get(si), train,
                                            source));
                                }
                            }
                        }
                    }
                }
            }
        }
        Set<String> ids = new HashSet<>();
        for (StudyCell c : cells) {
            if (!ids.add(c.id())) {
                throw new SamtuneException(source + ": the cell " + c.id() + " appears twice (a strategy is listed"
                        + " twice)");
            }
        }
        return new StudyGrid(cells, datasets, setups.size() > 1, prompts.size() > 1, shots.size() > 1,
                precisions.size() > 1);
    }

    /**
     * One cell's settings: the plan's fixed training settings with the cell's axes. Settings the plan does not fix
     * (encoder blocks, sizes) are unset in {@code base.toBuilder()}, so they follow the cell's architecture, unless
     * the strategy gives its own {@code imageSize}.
     */
    private static StudyCell cell(DatasetInfo d, StrategyKey key, Integer imageSize, long seed, TrainConfig base,
                                  String checkpoint, Path train, String source) {
        boolean prompted = !"none".equals(key.prompt());
        String rel = StudyCell.relativeDir(d.name(), key, seed);
        try {
            TrainConfig.Builder b = base.toBuilder()
                    .arch(key.arch())
                    .checkpoint(checkpoint)
                    .seed(seed)
                    .promptMode(TrainConfig.PromptMode.parse(key.prompt()))
                    // with prompts a cell trains one mask per prompt set (the union of the prompted structures)
                    .numClasses(prompted ? 2 : d.classes().size())
                    .classNames(prompted ? null : d.classes())
                    .targets(prompted ? TargetMode.COMBINE_ALL : TargetMode.MULTI_ALL)
                    .trainList(train.toAbsolutePath().toString())
                    .valList(d.dir().resolve("val.csv").toAbsolutePath().toString())
                    .imageFolder(d.dir().toAbsolutePath().toString())
                    .maskFolder(d.dir().toAbsolutePath().toString())
                    .outputDir(rel);
            if (!StrategyKey.NONE.equals(key.tune())) {
                b.tune(TuningPlan.Tune.parse(key.tune(), "tune"))
                        .method(TuningPlan.Method.parse(key.method(), "method"));
            }
            if (Architectures.get(key.arch(), "arch").isDense()) {
                // a U-Net baseline: every weight trains, with its recipe (as train --arch does)
                b.unetRecipe(key.arch());
            }
            if (imageSize != null) {
                int[] sizes = Architectures.get(key.arch(), "arch").sized(imageSize, "imageSize");
                b.imageSize(sizes[0]).outSize(sizes[1]);
            }
            return new StudyCell(d.name(), key, seed, b.build(), d.testList());
        } catch (SamtuneException e) {
            throw new SamtuneException(source + ": cell " + d.name() + "/" + key.id() + "/seed" + seed + ": "
                    + e.getMessage(), e);
        }
    }

    private static List<StudyPlan.Strategy> strategies(StudyPlan plan, StudyPlan.Axes axes, String source) {
        List<StudyPlan.Strategy> out = new ArrayList<>();
        if (plan.strategies() != null) {
            if (axes.arch() != null || axes.tune() != null || axes.method() != null) {
                throw new SamtuneException(source + ": axes.arch/tune/method: give the strategies either as a list"
                        + " (strategies) or as crossed axes, not both");
            }
            if (plan.strategies().isEmpty()) {
                throw new SamtuneException(source + ": strategies: expected at least one strategy");
            }
            for (int i = 0; i < plan.strategies().size(); i++) {
                StudyPlan.Strategy s = plan.strategies().get(i);
                String where = source + ": strategies[" + i + "]";
                String arch = value(s.arch(), archs(), where + ".arch");
                if (UNET_ARCHS.contains(arch)) {
                    if (s.tune() != null || s.method() != null) {
                        throw new SamtuneException(where + ": " + arch + " trains all its weights; tune/method"
                                + " (adapters, LoRA, decoder-only) are impossible on a U-Net: remove them");
                    }
                    out.add(new StudyPlan.Strategy(arch, null, null, s.imageSize()));
                } else {
                    out.add(new StudyPlan.Strategy(arch, s.tune() == null ? "decoder" : value(s.tune(), TUNES,
                            where + ".tune"), s.method() == null ? "vanilla" : value(s.method(), METHODS,
                            where + ".method"), s.imageSize()));
                }
                if (s.imageSize() != null) {
                    Architectures.get(arch, where + ".arch").sized(s.imageSize(),
                            where + ".imageSize");
                }
            }
            return out;
        }
        if (axes.arch() == null || axes.arch().isEmpty()) {
            throw new SamtuneException(source + ": expected strategies (a list) or axes.arch (architectures to cross)");
        }
        List<String> archs = values(axes.arch(), null, archs(), source + ": axes.arch");
        List<String> tunes = values(axes.tune(), List.of("decoder"), TUNES, source + ": axes.tune");
        List<String> methods = values(axes.method(), List.of("vanilla"), METHODS, source + ": axes.method");
        for (String arch : archs) {
            if (UNET_ARCHS.contains(arch)) {
                out.add(new StudyPlan.Strategy(arch, null, null)); // no tune/method axis for a U-Net
                continue;
            }
            for (String t : tunes) {
                for (String m : methods) {
                    out.add(new StudyPlan.Strategy(arch, t, m));
                }
            }
        }
        return out;
    }

    private static List<String> archs() {
        List<String> all = new ArrayList<>(SAM_ARCHS);
        all.addAll(UNET_ARCHS);
        return all;
    }

    private static List<String> shots(List<String> shots, String source) {
        if (shots == null || shots.isEmpty()) {
            return List.of("all");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < shots.size(); i++) {
            String s = shots.get(i) == null ? "" : shots.get(i).strip();
            if (!s.equals("all") && !(s.matches("[0-9]+") && Integer.parseInt(s) > 0)) {
                throw new SamtuneException(source + ": axes.shots[" + i + "]: expected 'all' or a positive number"
                        + " of training slices, got '" + shots.get(i) + "'");
            }
            if (!seen.add(s)) {
                throw new SamtuneException(source + ": axes.shots[" + i + "]: '" + s + "' appears twice");
            }
        }
        return List.copyOf(seen);
    }

    private static List<String> values(List<String> given, List<String> dflt, List<String> allowed, String where) {
        if (given == null || given.isEmpty()) {
            return dflt;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String v = value(given.get(i), allowed, where + "[" + i + "]");
            if (out.contains(v)) {
                throw new SamtuneException(where + "[" + i + "]: '" + v + "' appears twice");
            }
            out.add(v);
        }
        return out;
    }

    private static String value(String v, List<String> allowed, String where) {
        String t = v == null ? "" : v.strip();
        if (!allowed.contains(t)) {
            throw new SamtuneException(where + ": unknown value '" + v + "' (expected one of "
                    + String.join(", ", allowed) + ")");
        }
        return t;
    }

    /** Settings of the tuning plan that a study fixes in its {@code training:} block. */
    private static final Set<String> PLAN_FIELDS =
            Set.of("encoderBlocks", "decoderAdapterDepth", "compat", "loraRank");

    /** The fixed settings over finetune-SAM's defaults, checked by TrainConfig itself. */
    static TrainConfig training(Map<String, Object> training, String source) {
        for (String k : training.keySet()) {
            if (AXIS_FIELDS.contains(k)) {
                throw new SamtuneException(source + ": training." + k + ": set by the plan's strategies, axes or"
                        + " datasets, not a fixed training setting");
            }
        }
        ObjectMapper yaml = StudyPlan.yaml();
        @SuppressWarnings("unchecked")
        Map<String, Object> merged = yaml.convertValue(TrainConfig.defaults(), LinkedHashMap.class);
        // the strategy's own settings (encoder blocks, adapter depth, compat, LoRA rank) live in the plan block
        @SuppressWarnings("unchecked")
        Map<String, Object> plan = new LinkedHashMap<>((Map<String, Object>) merged.get("plan"));
        for (Map.Entry<String, Object> e : training.entrySet()) {
            if (PLAN_FIELDS.contains(e.getKey())) {
                plan.put(e.getKey(), e.getValue());
            } else {
                merged.put(e.getKey(), e.getValue());
            }
        }
        merged.put("plan", plan);
        try {
            return TrainConfig.fromYaml(yaml.writeValueAsString(merged), source + ": training");
        } catch (IOException e) {
            throw new SamtuneException(source + ": training: " + e.getMessage(), e);
        }
    }

    private static DatasetInfo dataset(StudyPlan.Dataset d, Path planDir, String where) {
        if (d.name() == null || !d.name().matches("[A-Za-z0-9_.-]+") || d.name().startsWith(".")) {
            throw new SamtuneException(where + ": name: expected letters, digits, '.', '_' or '-', got " + d.name());
        }
        where = where + " (" + d.name() + ")";
        if (d.dir() == null) {
            throw new SamtuneException(where + ": dir: expected the folder made by samtune prepare");
        }
        Path dir = planDir.resolve(d.dir()).normalize();
        if (!Files.isDirectory(dir)) {
            throw new SamtuneException(where + ": dir " + dir + " not found");
        }
        for (String list : List.of("train.csv", "val.csv")) {
            if (!Files.isRegularFile(dir.resolve(list))) {
                throw new SamtuneException(where + ": list " + dir.resolve(list) + " not found");
            }
        }
        Path test = dir.resolve(d.test() == null ? "test.csv" : d.test()).normalize();
        if (!Files.isRegularFile(test)) {
            throw new SamtuneException(where + ": test list " + test + " not found");
        }
        List<String> classes = classes(dir.resolve("dataset.yaml"), where);
        List<String> testClasses = classes(test.toAbsolutePath().getParent().resolve("dataset.yaml"), where);
        if (!classes.equals(testClasses)) {
            throw new SamtuneException(where + ": the test list's classes " + testClasses + " ("
                    + test.toAbsolutePath().getParent().resolve("dataset.yaml") + ") differ from the training"
                    + " classes " + classes + " (" + dir.resolve("dataset.yaml") + ")");
        }
        return new DatasetInfo(d.name(), dir, test, classes);
    }

    /** Class names by index from a dataset.yaml of {@code samtune prepare} (index 0 = background). */
    static List<String> classes(Path yaml, String where) {
        if (!Files.isRegularFile(yaml)) {
            throw new SamtuneException(where + ": " + yaml + " not found (the study takes the classes from it;"
                    + " make the folder with samtune prepare)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
        } catch (IOException e) {
            throw new SamtuneException(where + ": " + yaml + ": not readable YAML: " + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("classes");
        if (list == null || !list.isArray() || list.size() < 2 || list.size() > 255) {
            throw new SamtuneException(where + ": " + yaml + ": classes: expected a list of 2..255 {index, name}"
                    + " entries including the background");
        }
        String[] names = new String[list.size()];
        for (JsonNode c : list) {
            int index = c.path("index").asInt(-1);
            if (index < 0 || index >= names.length || names[index] != null || !c.hasNonNull("name")) {
                throw new SamtuneException(where + ": " + yaml + ": classes: expected indices 0.." + (names.length - 1)
                        + " once each with a name, got " + c);
            }
            names[index] = c.get("name").asText();
        }
        return List.of(names);
    }
}
