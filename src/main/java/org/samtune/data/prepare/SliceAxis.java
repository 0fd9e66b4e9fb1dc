package org.samtune.data.prepare;

import java.util.Locale;
import org.samtune.SamtuneException;

/**
 * The axis a volume is cut along, on the voxel grid reoriented to RAS (see {@link CanonicalOrientation}):
 * sagittal slices fix i (left–right), coronal slices fix j (posterior–anterior), axial slices fix k
 * (inferior–superior).
 */
public enum SliceAxis {
    SAGITTAL(0),
    CORONAL(1),
    AXIAL(2);

    /** The canonical (RAS) voxel axis that is fixed within one slice. */
    public final int fixedAxis;

    SliceAxis(int fixedAxis) {
        this.fixedAxis = fixedAxis;
    }

    /** The canonical axis along image columns (left → right in the PNG). */
    public int columnAxis() {
        return fixedAxis == 0 ? 1 : 0;
    }

    /** The canonical axis along image rows, drawn bottom → top (anterior or superior up). */
    public int rowAxis() {
        return fixedAxis == 2 ? 1 : 2;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SliceAxis parse(String text) {
        for (SliceAxis a : values()) {
            if (a.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new SamtuneException("--axis: expected axial, coronal or sagittal, got '" + text + "'");
    }
}
