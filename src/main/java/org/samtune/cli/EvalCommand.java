package org.samtune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.data.CanonicalOrientation;
import org.samtune.data.ClassMap;
import org.samtune.data.SliceAxis;
import org.samtune.data.VolumeSlicer;
import org.samtune.eval.ClassEvaluator;
import org.samtune.eval.ClassMetrics;
import org.samtune.eval.MetricOptions;
import org.samtune.eval.MetricsTable;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code samtune eval}: Dice, IoU, HD95, ASSD and NSD per class, per case (and optionally per slice), with means
 * over cases. Inputs come in groups so other input modes (e.g. a 2-D run on a test list) can be added beside the
 * volume mode.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Compare predicted label volumes with ground truth: Dice, IoU, HD95, ASSD and normalised surface Dice",
            "per class (MONAI's definitions, distances in mm from the voxel spacing). See docs/metrics.md."
        })
public final class EvalCommand implements Callable<Integer> {

    /** Volume mode: pairs of label volumes. */
    static final class VolumeInputs {
        @Option(names = "--pred", paramLabel = "PRED.nii.gz",
                description = "Predicted label volume (NIfTI). Repeat --pred/--truth for several cases.")
        List<Path> pred = new ArrayList<>();

        @Option(names = "--truth", paramLabel = "TRUTH.nii.gz",
                description = "Ground-truth label volume on the same grid, one per --pred, in the same order.")
        List<Path> truth = new ArrayList<>();
    }

    /** How labels become classes and how metrics are computed. */
    static final class MetricSettings {
        @Option(names = "--classes", paramLabel = "MAP",
                description = {"Classes: '1,2,3' (label values) or 'name=v,v;name=v' (named groups of values).",
                    "Default: every non-zero value found."})
        String classes;

        @Option(names = "--nsd-mm", paramLabel = "MM", defaultValue = "2",
                description = "Tolerance of the normalised surface Dice in mm (default: ${DEFAULT-VALUE}).")
        double nsdMm;

        @Option(names = "--count-empty",
                description = {"Score a class absent from the ground truth (MONAI ignore_empty=False):",
                    "Dice/IoU 1 if also absent from the prediction, else 0. Default: NaN, left out of means."})
        boolean countEmpty;

        @Option(names = "--per-slice", paramLabel = "AXIS",
                description = "Also score every axial|coronal|sagittal slice holding a class (2-D metrics).")
        String perSlice;
    }

    /** Where results go. */
    static final class Outputs {
        @Option(names = "--out", paramLabel = "metrics.csv",
                description = "Write one row per case/slice and class; the means go to <name>-means.csv.")
        Path out;
    }

    @ArgGroup(validate = false, heading = "Volume mode%n")
    VolumeInputs volumes = new VolumeInputs();

    @ArgGroup(validate = false, heading = "Classes and metrics%n")
    MetricSettings settings = new MetricSettings();

    @ArgGroup(validate = false, heading = "Output%n")
    Outputs outputs = new Outputs();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (volumes.pred.isEmpty() || volumes.pred.size() != volumes.truth.size()) {
            throw new SamtuneException("eval: expected as many --pred as --truth volumes (at least one pair), got "
                    + volumes.pred.size() + " --pred and " + volumes.truth.size() + " --truth");
        }
        MetricOptions options = MetricOptions.DEFAULT.withNsdToleranceMm(settings.nsdMm)
                .withIgnoreEmpty(!settings.countEmpty);
        SliceAxis axis = settings.perSlice == null ? null : SliceAxis.parse(settings.perSlice);
        MetricsTable table = evaluateVolumes(volumes.pred, volumes.truth, settings.classes, options, axis, err);
        out.print(table.summary());
        if (outputs.out != null) {
            table.writeCsv(outputs.out);
            Path means = meansPath(outputs.out);
            table.writeMeansCsv(means);
            out.println("wrote " + outputs.out + " and " + means);
        }
        out.flush();
        return 0;
    }

    /** Reads each pair, checks the grids, and scores every class per case (and per slice along {@code axis}). */
    static MetricsTable evaluateVolumes(
            List<Path> preds, List<Path> truths, String classesText, MetricOptions options, SliceAxis axis,
            PrintWriter warnings) {
        List<Volume> p = new ArrayList<>();
        List<Volume> t = new ArrayList<>();
        for (int c = 0; c < preds.size(); c++) {
            Path predFile = preds.get(c);
            Path truthFile = truths.get(c);
            Volume pv = Nifti.read(predFile);
            Volume tv = Nifti.read(truthFile);
            Volume onTruthGrid = CanonicalOrientation.onGridOf(pv, tv).orElseThrow(() -> new SamtuneException(
                    "eval: " + predFile + " (" + describe(pv) + ") and " + truthFile + " (" + describe(tv)
                    + ") are not on the same voxel grid; resample the prediction first"));
            p.add(onTruthGrid);
            t.add(tv);
        }
        ClassMap classes;
        if (classesText != null) {
            classes = ClassMap.parse(classesText);
        } else {
            List<float[]> all = new ArrayList<>();
            t.forEach(v -> all.add(v.data()));
            p.forEach(v -> all.add(v.data()));
            classes = ClassMap.fromValues(all.toArray(float[][]::new));
        }
        MetricsTable table = new MetricsTable();
        Set<String> ids = new HashSet<>();
        for (int c = 0; c < p.size(); c++) {
            String id = caseId(truths.get(c), ids);
            Volume tv = t.get(c);
            byte[] pc = classes.apply(p.get(c).data());
            byte[] tc = classes.apply(tv.data());
            int[] size = {tv.nx(), tv.ny(), tv.nz()};
            List<ClassMetrics> m = ClassEvaluator.evaluate(pc, tc, classes.size(), size, tv.spacingMm(), options);
            table.addAll(id, MetricsTable.VOLUME, classes.names(), m);
            for (int k = 0; k < m.size(); k++) {
                warnIfEmpty(warnings, id, classes.names().get(k), m.get(k));
            }
            if (axis != null) {
                addSlices(table, id, tv, pc, tc, classes, options, axis);
            }
        }
        warnings.flush();
        return table;
    }

    private static void addSlices(MetricsTable table, String id, Volume grid, byte[] pc, byte[] tc, ClassMap classes,
            MetricOptions options, SliceAxis axis) {
        VolumeSlicer slicer = new VolumeSlicer(grid, axis);
        float[] pf = toFloat(pc);
        float[] tf = toFloat(tc);
        int[] size = {slicer.width(), slicer.height()};
        for (int s = 0; s < slicer.sliceCount(); s++) {
            byte[] ps = toBytes(slicer.slice(pf, s));
            byte[] ts = toBytes(slicer.slice(tf, s));
            if (isEmpty(ps) && isEmpty(ts)) {
                continue;
            }
            table.addAll(id, s, classes.names(),
                    ClassEvaluator.evaluate(ps, ts, classes.size(), size, slicer.pixelSpacingMm(), options));
        }
    }

    private static void warnIfEmpty(PrintWriter err, String id, String cls, ClassMetrics m) {
        if (m.truthVoxels() == 0 && m.predVoxels() == 0) {
            err.println("warning: " + id + ": class " + cls + " is absent from prediction and ground truth; its "
                    + "metrics are undefined (nan)");
        } else if (m.truthVoxels() == 0) {
            err.println("warning: " + id + ": class " + cls + " is absent from the ground truth but predicted; "
                    + "HD95/ASSD are inf, NSD 0");
        } else if (m.predVoxels() == 0) {
            err.println("warning: " + id + ": class " + cls + " is missing from the prediction; HD95/ASSD are inf");
        }
    }

    static String describe(Volume v) {
        double[] s = v.spacingMm();
        return String.format(Locale.ROOT, "%d×%d×%d voxels, spacing %.4g×%.4g×%.4g mm, %s", v.nx(), v.ny(), v.nz(),
                s[0], s[1], s[2], v.affine().orientation()) + ", origin " + String.format(Locale.ROOT,
                "(%.4g, %.4g, %.4g)", v.affine().get(0, 3), v.affine().get(1, 3), v.affine().get(2, 3));
    }

    /** The file name without .nii/.nii.gz, made unique with a numeric suffix. */
    static String caseId(Path file, Set<String> taken) {
        String name = file.getFileName().toString().replaceFirst("(?i)(\\.nii\\.gz|\\.nii|\\.gz)$", "");
        String id = name;
        for (int k = 2; !taken.add(id); k++) {
            id = name + "_" + k;
        }
        return id;
    }

    static Path meansPath(Path out) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return out.resolveSibling(stem + "-means.csv");
    }

    private static float[] toFloat(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = Byte.toUnsignedInt(b[i]);
        }
        return f;
    }

    private static byte[] toBytes(float[] f) {
        byte[] b = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = (byte) (int) f[i];
        }
        return b;
    }

    private static boolean isEmpty(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
