package org.samtune.eval;

/**
 * Surface voxels and surface distances as MONAI's {@code get_mask_edges} + {@code get_surface_distance}: a voxel
 * is on the surface when it is in the mask and one of its face neighbours (4 in 2-D, 6 in 3-D: scipy's default
 * erosion structure) is outside the mask or outside the grid ({@code binary_erosion(seg) ^ seg}, border 0).
 */
public final class Surfaces {
    private Surfaces() {}

    /** The surface voxels of {@code mask}. */
    public static boolean[] edges(boolean[] mask, int[] size) {
        boolean[] edge = new boolean[mask.length];
        int dims = size.length;
        int[] stride = strides(size);
        int[] coord = new int[dims];
        for (int idx = 0; idx < mask.length; idx++) {
            if (idx > 0) {
                for (int a = 0; a < dims; a++) {
                    if (++coord[a] < size[a]) {
                        break;
                    }
                    coord[a] = 0;
                }
            }
            if (!mask[idx]) {
                continue;
            }
            boolean onEdge = false;
            for (int a = 0; a < dims && !onEdge; a++) {
                onEdge = coord[a] == 0 || coord[a] == size[a] - 1
                        || !mask[idx - stride[a]] || !mask[idx + stride[a]];
            }
            edge[idx] = onEdge;
        }
        return edge;
    }

    /**
     * Distances (mm) from each surface voxel of {@code from} to the nearest surface voxel of {@code to}, in voxel
     * order. Both surfaces must be non-empty (the empty cases are decided by the caller, as MONAI's documented
     * nan/inf rules).
     */
    public static double[] distancesMm(boolean[] fromEdges, boolean[] toEdges, int[] size, double[] spacingMm) {
        double[] sq = EuclideanDistance.squaredMm(toEdges, size, spacingMm);
        int count = 0;
        for (boolean b : fromEdges) {
            if (b) {
                count++;
            }
        }
        double[] out = new double[count];
        int o = 0;
        for (int i = 0; i < fromEdges.length; i++) {
            if (fromEdges[i]) {
                out[o++] = Math.sqrt(sq[i]);
            }
        }
        return out;
    }

    static int[] strides(int[] size) {
        int[] s = new int[size.length];
        int acc = 1;
        for (int a = 0; a < size.length; a++) {
            s[a] = acc;
            acc *= size[a];
        }
        return s;
    }
}
