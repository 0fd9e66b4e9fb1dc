package org.samtune.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.samtune.SamtuneException;

/**
 * The few-shot draw used by {@code prepare --shots} and {@code train --shots}: K labelled slices from a training
 * list, spread over its cases. A slice's case is its image file name without the extension and the trailing slice
 * number ({@code prepare}'s {@code <case>_<axis>_<index>.png} → {@code <case>_<axis>}; {@code case07_slice012.png}
 * → {@code case07_slice}). The cases are shuffled, each case's slices are shuffled, and slices are taken one per
 * case in turn until K are drawn, so K ≥ the number of cases covers every case. One seed gives one draw.
 */
public final class FewShot {
    private FewShot() {}

    /** The case a slice belongs to, from its image path. */
    public static String caseOf(String imagePath) {
        String name = imagePath.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        String stripped = name.replaceFirst("[_\\-. ]?\\d+$", "");
        return stripped.isEmpty() ? name : stripped;
    }

    /**
     * Indices (increasing) of {@code k} of the slices whose image paths are given.
     *
     * @param source names the list in the error message
     */
    public static int[] draw(List<String> imagePaths, int k, long seed, String source) {
        if (k < 1 || k > imagePaths.size()) {
            throw new SamtuneException("--shots: expected 1.." + imagePaths.size() + " (the slices in " + source
                    + "), got " + k);
        }
        Map<String, List<Integer>> byCase = new LinkedHashMap<>();
        for (int i = 0; i < imagePaths.size(); i++) {
            byCase.computeIfAbsent(caseOf(imagePaths.get(i)), c -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        List<List<Integer>> cases = new ArrayList<>(byCase.values());
        Collections.shuffle(cases, rng);
        for (List<Integer> c : cases) {
            Collections.shuffle(c, rng);
        }
        int[] out = new int[k];
        int n = 0;
        for (int round = 0; n < k; round++) {
            for (List<Integer> c : cases) {
                if (round < c.size() && n < k) {
                    out[n++] = c.get(round);
                }
            }
        }
        Arrays.sort(out);
        return out;
    }
}
