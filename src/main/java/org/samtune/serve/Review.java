package org.samtune.serve;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.Slice2D;
import org.samtune.data.SliceRef;
import org.samtune.eval.ClassMetrics;
import org.samtune.eval.MetricOptions;
import org.samtune.eval.SegmentationMetrics;
import org.samtune.train.TrainConfig;
import org.samtune.train.TrainedModel;

/**
 * Review of a fine-tuned run: its test slices (the {@code test.csv} that {@code prepare} wrote beside the run's
 * training list, or any list below the root) with the truth, the run's prediction and the Dice of every class,
 * computed as {@code eval --run} does (original resolution, {@link SegmentationMetrics}). Every file it reads
 * must lie below the root. One run's model is kept loaded at a time.
 */
final class Review implements AutoCloseable {
    private final RootFolder root;
    private final Object modelLock;
    private final Path serverRun;
    private final TrainedModel.Loaded serverModel;
    private Path loadedRun;
    private NDManager loadedManager;
    private TrainedModel.Loaded loaded;

    Review(RootFolder root, Object modelLock, Path serverRun, TrainedModel.Loaded serverModel) {
        this.root = root;
        this.modelLock = modelLock;
        this.serverRun = serverRun == null ? null : serverRun.toAbsolutePath().normalize();
        this.serverModel = serverModel;
    }

    /** The run's test list: its slices, classes and where they come from. */
    Map<String, Object> list(String runRel, String listRel) {
        Path run = root.existing(runRel);
        Path list = testList(run, listRel);
        TrainConfig c = config(run);
        SegmentationDataset data = dataset(c, list);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            names.add(data.ref(i).name());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", root.relative(run));
        m.put("list", root.relative(list));
        m.put("classes", classNames(list, c.numClasses()));
        m.put("slices", names);
        return m;
    }

    /** Slice {@code index} of the list: image, truth, prediction and Dice per class. */
    Map<String, Object> slice(String runRel, String listRel, int index) {
        Path run = root.existing(runRel);
        Path list = testList(run, listRel);
        TrainConfig c = config(run);
        SegmentationDataset data = dataset(c, list);
        if (index < 0 || index >= data.size()) {
            throw ServeException.badRequest("index " + index + " is outside 0.." + (data.size() - 1) + " of " + listRel);
        }
        Slice2D s = data.load(index);
        int[] pred;
        synchronized (modelLock) {
            pred = model(run).segment(s);
        }
        int n = s.width() * s.height();
        byte[] truth = s.labels();
        byte[] predBytes = new byte[n];
        for (int p = 0; p < n; p++) {
            predBytes[p] = (byte) pred[p];
        }
        List<Map<String, Object>> dice = new ArrayList<>();
        List<String> names = classNames(list, c.numClasses());
        for (int k = 1; k < c.numClasses(); k++) {
            boolean[] pk = new boolean[n];
            boolean[] tk = new boolean[n];
            for (int p = 0; p < n; p++) {
                pk[p] = pred[p] == k;
                tk[p] = (truth[p] & 0xff) == k;
            }
            ClassMetrics cm = SegmentationMetrics.compute(pk, tk, new int[] {s.width(), s.height()},
                    new double[] {1, 1}, MetricOptions.DEFAULT);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("class", k);
            d.put("name", names.get(k));
            d.put("dice", Double.isFinite(cm.dice()) ? cm.dice() : null);
            d.put("predPixels", cm.predVoxels());
            d.put("truthPixels", cm.truthVoxels());
            dice.add(d);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("name", s.name());
        m.put("width", s.width());
        m.put("height", s.height());
        m.put("image", Base64.getEncoder().encodeToString(s.rgb()));
        m.put("truth", Base64.getEncoder().encodeToString(truth));
        m.put("prediction", Base64.getEncoder().encodeToString(predBytes));
        m.put("dice", dice);
        return m;
    }

    private Path testList(Path run, String listRel) {
        if (listRel != null && !listRel.isBlank()) {
            return root.existing(listRel);
        }
        TrainConfig c = config(run);
        if (c.trainList() != null) {
            Path near = Path.of(c.trainList()).toAbsolutePath().normalize().resolveSibling("test.csv");
            if (Files.isRegularFile(near)) {
                return root.existing(root.relativeOrRefuse(near));
            }
        }
        throw ServeException.badRequest(root.relative(run) + ": no test.csv beside the run's training list; give the"
                + " test list below the root");
    }

    private static TrainConfig config(Path run) {
        Path yaml = run.resolve("config.yaml");
        if (!Files.isRegularFile(yaml)) {
            throw ServeException.badRequest("not a run folder (no config.yaml)");
        }
        TrainConfig c = TrainConfig.read(yaml);
        if (c.promptMode() != TrainConfig.PromptMode.NONE) {
            throw ServeException.badRequest("the run was trained with " + c.promptMode().id() + " prompts; review shows"
                    + " automatic runs (--prompt none), whose prediction does not depend on the truth");
        }
        return c;
    }

    private SegmentationDataset dataset(TrainConfig c, Path list) {
        // the images and masks of the list must lie below the root too
        Path folder = list.getParent();
        SegmentationDataset data;
        try {
            data = SegmentationDataset.open(list, folder, folder,
                    new SegmentationDataset.Options(c.targetMode(), c.numClasses(), true));
        } catch (SamtuneException e) {
            throw ServeException.badRequest(e.getMessage());
        }
        for (SliceRef r : data.refs()) {
            root.existing(root.relativeOrRefuse(r.image()));
            root.existing(root.relativeOrRefuse(r.mask()));
        }
        return data;
    }

    private TrainedModel.Loaded model(Path run) {
        Path abs = run.toAbsolutePath().normalize();
        if (serverModel != null && abs.equals(serverRun)) {
            return serverModel;
        }
        if (!abs.equals(loadedRun)) {
            close();
            NDManager m = NDManager.newBaseManager();
            try {
                loaded = TrainedModel.open(m, abs, "best", null);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            loadedManager = m;
            loadedRun = abs;
        }
        return loaded;
    }

    private static List<String> classNames(Path list, int numClasses) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            names.add(k == 0 ? "background" : "class_" + k);
        }
        Path yaml = list.getParent().resolve("dataset.yaml");
        if (Files.isRegularFile(yaml)) {
            try {
                var tree = new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml.toFile());
                for (var cls : tree.path("classes")) {
                    int index = cls.path("index").asInt(-1);
                    if (index >= 0 && index < numClasses && cls.hasNonNull("name")) {
                        names.set(index, cls.get("name").asText());
                    }
                }
            } catch (java.io.IOException e) {
                // names are a convenience: an unreadable dataset.yaml leaves the generic ones
            }
        }
        return names;
    }

    @Override
    public void close() {
        if (loadedManager != null) {
            loadedManager.close();
            loadedManager = null;
            loaded = null;
            loadedRun = null;
        }
    }
}
