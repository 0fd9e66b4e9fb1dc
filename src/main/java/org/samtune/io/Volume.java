package org.samtune.io;

/**
 * A 3-D scalar image with its geometry: voxel values (after any rescale slope/intercept) in x-fastest order
 * ({@code index = i + nx·(j + ny·k)}, NIfTI's order), sizes, and the voxel-to-world {@link Affine}.
 *
 * <p>{@code header} keeps the source's own header (e.g. a NIfTI header) so a writer can reproduce the source
 * geometry exactly; it may be null for volumes built in memory.
 */
public record Volume(int nx, int ny, int nz, float[] data, Affine affine, Object header) {

    public Volume {
        long n = (long) nx * ny * nz;
        if (nx <= 0 || ny <= 0 || nz <= 0 || n != data.length) {
            throw new IllegalArgumentException("volume " + nx + "×" + ny + "×" + nz + " does not match "
                    + data.length + " voxels");
        }
    }

    public Volume(int nx, int ny, int nz, float[] data, Affine affine) {
        this(nx, ny, nz, data, affine, null);
    }

    public float get(int i, int j, int k) {
        return data[i + nx * (j + ny * k)];
    }

    public double[] spacingMm() {
        return affine.spacingMm();
    }

    /** The same geometry and header with other voxel values (e.g. a predicted label volume). */
    public Volume withData(float[] newData) {
        return new Volume(nx, ny, nz, newData, affine, header);
    }

    /** True when the other volume has the same sizes and (within 1e-4 mm) the same affine. */
    public boolean sameGrid(Volume o) {
        return nx == o.nx && ny == o.ny && nz == o.nz && affine.approxEquals(o.affine, 1e-4);
    }
}
