package org.samtune.model.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened when a state dict was loaded into a module: keys the module has but the checkpoint lacks, keys the
 * checkpoint has but the module lacks, and keys present in both with different shapes (those are not loaded).
 */
public record LoadReport(String source, int loaded, List<String> missing, List<String> unexpected,
                         List<Mismatch> mismatched) {

    /** A key found in both with different shapes. */
    public record Mismatch(String key, long[] expected, long[] found) {
        @Override
        public String toString() {
            return key + ": model " + java.util.Arrays.toString(expected) + ", checkpoint "
                    + java.util.Arrays.toString(found);
        }
    }

    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** A readable report, several lines, listing at most {@code limit} keys per kind. */
    public String describe(int limit) {
        List<String> lines = new ArrayList<>();
        lines.add(source + ": " + loaded + " tensors loaded, " + missing.size() + " missing, " + unexpected.size()
                + " unexpected, " + mismatched.size() + " with another shape");
        section(lines, "missing (in the model, not in the checkpoint)", missing, limit);
        section(lines, "unexpected (in the checkpoint, not in the model)", unexpected, limit);
        section(lines, "shape mismatch (not loaded)", mismatched.stream().map(Mismatch::toString).toList(), limit);
        return String.join(System.lineSeparator(), lines);
    }

    private static void section(List<String> lines, String title, List<String> keys, int limit) {
        if (keys.isEmpty()) {
            return;
        }
        lines.add("  " + title + ":");
        for (int i = 0; i < Math.min(limit, keys.size()); i++) {
            lines.add("    " + keys.get(i));
        }
        if (keys.size() > limit) {
            lines.add("    ... and " + (keys.size() - limit) + " more");
        }
    }
}
