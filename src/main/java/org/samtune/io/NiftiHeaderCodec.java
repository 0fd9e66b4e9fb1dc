package org.samtune.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The byte layouts of the NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers, per nifti1.h and nifti2.h. */
final class NiftiHeaderCodec {
    static final int NIFTI1_SIZE = 348;
    static final int NIFTI2_SIZE = 540;
    /** Header plus the 4-byte extension flag: where samtune's files put the voxels. */
    static final int NIFTI1_VOX_OFFSET = 352;
    static final int NIFTI2_VOX_OFFSET = 544;
    private static final byte[] MAGIC1 = {'n', '+', '1', 0};
    private static final byte[] MAGIC2 = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};

    private NiftiHeaderCodec() {}

    /** A header's version and byte order, as told by its first field. */
    record Kind(int version, ByteOrder order) {
        int size() {
            return version == 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
        }
    }

    /** The version and byte order told by sizeof_hdr (the first 4 bytes), or null if they are neither 348 nor 540. */
    static Kind sniff(byte[] first4) {
        int le = ByteBuffer.wrap(first4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int be = Integer.reverseBytes(le);
        if (le == NIFTI1_SIZE || le == NIFTI2_SIZE) {
            return new Kind(le == NIFTI1_SIZE ? 1 : 2, ByteOrder.LITTLE_ENDIAN);
        }
        if (be == NIFTI1_SIZE || be == NIFTI2_SIZE) {
            return new Kind(be == NIFTI1_SIZE ? 1 : 2, ByteOrder.BIG_ENDIAN);
        }
        return null;
    }

    static NiftiHeader parse(byte[] raw, int version, ByteOrder order, Path file) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        return version == 1 ? parse1(b, file) : parse2(b, file);
    }

    private static NiftiHeader parse1(ByteBuffer b, Path file) {
        checkMagic(b, 344, MAGIC1, "n+1", "ni1", file);
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getShort(40 + 2 * i);
        }
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getFloat(76 + 4 * i);
        }
        float voxOffset = b.getFloat(108);
        // NIfTI-1 stores vox_offset as a float; it must be a whole, non-negative byte count.
        if (!(voxOffset >= 0) || voxOffset != Math.rint(voxOffset) || voxOffset > 0x1p53) {
            throw new FormatException(file, "NIfTI vox_offset is " + voxOffset + "; expected a whole number of bytes"
                    + " ≥ " + NIFTI1_SIZE);
        }
        return new NiftiHeader(1, b.order(), dim, b.getShort(70), b.getShort(72), pixdim, (long) voxOffset,
                b.getFloat(112), b.getFloat(116), b.getFloat(124), b.getFloat(128), b.get(39) & 0xff,
                b.getFloat(56), b.getFloat(60), b.getFloat(64), b.getShort(68), string(b, 328, 16),
                b.getShort(74), b.getShort(120), b.get(122) & 0xff, b.getFloat(132), b.getFloat(136),
                b.get(123) & 0xff, string(b, 148, 80), string(b, 228, 24),
                b.getShort(252), b.getShort(254),
                b.getFloat(256), b.getFloat(260), b.getFloat(264), b.getFloat(268), b.getFloat(272), b.getFloat(276),
                floats(b, 280), floats(b, 296), floats(b, 312));
    }

    private static NiftiHeader parse2(ByteBuffer b, Path file) {
        checkMagic(b, 4, MAGIC2, "n+2", "ni2", file);
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getLong(16 + 8 * i);
        }
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getDouble(104 + 8 * i);
        }
        long voxOffset = b.getLong(168);
        if (voxOffset < 0) {
            throw new FormatException(file, "NIfTI vox_offset is " + voxOffset + "; expected ≥ " + NIFTI2_SIZE);
        }
        return new NiftiHeader(2, b.order(), dim, b.getShort(12), b.getShort(14), pixdim, voxOffset,
                b.getDouble(176), b.getDouble(184), b.getDouble(192), b.getDouble(200), b.get(524) & 0xff,
                b.getDouble(80), b.getDouble(88), b.getDouble(96), b.getInt(504), string(b, 508, 16),
                b.getLong(224), b.getLong(232), b.getInt(496), b.getDouble(208), b.getDouble(216),
                b.getInt(500), string(b, 240, 80), string(b, 320, 24),
                b.getInt(344), b.getInt(348),
                b.getDouble(352), b.getDouble(360), b.getDouble(368), b.getDouble(376), b.getDouble(384),
                b.getDouble(392), doubles(b, 400), doubles(b, 432), doubles(b, 464));
    }

    /** The header followed by a zero extension flag: {@link #NIFTI1_VOX_OFFSET} or {@link #NIFTI2_VOX_OFFSET} bytes. */
    static byte[] encode(NiftiHeader h) {
        return h.version() == 1 ? encode1(h) : encode2(h);
    }

    private static byte[] encode1(NiftiHeader h) {
        ByteBuffer b = ByteBuffer.allocate(NIFTI1_VOX_OFFSET).order(h.byteOrder());
        b.putInt(0, NIFTI1_SIZE);
        b.put(38, (byte) 'r');
        b.put(39, (byte) h.dimInfo());
        long[] dim = h.dim();
        for (int i = 0; i < 8; i++) {
            b.putShort(40 + 2 * i, (short) dim[i]);
        }
        b.putFloat(56, (float) h.intentP1());
        b.putFloat(60, (float) h.intentP2());
        b.putFloat(64, (float) h.intentP3());
        b.putShort(68, (short) h.intentCode());
        b.putShort(70, (short) h.datatype());
        b.putShort(72, (short) h.bitpix());
        b.putShort(74, (short) h.sliceStart());
        double[] pixdim = h.pixdim();
        for (int i = 0; i < 8; i++) {
            b.putFloat(76 + 4 * i, (float) pixdim[i]);
        }
        b.putFloat(108, h.voxOffset());
        b.putFloat(112, (float) h.sclSlope());
        b.putFloat(116, (float) h.sclInter());
        b.putShort(120, (short) h.sliceEnd());
        b.put(122, (byte) h.sliceCode());
        b.put(123, (byte) h.xyztUnits());
        b.putFloat(124, (float) h.calMax());
        b.putFloat(128, (float) h.calMin());
        b.putFloat(132, (float) h.sliceDuration());
        b.putFloat(136, (float) h.toffset());
        putString(b, 148, 80, h.descrip());
        putString(b, 228, 24, h.auxFile());
        b.putShort(252, (short) h.qformCode());
        b.putShort(254, (short) h.sformCode());
        b.putFloat(256, (float) h.quaternB());
        b.putFloat(260, (float) h.quaternC());
        b.putFloat(264, (float) h.quaternD());
        b.putFloat(268, (float) h.qoffsetX());
        b.putFloat(272, (float) h.qoffsetY());
        b.putFloat(276, (float) h.qoffsetZ());
        double[][] srow = {h.srowX(), h.srowY(), h.srowZ()};
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                b.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
            }
        }
        putString(b, 328, 16, h.intentName());
        b.put(344, MAGIC1);
        return b.array();
    }

    private static byte[] encode2(NiftiHeader h) {
        ByteBuffer b = ByteBuffer.allocate(NIFTI2_VOX_OFFSET).order(h.byteOrder());
        b.putInt(0, NIFTI2_SIZE);
        b.put(4, MAGIC2);
        b.putShort(12, (short) h.datatype());
        b.putShort(14, (short) h.bitpix());
        long[] dim = h.dim();
        for (int i = 0; i < 8; i++) {
            b.putLong(16 + 8 * i, dim[i]);
        }
        b.putDouble(80, h.intentP1());
        b.putDouble(88, h.intentP2());
        b.putDouble(96, h.intentP3());
        double[] pixdim = h.pixdim();
        for (int i = 0; i < 8; i++) {
            b.putDouble(104 + 8 * i, pixdim[i]);
        }
        b.putLong(168, h.voxOffset());
        b.putDouble(176, h.sclSlope());
        b.putDouble(184, h.sclInter());
        b.putDouble(192, h.calMax());
        b.putDouble(200, h.calMin());
        b.putDouble(208, h.sliceDuration());
        b.putDouble(216, h.toffset());
        b.putLong(224, h.sliceStart());
        b.putLong(232, h.sliceEnd());
        putString(b, 240, 80, h.descrip());
        putString(b, 320, 24, h.auxFile());
        b.putInt(344, h.qformCode());
        b.putInt(348, h.sformCode());
        b.putDouble(352, h.quaternB());
        b.putDouble(360, h.quaternC());
        b.putDouble(368, h.quaternD());
        b.putDouble(376, h.qoffsetX());
        b.putDouble(384, h.qoffsetY());
        b.putDouble(392, h.qoffsetZ());
        double[][] srow = {h.srowX(), h.srowY(), h.srowZ()};
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                b.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
            }
        }
        b.putInt(496, h.sliceCode());
        b.putInt(500, h.xyztUnits());
        b.putInt(504, h.intentCode());
        putString(b, 508, 16, h.intentName());
        b.put(524, (byte) h.dimInfo());
        return b.array();
    }

    private static void checkMagic(ByteBuffer b, int at, byte[] expected, String single, String pair, Path file) {
        byte[] got = new byte[expected.length];
        b.get(at, got);
        if (java.util.Arrays.equals(got, expected)) {
            return;
        }
        String shown = printable(got);
        if (shown.startsWith(pair)) {
            throw new FormatException(file, "NIfTI magic is '" + shown + "': a .hdr/.img pair, which samtune does"
                    + " not read; convert it to a single .nii file");
        }
        throw new FormatException(file, "NIfTI magic is '" + shown + "'; expected '" + single
                + "' (a single-file NIfTI; Analyze 7.5 is not read)");
    }

    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c == 0) {
                break;
            }
            sb.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return sb.toString();
    }

    private static String string(ByteBuffer b, int at, int length) {
        byte[] raw = new byte[length];
        b.get(at, raw);
        int n = 0;
        while (n < length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static void putString(ByteBuffer b, int at, int length, String s) {
        byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
        b.put(at, raw, 0, Math.min(raw.length, length));
    }

    private static double[] floats(ByteBuffer b, int at) {
        return new double[] {b.getFloat(at), b.getFloat(at + 4), b.getFloat(at + 8), b.getFloat(at + 12)};
    }

    private static double[] doubles(ByteBuffer b, int at) {
        return new double[] {b.getDouble(at), b.getDouble(at + 8), b.getDouble(at + 16), b.getDouble(at + 24)};
    }
}
