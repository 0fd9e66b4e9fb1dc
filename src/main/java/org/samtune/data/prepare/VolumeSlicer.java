package org.samtune.data.prepare;

import java.util.Arrays;
import org.samtune.SamtuneException;
import org.samtune.io.Volume;

/**
 * Cuts a volume into 2-D slices along an anatomical axis and stacks 2-D label maps back into a label volume on
 * the volume's exact grid and header.
 *
 * <p>Slices are taken on the RAS-reoriented grid ({@link CanonicalOrientation}), so "axial" is axial whatever the
 * file's voxel order. In a slice, columns run along {@link SliceAxis#columnAxis()} (towards R for axial and
 * coronal, towards A for sagittal) and rows run top → bottom from anterior (axial) or superior (coronal,
 * sagittal): the usual neurological display. Slice index s is the canonical coordinate along the fixed axis.
 */
public final class VolumeSlicer {
    private final Volume reference;
    private final SliceAxis axis;
    private final CanonicalOrientation orientation;
    private final int[] canonicalSize;

    public VolumeSlicer(Volume reference, SliceAxis axis) {
        this.reference = reference;
        this.axis = axis;
        this.orientation = CanonicalOrientation.of(reference.affine(), reference.nx(), reference.ny(),
                reference.nz());
        this.canonicalSize = orientation.size();
    }

    public SliceAxis axis() {
        return axis;
    }

    public CanonicalOrientation orientation() {
        return orientation;
    }

    public int sliceCount() {
        return canonicalSize[axis.fixedAxis];
    }

    public int width() {
        return canonicalSize[axis.columnAxis()];
    }

    public int height() {
        return canonicalSize[axis.rowAxis()];
    }

    /** Pixel spacing (mm) along columns and rows: the spacing of a 2-D slice for surface metrics. */
    public double[] pixelSpacingMm() {
        double[] s = reference.spacingMm();
        return new double[] {
            s[orientation.sourceAxis()[axis.columnAxis()]], s[orientation.sourceAxis()[axis.rowAxis()]]
        };
    }

    /** Slice thickness (mm): the spacing along the fixed axis. */
    public double sliceSpacingMm() {
        return reference.spacingMm()[orientation.sourceAxis()[axis.fixedAxis]];
    }

    /** The source voxel axis (0 = i, 1 = j, 2 = k of the file) that slice indices run along. */
    public int sourceAxis() {
        return orientation.sourceAxis()[axis.fixedAxis];
    }

    /** The file's voxel index along {@link #sourceAxis()} of slice {@code s}. */
    public int sourceIndex(int s) {
        return orientation.sourceCoordinate(axis.fixedAxis, s);
    }

    /** Slice {@code s} of {@code volume} (which must be on the reference grid), row-major. */
    public float[] slice(Volume volume, int s) {
        requireSameGrid(volume);
        return slice(volume.data(), s);
    }

    /** Slice {@code s} of voxel data in the reference's source order, row-major. */
    public float[] slice(float[] sourceData, int s) {
        if (s < 0 || s >= sliceCount()) {
            throw new IndexOutOfBoundsException("slice " + s + " of " + sliceCount());
        }
        int w = width();
        int h = height();
        float[] out = new float[w * h];
        int[] a = new int[3];
        a[axis.fixedAxis] = s;
        for (int y = 0; y < h; y++) {
            a[axis.rowAxis()] = h - 1 - y;
            for (int x = 0; x < w; x++) {
                a[axis.columnAxis()] = x;
                out[y * w + x] = sourceData[orientation.sourceIndex(a[0], a[1], a[2])];
            }
        }
        return out;
    }

    /** Writes a row-major label map of slice {@code s} into source-ordered voxel data. */
    private void scatter(int s, int[] labels, float[] target) {
        int w = width();
        int h = height();
        int[] a = new int[3];
        a[axis.fixedAxis] = s;
        for (int y = 0; y < h; y++) {
            a[axis.rowAxis()] = h - 1 - y;
            for (int x = 0; x < w; x++) {
                a[axis.columnAxis()] = x;
                target[orientation.sourceIndex(a[0], a[1], a[2])] = labels[y * w + x];
            }
        }
    }

    /**
     * Stacks one label map per slice (all {@link #sliceCount()} of them, each {@code width·height}, row-major)
     * into a label volume with the reference's exact sizes, affine and header.
     */
    public Volume stack(int[][] sliceLabels) {
        if (sliceLabels.length != sliceCount()) {
            throw new IllegalArgumentException("expected " + sliceCount() + " " + axis.label() + " slices, got "
                    + sliceLabels.length);
        }
        float[] data = new float[reference.data().length];
        for (int s = 0; s < sliceLabels.length; s++) {
            if (sliceLabels[s].length != width() * height()) {
                throw new IllegalArgumentException("slice " + s + " has " + sliceLabels[s].length
                        + " labels, expected " + width() + "×" + height());
            }
            scatter(s, sliceLabels[s], data);
        }
        return reference.withData(data);
    }

    /** Runs {@code segmenter} on every slice of the reference and stacks the results. */
    public Volume segment(SliceSegmenter segmenter) {
        return segment(reference.data(), segmenter);
    }

    /**
     * Runs {@code segmenter} on every slice of {@code voxels} (source order on the reference grid, e.g. the
     * reference mapped to 8 bits by {@link Grey8} as {@code prepare} does) and stacks the results.
     */
    public Volume segment(float[] voxels, SliceSegmenter segmenter) {
        if (voxels.length != reference.data().length) {
            throw new IllegalArgumentException(voxels.length + " voxels for a grid of " + reference.data().length);
        }
        int[][] labels = new int[sliceCount()][];
        for (int s = 0; s < sliceCount(); s++) {
            labels[s] = segmenter.segment(slice(voxels, s), width(), height());
            if (labels[s] == null || labels[s].length != width() * height()) {
                throw new IllegalStateException("segmenter returned " + (labels[s] == null ? "null" : labels[s].length
                        + " labels") + " for a " + width() + "×" + height() + " slice");
            }
        }
        return stack(labels);
    }

    private void requireSameGrid(Volume v) {
        if (!reference.sameGrid(v)) {
            throw new SamtuneException("volume " + v.nx() + "×" + v.ny() + "×" + v.nz() + " " + v.affine()
                    + " is not on the grid of " + reference.nx() + "×" + reference.ny() + "×" + reference.nz()
                    + " " + Arrays.toString(reference.affine().m()));
        }
    }
}
