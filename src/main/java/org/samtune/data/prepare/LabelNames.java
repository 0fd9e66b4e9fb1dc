package org.samtune.data.prepare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.samtune.SamtuneException;

/**
 * Names of label values from a text file of lines {@code index name [more columns]}, as AAL's {@code aal.nii.txt}
 * ({@code 37 Hippocampus_L 4101}). Blank lines and lines starting with {@code #} are skipped.
 */
public final class LabelNames {
    private static final long MAX_BYTES = 16L << 20;

    private LabelNames() {}

    public static Map<Integer, String> read(Path file) {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new SamtuneException(file + ": a label-name list is at most 16 MiB, this file is larger");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read label names: " + e.getMessage(), e);
        }
        Map<Integer, String> names = new TreeMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            try {
                if (f.length < 2) {
                    throw new NumberFormatException();
                }
                names.put(Integer.parseInt(f[0]), f[1]);
            } catch (NumberFormatException e) {
                throw new SamtuneException(file + ": line " + (n + 1) + ": expected 'index name', got '" + line
                        + "'");
            }
        }
        return names;
    }
}
