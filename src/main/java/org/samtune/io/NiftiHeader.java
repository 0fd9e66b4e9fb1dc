package org.samtune.io;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A NIfTI-1 or NIfTI-2 header as stored in the file, every field kept (NIfTI-1's 32-bit fields widened to
 * {@code long}/{@code double} without loss) so that a writer can reproduce the source geometry exactly.
 *
 * <p>Field names follow {@code nifti1.h}/{@code nifti2.h}. {@code dim} and {@code pixdim} have all 8 entries
 * ({@code dim[0]} is the number of dimensions, {@code pixdim[0]} is qfac). The geometry methods follow nibabel
 * (see {@link #bestAffine()}).
 */
public record NiftiHeader(
        int version,
        ByteOrder byteOrder,
        long[] dim,
        int datatype,
        int bitpix,
        double[] pixdim,
        long voxOffset,
        double sclSlope,
        double sclInter,
        double calMax,
        double calMin,
        int dimInfo,
        double intentP1,
        double intentP2,
        double intentP3,
        int intentCode,
        String intentName,
        long sliceStart,
        long sliceEnd,
        int sliceCode,
        double sliceDuration,
        double toffset,
        int xyztUnits,
        String descrip,
        String auxFile,
        int qformCode,
        int sformCode,
        double quaternB,
        double quaternC,
        double quaternD,
        double qoffsetX,
        double qoffsetY,
        double qoffsetZ,
        double[] srowX,
        double[] srowY,
        double[] srowZ) {

    public NiftiHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("NIfTI version is 1 or 2, got " + version);
        }
        if (dim.length != 8 || pixdim.length != 8 || srowX.length != 4 || srowY.length != 4 || srowZ.length != 4) {
            throw new IllegalArgumentException("dim and pixdim have 8 entries, srow_x/y/z 4");
        }
        dim = dim.clone();
        pixdim = pixdim.clone();
        srowX = srowX.clone();
        srowY = srowY.clone();
        srowZ = srowZ.clone();
        intentName = intentName == null ? "" : intentName;
        descrip = descrip == null ? "" : descrip;
        auxFile = auxFile == null ? "" : auxFile;
    }

    @Override
    public long[] dim() {
        return dim.clone();
    }

    @Override
    public double[] pixdim() {
        return pixdim.clone();
    }

    @Override
    public double[] srowX() {
        return srowX.clone();
    }

    @Override
    public double[] srowY() {
        return srowY.clone();
    }

    @Override
    public double[] srowZ() {
        return srowZ.clone();
    }

    /** Size along voxel axis {@code axis} (1 = i, 2 = j, ...): {@code dim[axis]}, or 1 past {@code dim[0]}. */
    public long size(int axis) {
        return axis <= dim[0] ? dim[axis] : 1;
    }

    /** Number of 3-D volumes: the product of dim[4..dim[0]] (1 for a 3-D image). */
    public long volumes() {
        long n = 1;
        for (int a = 4; a <= Math.min(7, dim[0]); a++) {
            n *= dim[a];
        }
        return n;
    }

    /** The voxel type, or empty for a code samtune does not read (e.g. RGB24, complex). */
    public java.util.Optional<NiftiDataType> dataType() {
        return NiftiDataType.ofCode(datatype);
    }

    /** True when voxel values are rescaled as {@code value·scl_slope + scl_inter}: slope finite and non-zero. */
    public boolean scaled() {
        return sclSlope != 0 && Double.isFinite(sclSlope);
    }

    /** pixdim[1..3]: the voxel sizes as stored (mm when xyzt_units says so). */
    public double[] voxelSizes() {
        return new double[] {pixdim[1], pixdim[2], pixdim[3]};
    }

    /** The sform matrix (srow_x, srow_y, srow_z), whatever sform_code says. */
    public Affine sformAffine() {
        return new Affine(new double[] {
            srowX[0], srowX[1], srowX[2], srowX[3],
            srowY[0], srowY[1], srowY[2], srowY[3],
            srowZ[0], srowZ[1], srowZ[2], srowZ[3],
            0, 0, 0, 1
        });
    }

    /**
     * The qform matrix from the quaternion, qoffset and pixdim, whatever qform_code says. As nibabel's
     * {@code get_qform}: a = √(1 − b² − c² − d²), qfac = pixdim[0] (anything but −1 counts as +1, the fix nibabel
     * applies on load), voxel sizes |pixdim[1..3]|. Where b² + c² + d² exceeds 1 (nibabel refuses), the
     * quaternion is normalised with a = 0, as NIfTI's reference library {@code nifti1_io} does.
     */
    public Affine qformAffine() {
        return Quaternions.qformToAffine(quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ,
                pixdim[0], Math.abs(pixdim[1]), Math.abs(pixdim[2]), Math.abs(pixdim[3]));
    }

    /**
     * nibabel's {@code get_base_affine}, used when neither qform nor sform is set: voxel sizes on the diagonal,
     * x flipped (Analyze's radiological convention), and the origin at the centre of the grid:
     * {@code diag(−p1, p2, p3)} with translation {@code −(dim−1)/2 · diag}.
     */
    public Affine baseAffine() {
        double[] zoom = {-pixdim[1], pixdim[2], pixdim[3]};
        double[] m = new double[16];
        for (int a = 0; a < 3; a++) {
            long n = size(a + 1);
            m[a * 4 + a] = zoom[a];
            m[a * 4 + 3] = -(n - 1) / 2.0 * zoom[a];
        }
        m[15] = 1;
        return new Affine(m);
    }

    /**
     * The voxel-to-world affine as nibabel's {@code get_best_affine}: the sform if sform_code ≠ 0, else the
     * qform if qform_code ≠ 0, else {@link #baseAffine()}.
     */
    public Affine bestAffine() {
        if (sformCode != 0) {
            return sformAffine();
        }
        if (qformCode != 0) {
            return qformAffine();
        }
        return baseAffine();
    }

    /** Which of sform, qform or base {@link #bestAffine()} uses. */
    public String affineSource() {
        return sformCode != 0 ? "sform" : qformCode != 0 ? "qform" : "pixdim";
    }

    /** Axis codes of {@link #bestAffine()}, e.g. "RAS" or "LPS". */
    public String orientation() {
        return bestAffine().orientation();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NiftiHeader h && toString().equals(h.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Every field, arrays included (so that equal text means equal headers: doubles print exactly). */
    @Override
    public String toString() {
        return "NiftiHeader[version=" + version + ", byteOrder=" + byteOrder + ", dim=" + Arrays.toString(dim)
                + ", datatype=" + datatype + ", bitpix=" + bitpix + ", pixdim=" + Arrays.toString(pixdim)
                + ", voxOffset=" + voxOffset + ", sclSlope=" + sclSlope + ", sclInter=" + sclInter
                + ", calMax=" + calMax + ", calMin=" + calMin + ", dimInfo=" + dimInfo
                + ", intentP1=" + intentP1 + ", intentP2=" + intentP2 + ", intentP3=" + intentP3
                + ", intentCode=" + intentCode + ", intentName=" + intentName + ", sliceStart=" + sliceStart
                + ", sliceEnd=" + sliceEnd + ", sliceCode=" + sliceCode + ", sliceDuration=" + sliceDuration
                + ", toffset=" + toffset + ", xyztUnits=" + xyztUnits + ", descrip=" + descrip
                + ", auxFile=" + auxFile + ", qformCode=" + qformCode + ", sformCode=" + sformCode
                + ", quatern=" + quaternB + "," + quaternC + "," + quaternD
                + ", qoffset=" + qoffsetX + "," + qoffsetY + "," + qoffsetZ
                + ", srowX=" + Arrays.toString(srowX) + ", srowY=" + Arrays.toString(srowY)
                + ", srowZ=" + Arrays.toString(srowZ) + "]";
    }
}
