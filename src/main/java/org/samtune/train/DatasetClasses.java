package org.samtune.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;

/**
 * The classes a dataset declares in the {@code dataset.yaml} that {@code samtune prepare} writes beside its lists
 * ({@code classes: [{index: 0, name: background}, {index: 1, name: ...}, ...]}; masks hold the class index), and how
 * they settle {@code --num-classes}, {@code --targets} and the class names of a run.
 *
 * @param file  the dataset.yaml read
 * @param names one name per class index, background first
 */
public record DatasetClasses(Path file, List<String> names) {
    public static final String FILE = "dataset.yaml";

    public DatasetClasses {
        names = List.copyOf(names);
    }

    /** The dataset.yaml beside {@code list}, if there is one. */
    public static DatasetClasses besideList(Path list) {
        Path parent = list.toAbsolutePath().getParent();
        Path yaml = parent == null ? null : parent.resolve(FILE);
        return yaml != null && Files.isRegularFile(yaml) ? read(yaml) : null;
    }

    /** Reads the classes of a dataset.yaml; every index 0..K-1 once, background at 0. */
    public static DatasetClasses read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new SamtuneException(file + ": not a readable dataset description: "
                    + e.getMessage().split("\n")[0], e);
        }
        JsonNode classes = root == null ? null : root.get("classes");
        if (classes == null || !classes.isArray() || classes.size() < 2 || classes.size() > 255) {
            throw new SamtuneException(file + ": field classes: expected a list of 2..255 entries {index, name} "
                    + "(background at index 0)");
        }
        String[] names = new String[classes.size()];
        for (JsonNode c : classes) {
            JsonNode index = c.get("index");
            JsonNode name = c.get("name");
            if (index == null || !index.canConvertToInt() || index.asInt() < 0 || index.asInt() >= names.length
                    || name == null || !name.isTextual() || name.asText().isBlank()) {
                throw new SamtuneException(file + ": field classes: expected entries {index: 0.." + (names.length - 1)
                        + ", name: text}, got " + c);
            }
            if (names[index.asInt()] != null) {
                throw new SamtuneException(file + ": field classes: index " + index.asInt() + " appears twice");
            }
            names[index.asInt()] = name.asText().strip();
        }
        return new DatasetClasses(file, List.of(names));
    }

    /** What a run trains: channels, how masks become targets, and a name per channel. */
    public record Resolved(int numClasses, TargetMode targets, List<String> names) {}

    /**
     * Settles classes, target mode and names from the data and what the user asked for.
     *
     * @param dataset    the dataset's declaration, or null when the lists have none
     * @param numClasses {@code --num-classes}, or null when not given
     * @param targets    {@code --targets}, or null when not given
     * @throws SamtuneException naming both sides when the flags contradict the data or each other
     */
    public static Resolved resolve(DatasetClasses dataset, Integer numClasses, TargetMode targets) {
        if (targets == TargetMode.COMBINE_ALL && numClasses != null && numClasses != 2) {
            throw new SamtuneException("--num-classes " + numClasses + " contradicts --targets combine_all, which "
                    + "trains the union of all structures as one foreground class (2 classes); use --targets "
                    + "multi_all for one channel per structure");
        }
        if (dataset == null) {
            if (targets == TargetMode.COMBINE_ALL || (targets == null && (numClasses == null || numClasses == 2))) {
                return new Resolved(2, TargetMode.COMBINE_ALL, List.of("background", "foreground"));
            }
            int n = numClasses != null ? numClasses : 2;
            return new Resolved(n, TargetMode.MULTI_ALL, TrainConfig.genericClassNames(n));
        }
        List<String> names = dataset.names();
        if (targets == TargetMode.COMBINE_ALL) {
            return new Resolved(2, TargetMode.COMBINE_ALL,
                    List.of(names.get(0), String.join("+", names.subList(1, names.size()))));
        }
        if (numClasses != null && numClasses != names.size()) {
            throw new SamtuneException("--num-classes " + numClasses + " contradicts " + dataset.file()
                    + ", which declares " + names.size() + " classes (" + String.join(", ", names)
                    + "): leave --num-classes out, or use --targets combine_all for one foreground class");
        }
        return new Resolved(names.size(), names.size() == 2 && targets == null ? TargetMode.COMBINE_ALL
                : TargetMode.MULTI_ALL, names);
    }
}
