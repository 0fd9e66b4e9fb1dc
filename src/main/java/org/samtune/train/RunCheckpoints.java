package org.samtune.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.PositionResize;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Module;

/**
 * The checkpoints of a run folder ({@code RUN/checkpoints/}), their names, metadata, contents, writing and reading:
 * <ul>
 *   <li>{@code best.safetensors}, {@code last.safetensors}: the tuned weights (every trainable tensor, every tensor not
 *       taken from the base checkpoint, and BatchNorm statistics), with the base checkpoint's file name and SHA-256,
 *       the plan, the class names and the run's config in the metadata, so base + tuned rebuilds the model;
 *   <li>{@code resume.safetensors}: the same plus the optimiser state ({@code optimizer/...} tensors, its settings in
 *       the metadata in a fixed order) and the loop position ({@code train_state}), so {@code train --resume}
 *       continues after a crash exactly as the uninterrupted run would have;
 *   <li>{@code full.safetensors} ({@code --export-full}): the whole state dict with finetune-SAM's names.
 * </ul>
 * Every file is written atomically (temporary file, then rename).
 */
public final class RunCheckpoints {
    public static final String DIR = "checkpoints";
    public static final String BEST = "best.safetensors";
    public static final String LAST = "last.safetensors";
    public static final String RESUME = "resume.safetensors";
    public static final String FULL = "full.safetensors";
    /** The {@code format} metadata of tuned weights. */
    public static final String FORMAT = "samtune-tuned-weights/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path runDir;
    private final Path dir;

    private RunCheckpoints(Path runDir) {
        this.runDir = runDir;
        this.dir = runDir.resolve(DIR);
    }

    /** The checkpoints of the run folder {@code runDir} (nothing is read or created yet). */
    public static RunCheckpoints of(Path runDir) {
        return new RunCheckpoints(runDir);
    }

    public Path dir() {
        return dir;
    }

    public Path best() {
        return dir.resolve(BEST);
    }

    public Path last() {
        return dir.resolve(LAST);
    }

    public Path resume() {
        return dir.resolve(RESUME);
    }

    public Path full() {
        return dir.resolve(FULL);
    }

    /** Whether a resume checkpoint exists (the run got past its first checkpoint). */
    public boolean hasResume() {
        return Files.isRegularFile(resume());
    }

    // ---- what a run saves -------------------------------------------------------------------------------------

    /**
     * What every checkpoint of a run holds: the model, the keys of the tuned tensors, and the metadata shared by all
     * files of the run.
     */
    public record Content(Module model, Set<String> keys, Map<String, String> metadata) {
        /** The tuned tensors, in the model's state-dict order. */
        StateDict tensors() {
            Map<String, TensorData> out = new LinkedHashMap<>();
            model.stateArrays().forEach((k, a) -> {
                if (keys.contains(k)) {
                    out.put(k, Module.toTensorData(a));
                }
            });
            return new StateDict(out, "tuned");
        }
    }

    /** The content of a run built from {@code c}: tuned keys from the model's trainable flags, the base's hash. */
    public static Content content(TrainConfig c, SamModels.Built built) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("arch", built.arch());
        m.put("num_classes", Integer.toString(c.numClasses()));
        m.put("class_names", String.join(",", c.classNames()));
        m.put("plan", c.plan().describe());
        m.put("base_checkpoint", built.checkpoint() == null ? "" : built.checkpoint().getFileName().toString());
        m.put("base_sha256", built.checkpointSha256() == null ? "" : built.checkpointSha256());
        if (!c.encoderFrom().isEmpty()) {
            m.put("encoder_from", Path.of(c.encoderFrom()).getFileName().toString());
            m.put("encoder_from_sha256", SamModels.sha256(Path.of(c.encoderFrom())));
        }
        m.put("config_yaml", c.toYaml());
        return new Content(built.sam(), tunedKeys(built.sam(), built.notFromCheckpoint()), m);
    }

    /**
     * The content of a U-Net baseline run ({@code Family.DENSE}): every weight trains, so every tensor is saved;
     * the base is the run's starting checkpoint, if any.
     */
    public static Content content(TrainConfig c, Module net) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("arch", c.arch());
        m.put("num_classes", Integer.toString(c.numClasses()));
        m.put("class_names", String.join(",", c.classNames()));
        m.put("plan", "all weights");
        Path base = c.checkpoint() == null || c.checkpoint().isBlank() ? null : Path.of(c.checkpoint());
        m.put("base_checkpoint", base == null ? "" : base.getFileName().toString());
        m.put("base_sha256", base == null ? "" : SamModels.sha256(base));
        m.put("config_yaml", c.toYaml());
        return new Content(net, new LinkedHashSet<>(net.stateArrays().keySet()), m);
    }

    /** What a tuned checkpoint must hold so that base + tuned gives the model back. */
    static Set<String> tunedKeys(Sam sam, Set<String> notFromCheckpoint) {
        Set<String> keys = new LinkedHashSet<>(notFromCheckpoint);
        sam.namedParameters().forEach((k, p) -> {
            if (p.isTrainable()) {
                keys.add(k);
            }
        });
        // BatchNorm statistics move in train mode even where the weights are frozen (MobileSAM).
        for (String k : sam.stateArrays().keySet()) {
            if (k.endsWith("running_mean") || k.endsWith("running_var") || k.endsWith("num_batches_tracked")) {
                keys.add(k);
            }
        }
        return keys;
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    public void writeBest(Content content, TrainState state) {
        writeWeights(best(), content, state);
    }

    public void writeLast(Content content, TrainState state) {
        writeWeights(last(), content, state);
    }

    /** The last weights and the resume checkpoint, after {@code state.iteration()} iterations. */
    public void writeLastAndResume(Content content, Optimizer optimizer, TrainState state) {
        writeLast(content, state);
        Map<String, TensorData> all = new LinkedHashMap<>();
        content.tensors().tensors().forEach((k, v) -> all.put("model/" + k, v));
        optimizer.stateDict().tensors().forEach((k, v) -> all.put("optimizer/" + k, v));
        Map<String, String> m = new LinkedHashMap<>(content.metadata());
        m.put("iteration", Long.toString(state.iteration()));
        try {
            m.put("train_state", JSON.writeValueAsString(state));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // sorted, so that two runs write the same bytes
        m.put("optimizer_hyperparameters", new TreeMap<>(optimizer.hyperparameters()).toString());
        Safetensors.write(resume(), new StateDict(all, "resume"), m);
    }

    /** The whole state dict (finetune-SAM's names), for other tools. */
    public void writeFull(Content content) {
        Safetensors.write(full(), content.model().stateDict(), content.metadata());
    }

    private static void writeWeights(Path file, Content content, TrainState state) {
        Map<String, String> m = new LinkedHashMap<>(content.metadata());
        m.put("iteration", Long.toString(state.iteration()));
        m.put("epoch", Integer.toString(state.epoch()));
        m.put("best_val_score", Double.toString(state.bestDice()));
        Safetensors.write(file, content.tensors(), m);
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    /** A resume checkpoint: where the loop stood, and the model and optimiser tensors. */
    public record Resumed(Path file, TrainState state, Map<String, TensorData> tensors) {}

    /** Reads the resume checkpoint, or says plainly that there is none. */
    public Resumed readResume() {
        if (!Files.isDirectory(runDir)) {
            throw new SamtuneException(runDir + ": nothing to resume (no such run folder)");
        }
        if (!hasResume()) {
            throw new SamtuneException(runDir + ": nothing to resume (no " + DIR + "/" + RESUME
                    + "; the run stopped before its first checkpoint — start it again)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, TensorData> tensors = Safetensors.readWithMetadata(resume(), meta);
        String s = meta.get("train_state");
        if (s == null) {
            throw new SamtuneException(resume() + ": metadata field train_state missing (not a samtune resume "
                    + "checkpoint)");
        }
        TrainState state;
        try {
            state = JSON.readValue(s, TrainState.class);
        } catch (Exception e) {
            throw new SamtuneException(resume() + ": metadata field train_state is not readable: " + e.getMessage());
        }
        return new Resumed(resume(), state, tensors);
    }

    /** Puts a resume checkpoint's tensors into the model and the optimiser. */
    public static void restore(Resumed r, Module sam, Optimizer optimizer) {
        Map<String, TensorData> model = new LinkedHashMap<>();
        Map<String, TensorData> optim = new LinkedHashMap<>();
        r.tensors().forEach((k, v) -> {
            if (k.startsWith("model/")) {
                model.put(k.substring(6), v);
            } else if (k.startsWith("optimizer/")) {
                optim.put(k.substring(10), v);
            }
        });
        var report = sam.loadStateDict(new StateDict(model, r.file().toString()), false);
        if (!report.unexpected().isEmpty() || !report.mismatched().isEmpty()) {
            throw new SamtuneException(r.file() + ": does not fit this run's model: " + report.describe(5));
        }
        optimizer.loadStateDict(new StateDict(optim, r.file().toString()));
    }

    /** Tuned weights read back: the file, its tensors and its metadata. */
    public record Tuned(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        /** Refuses a base checkpoint whose hash differs from the one the run trained from. */
        public void checkBase(Path base, String baseSha256) {
            String recorded = metadata.getOrDefault("base_sha256", "");
            if (base != null && !recorded.isEmpty() && !recorded.equals(baseSha256)) {
                throw new SamtuneException(base + ": SHA-256 " + baseSha256 + " differs from the " + recorded
                        + " this run was trained from (" + metadata.get("base_checkpoint") + ")");
            }
        }

        /**
         * Loads the tensors into a model built from the run's config, refusing any that do not fit; a SAM at
         * another input size ({@code --image-size}) gets them converted ({@link PositionResize}).
         */
        public void loadInto(Module model) {
            StateDict tuned = new StateDict(tensors, file.toString());
            if (model instanceof Sam sam && sam.config.vit() != null) {
                tuned = PositionResize.fit(tuned, sam.config.vit());
            }
            var report = model.loadStateDict(tuned, false);
            if (!report.unexpected().isEmpty() || !report.mismatched().isEmpty()) {
                throw new SamtuneException(file + ": does not fit the model the run's config describes: "
                        + report.describe(5));
            }
        }
    }

    /** @param which "best" or "last" */
    public Tuned readWeights(String which) {
        if (!"best".equals(which) && !"last".equals(which)) {
            throw new SamtuneException("--weights: expected best or last, got '" + which + "'");
        }
        Path file = dir.resolve(which + ".safetensors");
        if (!Files.isRegularFile(file)) {
            throw new SamtuneException(runDir + ": no " + DIR + "/" + which
                    + ".safetensors (expected best or last; has the run validated yet?)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, TensorData> tensors = Safetensors.readWithMetadata(file, meta);
        return new Tuned(file, tensors, meta);
    }
}
