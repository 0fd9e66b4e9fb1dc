package org.samtune.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;

/**
 * finetune-SAM's dataset list (spec §3.3): one {@code image_rel_path,mask_rel_path} pair per line. A leading
 * {@code /} on the mask path is removed; the paths are resolved against the image and mask folders (an absolute
 * image path stays absolute, as with Python's {@code os.path.join}). Blank lines are skipped and fields trimmed.
 */
public final class SegmentationCsv {
    private SegmentationCsv() {}

    /** Reads the list and checks that every file exists. */
    public static List<SliceRef> read(Path csv, Path imageFolder, Path maskFolder) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(csv + ": cannot read the dataset list: " + e.getMessage(), e);
        }
        List<SliceRef> refs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty()) {
                continue;
            }
            int row = i + 1;
            String[] fields = line.split(",", -1);
            if (fields.length != 2 || fields[0].isBlank() || fields[1].isBlank()) {
                throw new SamtuneException(csv + " row " + row + ": expected 'image_path,mask_path', got '" + line + "'");
            }
            String maskRel = fields[1].strip();
            while (maskRel.startsWith("/")) {
                maskRel = maskRel.substring(1);
            }
            SliceRef ref = new SliceRef(imageFolder.resolve(fields[0].strip()), maskFolder.resolve(maskRel), csv, row);
            requireFile(ref, ref.image(), "image");
            requireFile(ref, ref.mask(), "mask");
            refs.add(ref);
        }
        return refs;
    }

    private static void requireFile(SliceRef ref, Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new SamtuneException(ref.where() + ": " + what + " file " + file + " does not exist");
        }
    }
}
