package org.samtune.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.samtune.data.prepare.ClassMap;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.Volume;

/**
 * Scores label volumes per class: whole volumes with 3-D surfaces and the voxel spacing, and optionally every
 * slice along an anatomical axis (2-D surfaces, in-plane spacing) that holds a class in the prediction or truth.
 */
public final class VolumeEvaluator {
    private VolumeEvaluator() {}

    /** One case: a name and its prediction and ground truth, already on one grid. */
    public record Case(String id, Volume pred, Volume truth) {
        public Case {
            if (!pred.sameGrid(truth)) {
                throw new IllegalArgumentException(id + ": prediction and truth are on different grids");
            }
        }
    }

    /**
     * @param perSliceAxis null for whole volumes only
     * @param warnings receives one line per class that is empty in the prediction and/or the truth of a case
     */
    public static MetricsTable evaluate(List<Case> cases, ClassMap classes, MetricOptions options,
            SliceAxis perSliceAxis, Consumer<String> warnings) {
        MetricsTable table = new MetricsTable();
        for (Case c : cases) {
            Volume tv = c.truth();
            byte[] pc = classes.apply(c.pred().data());
            byte[] tc = classes.apply(tv.data());
            int[] size = {tv.nx(), tv.ny(), tv.nz()};
            List<ClassMetrics> m = ClassEvaluator.evaluate(pc, tc, classes.size(), size, tv.spacingMm(), options);
            table.addAll(c.id(), MetricsTable.VOLUME, classes.names(), m);
            for (int k = 0; k < m.size(); k++) {
                String w = emptyWarning(c.id(), classes.names().get(k), m.get(k));
                if (w != null) {
                    warnings.accept(w);
                }
            }
            if (perSliceAxis != null) {
                addSlices(table, c.id(), tv, pc, tc, classes, options, perSliceAxis);
            }
        }
        return table;
    }

    private static void addSlices(MetricsTable table, String id, Volume grid, byte[] pc, byte[] tc,
            ClassMap classes, MetricOptions options, SliceAxis axis) {
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

    /** MONAI warns when a class is all 0 on one side; so does samtune, with what it means for the numbers. */
    static String emptyWarning(String id, String cls, ClassMetrics m) {
        if (m.truthVoxels() == 0 && m.predVoxels() == 0) {
            return id + ": class " + cls + " is absent from prediction and ground truth; its metrics are undefined"
                    + " (nan)";
        }
        if (m.truthVoxels() == 0) {
            return id + ": class " + cls + " is absent from the ground truth but predicted; HD95/ASSD are inf, NSD 0";
        }
        if (m.predVoxels() == 0) {
            return id + ": class " + cls + " is missing from the prediction; HD95/ASSD are inf";
        }
        return null;
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
