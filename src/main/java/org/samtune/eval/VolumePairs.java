package org.samtune.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.samtune.SamtuneException;
import org.samtune.data.prepare.CanonicalOrientation;
import org.samtune.data.prepare.ClassMap;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;

/**
 * {@code eval --pred/--truth}: pairs of NIfTI label volumes read, the prediction put on the truth's grid (a
 * different voxel order of the same grid is accepted; anything else refused), and every class scored.
 */
public final class VolumePairs {
    private VolumePairs() {}

    /**
     * @param classes  the classes, or null for one class per non-zero value found in the truths and predictions
     * @param names    names of label values (e.g. AAL's aal.nii.txt) for classes still named by their value
     * @param warnings one line per class empty in a prediction or truth
     */
    public static MetricsTable evaluate(List<Path> preds, List<Path> truths, ClassMap classes,
            java.util.Map<Integer, String> names, MetricOptions options, SliceAxis perSliceAxis,
            Consumer<String> warnings) {
        if (preds.isEmpty() || preds.size() != truths.size()) {
            throw new SamtuneException("eval: expected as many --pred as --truth volumes (at least one pair), got "
                    + preds.size() + " --pred and " + truths.size() + " --truth");
        }
        List<VolumeEvaluator.Case> cases = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int c = 0; c < preds.size(); c++) {
            Path predFile = preds.get(c);
            Path truthFile = truths.get(c);
            Volume pv = Nifti.read(predFile);
            Volume tv = Nifti.read(truthFile);
            Volume onTruthGrid = CanonicalOrientation.onGridOf(pv, tv).orElseThrow(() -> new SamtuneException(
                    "eval: " + predFile + " (" + describe(pv) + ") and " + truthFile + " (" + describe(tv)
                    + ") are not on the same voxel grid; resample the prediction first"));
            cases.add(new VolumeEvaluator.Case(caseId(truthFile, ids), onTruthGrid, tv));
        }
        ClassMap map = classes != null ? classes
                : ClassMap.fromValues(cases.stream().flatMap(k -> Stream.of(k.truth().data(),
                        k.pred().data())).toArray(float[][]::new));
        if (names != null && !names.isEmpty()) {
            map = map.withNames(names);
        }
        return VolumeEvaluator.evaluate(cases, map, options, perSliceAxis, warnings);
    }

    /** Sizes, spacing, orientation and origin of a volume, for a grid mismatch message. */
    public static String describe(Volume v) {
        double[] s = v.spacingMm();
        return String.format(Locale.ROOT, "%d×%d×%d voxels, spacing %.4g×%.4g×%.4g mm, %s", v.nx(), v.ny(), v.nz(),
                s[0], s[1], s[2], v.affine().orientation()) + ", origin " + String.format(Locale.ROOT,
                "(%.4g, %.4g, %.4g)", v.affine().get(0, 3), v.affine().get(1, 3), v.affine().get(2, 3));
    }

    /** The file name without .nii/.nii.gz, made unique with a numeric suffix. */
    public static String caseId(Path file, Set<String> taken) {
        String name = file.getFileName().toString().replaceFirst("(?i)(\\.nii\\.gz|\\.nii|\\.gz)$", "");
        String id = name;
        for (int k = 2; !taken.add(id); k++) {
            id = name + "_" + k;
        }
        return id;
    }
}
