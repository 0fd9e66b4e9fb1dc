package org.samtune.io;

import java.util.Arrays;

/**
 * A 4×4 voxel-to-world transform, row-major, in NIfTI's (and nibabel's) convention:
 * {@code world = M · [i, j, k, 1]ᵀ} with i the fastest-varying voxel index and world axes RAS+ in millimetres
 * (+x toward the subject's right, +y anterior, +z superior). DICOM's LPS patient coordinates convert to these by
 * negating x and y.
 */
public record Affine(double[] m) {

    public Affine {
        if (m.length != 16) {
            throw new IllegalArgumentException("an affine has 16 elements, got " + m.length);
        }
        m = m.clone();
    }

    public static Affine identity() {
        return diagonal(1, 1, 1);
    }

    public static Affine diagonal(double sx, double sy, double sz) {
        return new Affine(new double[] {sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1});
    }

    @Override
    public double[] m() {
        return m.clone();
    }

    public double get(int row, int col) {
        return m[row * 4 + col];
    }

    /** Voxel spacing in mm along i, j, k: the norms of the first three columns. */
    public double[] spacingMm() {
        double[] s = new double[3];
        for (int c = 0; c < 3; c++) {
            s[c] = Math.sqrt(get(0, c) * get(0, c) + get(1, c) * get(1, c) + get(2, c) * get(2, c));
        }
        return s;
    }

    /**
     * Axis codes as nibabel's {@code aff2axcodes}: for each voxel axis the world direction it mostly points to,
     * e.g. "RAS" or "LPS".
     */
    public String orientation() {
        char[] pos = {'R', 'A', 'S'};
        char[] neg = {'L', 'P', 'I'};
        StringBuilder sb = new StringBuilder();
        boolean[] used = new boolean[3];
        for (int c = 0; c < 3; c++) {
            int best = -1;
            double bestAbs = -1;
            for (int r = 0; r < 3; r++) {
                double a = Math.abs(get(r, c));
                if (!used[r] && a > bestAbs) {
                    best = r;
                    bestAbs = a;
                }
            }
            used[best] = true;
            sb.append(get(best, c) >= 0 ? pos[best] : neg[best]);
        }
        return sb.toString();
    }

    /** World coordinates (mm) of a voxel index. */
    public double[] apply(double i, double j, double k) {
        return new double[] {
            get(0, 0) * i + get(0, 1) * j + get(0, 2) * k + get(0, 3),
            get(1, 0) * i + get(1, 1) * j + get(1, 2) * k + get(1, 3),
            get(2, 0) * i + get(2, 1) * j + get(2, 2) * k + get(2, 3)
        };
    }

    /** True when every element differs by at most {@code tol}. */
    public boolean approxEquals(Affine o, double tol) {
        for (int i = 0; i < 16; i++) {
            if (Math.abs(m[i] - o.m[i]) > tol) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Affine a && Arrays.equals(m, a.m);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(m);
    }

    @Override
    public String toString() {
        return "Affine" + Arrays.toString(m);
    }
}
