package org.samtune.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.samtune.SamtuneException;

/**
 * The output folder of {@code samtune prepare}. A dataset is its lists and the PNGs they name, so a new dataset
 * written over an old one would leave the old slices that no list names beside the new ones: a folder that is not
 * empty is refused, unless the user asks to overwrite, and then only the files prepare writes are deleted.
 *
 * <p>Prepare's files are {@code dataset.yaml}, {@code summary.txt}, the lists ({@code train.csv}, {@code val.csv},
 * {@code test.csv}, {@code train_<K>shot.csv}), the slices {@code images/<case>_<axis>_<NNN>.png} and
 * {@code masks/<case>_<axis>_<NNN>.png}, and the hidden temporary files of an interrupted write. Anything else is
 * left where it is and reported. Symbolic links are never followed or deleted.
 */
public final class DatasetFolder {
    static final String YAML = "dataset.yaml";
    private static final Pattern TOP = Pattern.compile(
            "dataset\\.yaml|summary\\.txt|train\\.csv|val\\.csv|test\\.csv|train_\\d+shot\\.csv|\\..+\\.tmp");
    private static final Pattern SLICE = Pattern.compile(".+_(axial|coronal|sagittal)_\\d{3,}\\.png|\\..+\\.tmp");
    private static final List<String> SLICE_FOLDERS = List.of("images", "masks");

    private DatasetFolder() {}

    /**
     * Makes {@code out} ready for a new dataset: a missing or empty folder is fine; a folder with files is refused
     * unless {@code overwrite}, which deletes prepare's files (see the class comment) and returns what it left.
     * A folder that has no {@code dataset.yaml} and holds files prepare does not write is refused even then: it
     * is not a dataset folder.
     */
    public static List<Path> claim(Path out, boolean overwrite) {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        if (!Files.isDirectory(out)) {
            throw new SamtuneException("--out " + out + ": exists and is not a folder");
        }
        List<Path> entries = list(out);
        if (entries.isEmpty()) {
            return List.of();
        }
        if (!overwrite) {
            throw new SamtuneException("--out " + out + ": folder is not empty (" + describe(out, entries)
                    + "); choose a new folder, or add --overwrite to replace the dataset a previous prepare wrote");
        }
        List<Path> ours = new ArrayList<>();
        List<Path> foreign = new ArrayList<>();
        for (Path e : entries) {
            String name = e.getFileName().toString();
            if (SLICE_FOLDERS.contains(name) && Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                for (Path f : list(e)) {
                    (isRegular(f) && SLICE.matcher(f.getFileName().toString()).matches() ? ours : foreign).add(f);
                }
            } else {
                (isRegular(e) && TOP.matcher(name).matches() ? ours : foreign).add(e);
            }
        }
        if (!foreign.isEmpty() && !isDataset(out.resolve(YAML))) {
            throw new SamtuneException("--out " + out + ": --overwrite replaces only a dataset written by samtune"
                    + " prepare, and this folder has no dataset.yaml and holds other files ("
                    + describe(out, foreign) + "); remove them yourself or choose a new folder");
        }
        for (Path f : ours) {
            delete(f);
        }
        for (String sub : SLICE_FOLDERS) {
            Path d = out.resolve(sub);
            if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && list(d).isEmpty()) {
                delete(d);
            }
        }
        return foreign;
    }

    private static boolean isDataset(Path yaml) {
        if (!isRegular(yaml)) {
            return false;
        }
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml.toFile());
            return root != null && root.path("format").asText("").startsWith("finetune-sam 2-D slices");
        } catch (IOException | RuntimeException e) {
            return false; // unreadable: not proof that prepare wrote the folder
        }
    }

    private static boolean isRegular(Path p) {
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new SamtuneException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new SamtuneException(p + ": cannot delete for --overwrite: " + e.getMessage(), e);
        }
    }

    private static String describe(Path out, List<Path> entries) {
        StringBuilder sb = new StringBuilder(entries.size() + (entries.size() == 1 ? " entry: " : " entries: "));
        for (int i = 0; i < Math.min(3, entries.size()); i++) {
            sb.append(i > 0 ? ", " : "").append(out.relativize(entries.get(i)));
        }
        return sb.append(entries.size() > 3 ? ", ..." : "").toString();
    }
}
