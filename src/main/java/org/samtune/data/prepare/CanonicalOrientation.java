package org.samtune.data.prepare;

import java.util.Arrays;
import java.util.Optional;
import org.samtune.io.Affine;
import org.samtune.io.Volume;

/**
 * The axis permutation and flips that bring a voxel grid to RAS order (nibabel's {@code as_closest_canonical}):
 * canonical voxel axis r runs along world axis r (0 = towards Right, 1 = Anterior, 2 = Superior). Only the index
 * order changes; no voxel is resampled, so the mapping is exact and invertible.
 *
 * @param sourceAxis for each canonical axis, the source voxel axis it reads
 * @param flipped for each canonical axis, whether the source axis runs the other way (L, P or I)
 * @param sourceSize the source grid's sizes (nx, ny, nz)
 */
public record CanonicalOrientation(int[] sourceAxis, boolean[] flipped, int[] sourceSize) {

    public static CanonicalOrientation of(Affine affine, int nx, int ny, int nz) {
        String codes = affine.orientation();
        int[] sourceAxis = new int[3];
        boolean[] flipped = new boolean[3];
        for (int c = 0; c < 3; c++) {
            char code = codes.charAt(c);
            int world = "RL".indexOf(code) >= 0 ? 0 : "AP".indexOf(code) >= 0 ? 1 : 2;
            sourceAxis[world] = c;
            flipped[world] = code == 'L' || code == 'P' || code == 'I';
        }
        return new CanonicalOrientation(sourceAxis, flipped, new int[] {nx, ny, nz});
    }

    /** Canonical grid sizes. */
    public int[] size() {
        return new int[] {sourceSize[sourceAxis[0]], sourceSize[sourceAxis[1]], sourceSize[sourceAxis[2]]};
    }

    /** The source voxel coordinate along {@code sourceAxis[r]} of canonical coordinate {@code a} on axis r. */
    public int sourceCoordinate(int r, int a) {
        return flipped[r] ? sourceSize[sourceAxis[r]] - 1 - a : a;
    }

    /** The flat source index (x fastest) of a canonical voxel. */
    public int sourceIndex(int a0, int a1, int a2) {
        int[] s = new int[3];
        s[sourceAxis[0]] = sourceCoordinate(0, a0);
        s[sourceAxis[1]] = sourceCoordinate(1, a1);
        s[sourceAxis[2]] = sourceCoordinate(2, a2);
        return s[0] + sourceSize[0] * (s[1] + sourceSize[1] * s[2]);
    }

    /** The voxel-to-world affine of the canonical grid: the source affine times the index permutation/flip. */
    public Affine canonicalAffine(Affine source) {
        // P maps a canonical index (homogeneous) to the source index; canonical affine = M · P.
        double[] p = new double[16];
        p[15] = 1;
        for (int r = 0; r < 3; r++) {
            int row = sourceAxis[r];
            p[row * 4 + r] = flipped[r] ? -1 : 1;
            if (flipped[r]) {
                p[row * 4 + 3] = sourceSize[row] - 1;
            }
        }
        double[] m = source.m();
        double[] out = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) {
                    s += m[i * 4 + k] * p[k * 4 + j];
                }
                out[i * 4 + j] = s;
            }
        }
        return new Affine(out);
    }

    /**
     * {@code volume}'s voxels reordered onto {@code reference}'s grid when both describe the same voxels in another
     * index order (equal RAS grids: sizes and canonical affines within 1e-4 mm) — e.g. labels saved LPS for an
     * image stored RAS. The result has the reference's sizes, affine and header. Empty when the grids differ by
     * more than an axis permutation/flip (resampling would be needed).
     */
    public static Optional<Volume> onGridOf(Volume volume, Volume reference) {
        if (volume.sameGrid(reference)) {
            return Optional.of(reference.withData(volume.data()));
        }
        CanonicalOrientation ov = of(volume.affine(), volume.nx(), volume.ny(), volume.nz());
        CanonicalOrientation or = of(reference.affine(), reference.nx(), reference.ny(), reference.nz());
        if (!Arrays.equals(ov.size(), or.size())
                || !ov.canonicalAffine(volume.affine()).approxEquals(or.canonicalAffine(reference.affine()), 1e-4)) {
            return Optional.empty();
        }
        int[] size = or.size();
        float[] src = volume.data();
        float[] out = new float[src.length];
        for (int a2 = 0; a2 < size[2]; a2++) {
            for (int a1 = 0; a1 < size[1]; a1++) {
                for (int a0 = 0; a0 < size[0]; a0++) {
                    out[or.sourceIndex(a0, a1, a2)] = src[ov.sourceIndex(a0, a1, a2)];
                }
            }
        }
        return Optional.of(reference.withData(out));
    }
}
