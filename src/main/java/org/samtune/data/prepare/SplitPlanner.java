package org.samtune.data.prepare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.samtune.SamtuneException;

/**
 * Splits slices into train/val/test without leakage between neighbouring slices: whole cases go to one split when
 * there are enough cases, otherwise each case is cut into contiguous slabs (train, then val, then test along the
 * slice axis), optionally with a gap of dropped slices between slabs.
 */
public final class SplitPlanner {
    private SplitPlanner() {}

    /** Fractions for train, val, test; parsed from {@code 70,15,15} (any positive total, normalised). */
    public record Fractions(double train, double val, double test) {
        public Fractions {
            if (!(train >= 0 && val >= 0 && test >= 0) || !(train + val + test > 0)
                    || Double.isInfinite(train + val + test)) {
                throw new SamtuneException("--split: expected three non-negative numbers with a positive sum, got "
                        + train + "," + val + "," + test);
            }
        }

        public static Fractions parse(String text) {
            String[] p = text.split(",");
            if (p.length != 3) {
                throw new SamtuneException("--split: expected TRAIN,VAL,TEST (e.g. 70,15,15), got '" + text + "'");
            }
            try {
                return new Fractions(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()),
                        Double.parseDouble(p[2].trim()));
            } catch (NumberFormatException e) {
                throw new SamtuneException("--split: expected three numbers (e.g. 70,15,15), got '" + text + "'");
            }
        }

        double[] normalised() {
            double s = train + val + test;
            return new double[] {train / s, val / s, test / s};
        }

        int nonZeroParts() {
            return (train > 0 ? 1 : 0) + (val > 0 ? 1 : 0) + (test > 0 ? 1 : 0);
        }
    }

    /** True when every non-empty split can hold at least one whole case. */
    public static boolean splitsWholeCases(int caseCount, Fractions f) {
        return caseCount > 1 && caseCount >= f.nonZeroParts();
    }

    /** Whole cases: shuffled with {@code seed}, then counted out train, val, test by {@link #counts}. */
    public static Map<Split, List<Integer>> byCase(int caseCount, Fractions f, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < caseCount; c++) {
            order.add(c);
        }
        Collections.shuffle(order, new Random(seed));
        int[] n = counts(caseCount, f);
        Map<Split, List<Integer>> out = new EnumMap<>(Split.class);
        int at = 0;
        for (Split s : Split.values()) {
            List<Integer> part = new ArrayList<>(order.subList(at, at + n[s.ordinal()]));
            Collections.sort(part);
            out.put(s, part);
            at += n[s.ordinal()];
        }
        return out;
    }

    /**
     * Contiguous slabs of the (increasing) slice indices: the first ones to train, then val, then test, with
     * {@code gap} slices left out between two non-empty slabs so that no two neighbouring slices sit in different
     * splits (when gap ≥ 1).
     */
    public static Map<Split, int[]> slabs(int[] sliceIndices, Fractions f, int gap) {
        if (gap < 0) {
            throw new SamtuneException("--gap: expected a number of slices >= 0, got " + gap);
        }
        int parts = f.nonZeroParts();
        int usable = sliceIndices.length - gap * (parts - 1);
        if (usable < parts) {
            throw new SamtuneException("--split: " + sliceIndices.length + " slices cannot make " + parts
                    + " non-empty splits with --gap " + gap);
        }
        int[] n = counts(usable, f);
        Map<Split, int[]> out = new EnumMap<>(Split.class);
        int at = 0;
        boolean first = true;
        for (Split s : Split.values()) {
            int k = n[s.ordinal()];
            if (k > 0 && !first) {
                at += gap;
            }
            out.put(s, Arrays.copyOfRange(sliceIndices, at, at + k));
            at += k;
            first &= k == 0;
        }
        return out;
    }

    /**
     * Consecutive blocks of {@code blockSize} slices dealt out to the splits in proportion (each block goes to the
     * split furthest behind its share), so every split samples the whole extent of the case — a structure that
     * lives at one end is not missing from val or test, as it can be with three slabs — while neighbouring slices
     * stay together inside a block. {@code gap} slices are dropped at the start of a block that follows a block of
     * another split. {@code blockSize} 0 means three slabs ({@link #slabs}).
     */
    public static Map<Split, int[]> blocks(int[] sliceIndices, Fractions f, int blockSize, int gap) {
        if (blockSize <= 0) {
            return slabs(sliceIndices, f, gap);
        }
        if (gap < 0 || gap >= blockSize) {
            throw new SamtuneException("--gap: expected 0.." + (blockSize - 1) + " slices for blocks of " + blockSize
                    + ", got " + gap);
        }
        double[] w = f.normalised();
        int blocks = (sliceIndices.length + blockSize - 1) / blockSize;
        if (blocks < f.nonZeroParts()) {
            throw new SamtuneException("--block: " + sliceIndices.length + " slices in blocks of " + blockSize
                    + " make " + blocks + " blocks, fewer than the " + f.nonZeroParts() + " non-empty splits");
        }
        int[] assigned = new int[3];
        Map<Split, List<Integer>> lists = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            lists.put(s, new ArrayList<>());
        }
        int previous = -1;
        for (int b = 0; b < blocks; b++) {
            int best = -1;
            double bestDeficit = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < 3; s++) {
                if (w[s] <= 0) {
                    continue;
                }
                // Splits never served yet go first once their share of blocks reaches one half.
                double deficit = w[s] * (b + 1) - assigned[s] + (assigned[s] == 0 && w[s] * blocks >= 0.5 ? 1 : 0);
                if (deficit > bestDeficit) {
                    best = s;
                    bestDeficit = deficit;
                }
            }
            assigned[best]++;
            int from = b * blockSize + (previous >= 0 && previous != best ? gap : 0);
            for (int i = from; i < Math.min(sliceIndices.length, (b + 1) * blockSize); i++) {
                lists.get(Split.values()[best]).add(sliceIndices[i]);
            }
            previous = best;
        }
        Map<Split, int[]> out = new EnumMap<>(Split.class);
        lists.forEach((k, v) -> out.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    /**
     * Largest-remainder rounding of {@code total · fraction}, with at least one item for each non-zero fraction
     * (taken from the largest part) so a requested split is never silently empty.
     */
    static int[] counts(int total, Fractions f) {
        double[] w = f.normalised();
        int[] n = new int[3];
        double[] rem = new double[3];
        int used = 0;
        for (int i = 0; i < 3; i++) {
            double exact = total * w[i];
            n[i] = (int) Math.floor(exact);
            rem[i] = exact - n[i];
            used += n[i];
        }
        while (used < total) {
            int best = 0;
            for (int i = 1; i < 3; i++) {
                if (rem[i] > rem[best]) {
                    best = i;
                }
            }
            n[best]++;
            rem[best] = -1;
            used++;
        }
        for (int i = 0; i < 3; i++) {
            if (w[i] > 0 && n[i] == 0) {
                int largest = 0;
                for (int j = 1; j < 3; j++) {
                    if (n[j] > n[largest]) {
                        largest = j;
                    }
                }
                if (n[largest] > 1) {
                    n[largest]--;
                    n[i]++;
                }
            }
        }
        return n;
    }
}
