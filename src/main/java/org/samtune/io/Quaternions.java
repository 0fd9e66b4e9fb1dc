package org.samtune.io;

/** NIfTI's qform: the rotation quaternion (b, c, d), offsets and voxel sizes to and from a 4×4 affine. */
final class Quaternions {
    private Quaternions() {}

    /** The qform part of a header written from an affine; {@code representable} is false for a sheared affine. */
    record Qform(double b, double c, double d, double qx, double qy, double qz, double qfac,
            double dx, double dy, double dz, boolean representable) {}

    /** nibabel's {@code get_qform} (see {@link NiftiHeader#qformAffine()} for the edge cases). */
    static Affine qformToAffine(double b, double c, double d, double qx, double qy, double qz,
            double qfac, double dx, double dy, double dz) {
        double a;
        double w2 = 1.0 - (b * b + c * c + d * d);
        if (w2 >= 0) {
            a = Math.sqrt(w2);
        } else {
            // nifti1_io's nifti_quatern_to_mat44: an over-long (b, c, d) is put back on the unit sphere.
            double n = Math.sqrt(b * b + c * c + d * d);
            a = 0;
            b /= n;
            c /= n;
            d /= n;
        }
        double[][] r = rotation(a, b, c, d);
        double sz = qfac == -1 ? -dz : dz;
        double[] zoom = {dx, dy, sz};
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                m[row * 4 + col] = r[row][col] * zoom[col];
            }
        }
        m[3] = qx;
        m[7] = qy;
        m[11] = qz;
        m[15] = 1;
        return new Affine(m);
    }

    /** nibabel's {@code quat2mat}: the rotation of a (not necessarily unit) quaternion w + xi + yj + zk. */
    static double[][] rotation(double w, double x, double y, double z) {
        double nq = w * w + x * x + y * y + z * z;
        if (nq < 2.220446049250313e-16) {
            return new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        }
        double s = 2.0 / nq;
        double xs = x * s;
        double ys = y * s;
        double zs = z * s;
        double wx = w * xs;
        double wy = w * ys;
        double wz = w * zs;
        double xx = x * xs;
        double xy = x * ys;
        double xz = x * zs;
        double yy = y * ys;
        double yz = y * zs;
        double zz = z * zs;
        return new double[][] {
            {1.0 - (yy + zz), xy - wz, xz + wy},
            {xy + wz, 1.0 - (xx + zz), yz - wx},
            {xz - wy, yz + wx, 1.0 - (xx + yy)}
        };
    }

    /**
     * nibabel's {@code set_qform}: voxel sizes are the column norms, qfac = −1 for a left-handed matrix (its third
     * column negated), the rotation is the nearest orthogonal matrix (polar decomposition) and the quaternion has
     * a ≥ 0.
     */
    static Qform affineToQform(Affine affine) {
        double[][] rzs = new double[3][3];
        double[] zoom = new double[3];
        for (int col = 0; col < 3; col++) {
            for (int row = 0; row < 3; row++) {
                rzs[row][col] = affine.get(row, col);
            }
            zoom[col] = Math.sqrt(rzs[0][col] * rzs[0][col] + rzs[1][col] * rzs[1][col] + rzs[2][col] * rzs[2][col]);
        }
        double qx = affine.get(0, 3);
        double qy = affine.get(1, 3);
        double qz = affine.get(2, 3);
        if (!(zoom[0] > 0 && zoom[1] > 0 && zoom[2] > 0) || !Double.isFinite(zoom[0] + zoom[1] + zoom[2])) {
            return new Qform(0, 0, 0, qx, qy, qz, 1, 1, 1, 1, false);
        }
        double[][] r = new double[3][3];
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                r[row][col] = rzs[row][col] / zoom[col];
            }
        }
        double qfac = 1;
        if (det(r) < 0) {
            qfac = -1;
            for (int row = 0; row < 3; row++) {
                r[row][2] = -r[row][2];
            }
        }
        double[][] orth = nearestOrthogonal(r);
        if (orth == null) {
            return new Qform(0, 0, 0, qx, qy, qz, 1, zoom[0], zoom[1], zoom[2], false);
        }
        boolean representable = true;
        for (int row = 0; row < 3; row++) {
            for (int col = 0; col < 3; col++) {
                representable &= Math.abs(orth[row][col] - r[row][col]) <= 1e-5;
            }
        }
        double[] q = quaternion(orth);
        return new Qform(q[1], q[2], q[3], qx, qy, qz, qfac, zoom[0], zoom[1], zoom[2], representable);
    }

    /** Shepperd's method; the result is a unit quaternion (w, x, y, z) with w ≥ 0. */
    static double[] quaternion(double[][] r) {
        double trace = r[0][0] + r[1][1] + r[2][2];
        double w;
        double x;
        double y;
        double z;
        if (trace > 0) {
            double s = Math.sqrt(trace + 1.0) * 2;
            w = s / 4;
            x = (r[2][1] - r[1][2]) / s;
            y = (r[0][2] - r[2][0]) / s;
            z = (r[1][0] - r[0][1]) / s;
        } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
            double s = Math.sqrt(1.0 + r[0][0] - r[1][1] - r[2][2]) * 2;
            w = (r[2][1] - r[1][2]) / s;
            x = s / 4;
            y = (r[0][1] + r[1][0]) / s;
            z = (r[0][2] + r[2][0]) / s;
        } else if (r[1][1] > r[2][2]) {
            double s = Math.sqrt(1.0 + r[1][1] - r[0][0] - r[2][2]) * 2;
            w = (r[0][2] - r[2][0]) / s;
            x = (r[0][1] + r[1][0]) / s;
            y = s / 4;
            z = (r[1][2] + r[2][1]) / s;
        } else {
            double s = Math.sqrt(1.0 + r[2][2] - r[0][0] - r[1][1]) * 2;
            w = (r[1][0] - r[0][1]) / s;
            x = (r[0][2] + r[2][0]) / s;
            y = (r[1][2] + r[2][1]) / s;
            z = s / 4;
        }
        double n = Math.sqrt(w * w + x * x + y * y + z * z);
        double sign = w < 0 ? -1 : 1;
        return new double[] {sign * w / n, sign * x / n, sign * y / n, sign * z / n};
    }

    /** The orthogonal factor of the polar decomposition by Newton's iteration R ← (R + R⁻ᵀ)/2; null if singular. */
    static double[][] nearestOrthogonal(double[][] r) {
        double[][] x = new double[][] {r[0].clone(), r[1].clone(), r[2].clone()};
        for (int it = 0; it < 100; it++) {
            double[][] invT = inverseTranspose(x);
            if (invT == null) {
                return null;
            }
            double change = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double next = 0.5 * (x[i][j] + invT[i][j]);
                    change = Math.max(change, Math.abs(next - x[i][j]));
                    x[i][j] = next;
                }
            }
            if (change < 1e-15) {
                break;
            }
        }
        return x;
    }

    static double det(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    private static double[][] inverseTranspose(double[][] m) {
        double det = det(m);
        if (!(Math.abs(det) > 1e-12) || !Double.isFinite(det)) {
            return null;
        }
        // The inverse's transpose is the cofactor matrix over the determinant.
        double[][] c = new double[3][3];
        c[0][0] = m[1][1] * m[2][2] - m[1][2] * m[2][1];
        c[0][1] = m[1][2] * m[2][0] - m[1][0] * m[2][2];
        c[0][2] = m[1][0] * m[2][1] - m[1][1] * m[2][0];
        c[1][0] = m[0][2] * m[2][1] - m[0][1] * m[2][2];
        c[1][1] = m[0][0] * m[2][2] - m[0][2] * m[2][0];
        c[1][2] = m[0][1] * m[2][0] - m[0][0] * m[2][1];
        c[2][0] = m[0][1] * m[1][2] - m[0][2] * m[1][1];
        c[2][1] = m[0][2] * m[1][0] - m[0][0] * m[1][2];
        c[2][2] = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        for (double[] row : c) {
            for (int j = 0; j < 3; j++) {
                row[j] /= det;
            }
        }
        return c;
    }
}
