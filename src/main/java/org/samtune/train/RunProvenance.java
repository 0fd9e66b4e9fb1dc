package org.samtune.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.data.SegmentationCsv;
import org.samtune.data.SliceRef;
import org.samtune.io.Provenance;

/**
 * The inputs of a fine-tuning run for its {@code provenance.yaml}: the base checkpoint, the training and
 * validation lists with every image and mask they name, and the {@code dataset.yaml} that prepare wrote beside the
 * training list. One call when a run starts or resumes.
 */
public final class RunProvenance {
    private RunProvenance() {}

    /** Writes {@code run/provenance.yaml}: a new file for a new run, one more entry for a resumed one. */
    public static void record(RunFolder run, boolean resumed) {
        Provenance.capture(inputs(run.config())).write(run.dir(), resumed);
    }

    static List<Provenance.Input> inputs(TrainConfig c) {
        List<Provenance.Input> in = new ArrayList<>();
        if (!blank(c.checkpoint())) {
            in.add(Provenance.Input.file("base_checkpoint", Path.of(c.checkpoint())));
        }
        in.add(list("train_list", c.trainList(), c));
        if (!blank(c.valList())) {
            in.add(list("val_list", c.valList(), c));
        }
        Path dataset = Path.of(c.trainList()).toAbsolutePath().resolveSibling("dataset.yaml");
        if (Files.isRegularFile(dataset)) {
            in.add(Provenance.Input.file("dataset", dataset));
        }
        return in;
    }

    private static Provenance.Input list(String role, String list, TrainConfig c) {
        Path csv = Path.of(list);
        Path home = csv.toAbsolutePath().normalize().getParent();
        Map<String, Path> named = new LinkedHashMap<>();
        for (SliceRef r : SegmentationCsv.read(csv, Path.of(c.imageFolder()), Path.of(c.maskFolder()))) {
            for (Path f : List.of(r.image(), r.mask())) {
                Path abs = f.toAbsolutePath().normalize();
                named.put(abs.startsWith(home) ? home.relativize(abs).toString() : abs.toString(), abs);
            }
        }
        return Provenance.Input.list(role, csv, named);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
