package org.samtune.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.samtune.SamtuneException;

/**
 * NIfTI-1 and NIfTI-2 single files ({@code .nii}, {@code .nii.gz}) to and from {@link Volume}.
 *
 * <p>Reading: either byte order (told by sizeof_hdr 348/540), gzip recognised by its magic bytes whatever the
 * name, voxel types of {@link NiftiDataType}, values rescaled by scl_slope/scl_inter (slope 0 or not finite: no
 * scaling, as nibabel), the affine chosen as nibabel's {@code get_best_affine} ({@link NiftiHeader#bestAffine()}).
 * A 4-D series is refused by {@link #read(Path)}; {@link #read(Path, int)} picks one of its volumes.
 *
 * <p>Every size is checked against what the file can hold before anything is allocated: an uncompressed file
 * against its length, a gzip stream against 1032 × its compressed length (deflate's largest expansion).
 */
public final class Nifti {
    /** Deflate cannot expand its input more than about 1032-fold: the bound on a .gz stream's content. */
    private static final long DEFLATE_MAX_RATIO = 1032;
    private static final int CHUNK = 1 << 20;
    /** The largest Java array is a little under 2^31 elements. */
    private static final long MAX_VOXELS = Integer.MAX_VALUE - 8;
    /** NIFTI_XFORM_ALIGNED_ANAT: the code nibabel gives the sform of a new image. */
    private static final int XFORM_ALIGNED = 2;
    /** NIFTI_UNITS_MM. */
    private static final int UNITS_MM = 2;

    private Nifti() {}

    /** Reads a 3-D volume (a 4-D file with a single volume is fine). */
    public static Volume read(Path file) {
        return read(file, -1);
    }

    /** Reads volume {@code index} (0-based, along dim[4..7]) of a 3-D or 4-D file. */
    public static Volume read(Path file, int index) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, Files.size(file), file, index);
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** Reads and checks the header only (sizes, datatype, scaling and geometry fields), not the voxels. */
    public static NiftiHeader readHeader(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            try (InputStream header = decompressed(in, Files.size(file)).in) {
                return checkedHeader(header, file);
            }
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** Reads from bytes already in memory; {@code file} only names them in messages. */
    static Volume read(byte[] content, Path file, int index) {
        try (InputStream in = new ByteArrayInputStream(content)) {
            return read(in, content.length, file, index);
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /**
     * Writes a volume as {@code .nii} or {@code .nii.gz} (by the file name). The voxel type is the source file's
     * integer type when it came from a NIfTI file and every value fits it exactly (so a scan read and written back
     * keeps its type), otherwise float32.
     */
    public static void write(Path file, Volume volume) {
        write(file, volume, defaultType(volume));
    }

    /**
     * Writes a volume with the given voxel type; integer types take values rounded to the nearest integer and
     * refuse values outside the type's range. When the volume came from a NIfTI file and its sizes and affine are
     * unchanged (e.g. a label volume made with {@link Volume#withData}), the source header's geometry is kept
     * exactly: dims, pixdim, qform/sform codes and parameters, xyzt_units; scl_slope/scl_inter are reset to 1/0
     * and cal_min/cal_max to 0. Otherwise the sform and qform are set from the affine.
     */
    public static void write(Path file, Volume volume, NiftiDataType type) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gzip = name.endsWith(".nii.gz");
        if (!gzip && !name.endsWith(".nii")) {
            throw new SamtuneException(file + ": a NIfTI file name ends in .nii or .nii.gz");
        }
        checkFits(file, volume, type);
        NiftiHeader header = headerFor(volume, type);
        byte[] head = NiftiHeaderCodec.encode(header);
        AtomicFiles.write(file, out -> {
            OutputStream o = gzip ? new GZIPOutputStream(out, CHUNK) : out;
            o.write(head);
            writeVoxels(o, volume.data(), type);
            if (gzip) {
                ((GZIPOutputStream) o).finish();
            }
        });
    }

    /**
     * Writes a label map on the grid of {@code grid} (typically the scan it was predicted from), keeping that
     * volume's NIfTI geometry exactly (see {@link #write(Path, Volume, NiftiDataType)}): uint8 when every label is
     * in 0..255, else int16. Labels must be whole numbers.
     */
    public static void writeLabels(Path file, Volume grid, float[] labels) {
        if (labels.length != grid.data().length) {
            throw new IllegalArgumentException(labels.length + " labels for a grid of " + grid.data().length
                    + " voxels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != Math.rint(labels[i])) {
                throw new SamtuneException(file + ": label " + labels[i] + " at voxel index " + i
                        + " is not a whole number; a label map holds integers");
            }
        }
        Volume v = grid.withData(labels);
        NiftiDataType type = firstMisfit(labels, NiftiDataType.UINT8, true) < 0 ? NiftiDataType.UINT8
                : NiftiDataType.INT16;
        write(file, v, type);
    }

    // ---- reading ----

    private record Stream(InputStream in, long maxBytes, boolean gzip) {}

    private static Stream decompressed(InputStream raw, long rawSize) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            long bound = rawSize > Long.MAX_VALUE / DEFLATE_MAX_RATIO ? Long.MAX_VALUE : rawSize * DEFLATE_MAX_RATIO;
            return new Stream(new GZIPInputStream(in, 1 << 16), bound, true);
        }
        return new Stream(in, rawSize, false);
    }

    private static Volume read(InputStream raw, long rawSize, Path file, int index) throws IOException {
        Stream s = decompressed(raw, rawSize);
        // Closing releases the Inflater's native memory now rather than at garbage collection.
        try (InputStream closing = s.in) {
            return read(s, rawSize, file, index);
        }
    }

    private static Volume read(Stream s, long rawSize, Path file, int index) throws IOException {
        NiftiHeader h = checkedHeader(s.in, file);
        NiftiDataType type = h.dataType().orElseThrow();
        long volumes = h.volumes();
        if (index < 0 && volumes > 1) {
            throw new FormatException(file, "NIfTI dim[4..7] hold " + volumes + " volumes; expected a 3-D image"
                    + " (dim[4] = 1): extract one volume first (e.g. fslroi), or call Nifti.read(file, index)");
        }
        int t = Math.max(index, 0);
        if (t >= volumes) {
            throw new SamtuneException(file + ": volume index " + t + " is out of range; the file holds " + volumes
                    + " volume(s)");
        }
        int nx = (int) h.size(1);
        int ny = (int) h.size(2);
        int nz = (int) h.size(3);
        long voxels = (long) nx * ny * nz;
        long frameBytes = voxels * type.bytes;
        long headerBytes = h.version() == 1 ? NiftiHeaderCodec.NIFTI1_SIZE : NiftiHeaderCodec.NIFTI2_SIZE;
        long start;
        long end;
        try {
            start = Math.addExact(h.voxOffset(), Math.multiplyExact(t, frameBytes));
            end = Math.addExact(start, frameBytes);
        } catch (ArithmeticException e) {
            throw new FormatException(file, "NIfTI vox_offset " + h.voxOffset() + " plus the voxel data overflows");
        }
        if (end > s.maxBytes) {
            String holds = s.gzip
                    ? "a " + rawSize + "-byte gzip stream can hold at most " + s.maxBytes + " bytes"
                    : "the file has " + rawSize + " bytes";
            throw new FormatException(file, "NIfTI dim " + nx + "×" + ny + "×" + nz + " of " + type + " from"
                    + " vox_offset " + h.voxOffset() + " needs " + end + " bytes but " + holds
                    + ": truncated, or dim/datatype/vox_offset wrong");
        }
        if (voxels * Float.BYTES > Runtime.getRuntime().maxMemory()) {
            throw new SamtuneException(file + ": a " + nx + "×" + ny + "×" + nz + " volume needs "
                    + voxels * Float.BYTES / (1 << 20) + " MiB, more than the Java heap (-Xmx) allows");
        }
        try {
            s.in.skipNBytes(start - headerBytes);
        } catch (EOFException e) {
            throw new FormatException(file, "NIfTI vox_offset " + h.voxOffset() + " (volume " + t + " at byte "
                    + start + ") is beyond the end of the data");
        }
        InputStream voxelBytes = s.in;
        if (s.gzip) {
            // The deflate bound still allows a small file to claim ~1000× its size: decompress first, so that
            // memory grows only with data that is really there, and allocate the volume once it is all present.
            voxelBytes = buffered(s.in, frameBytes, file, start);
        }
        float[] data = new float[(int) voxels];
        readVoxels(voxelBytes, file, h, type, data, start);
        if (s.gzip && volumes == 1) {
            // Reading to the end makes GZIPInputStream check the CRC, which catches corrupt compressed data.
            s.in.transferTo(OutputStream.nullOutputStream());
        }
        return new Volume(nx, ny, nz, data, h.bestAffine(), h);
    }

    private static NiftiHeader checkedHeader(InputStream in, Path file) throws IOException {
        byte[] first = in.readNBytes(4);
        if (first.length < 4) {
            throw new FormatException(file, "file holds " + first.length + " bytes; too short for a NIfTI header");
        }
        NiftiHeaderCodec.Kind kind = NiftiHeaderCodec.sniff(first);
        if (kind == null) {
            int le = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();
            throw new FormatException(file, "NIfTI sizeof_hdr is " + le + "; expected 348 (NIfTI-1) or 540 (NIfTI-2)"
                    + " in either byte order: not a NIfTI file");
        }
        int size = kind.size();
        byte[] raw = new byte[size];
        System.arraycopy(first, 0, raw, 0, 4);
        int got = in.readNBytes(raw, 4, size - 4) + 4;
        if (got < size) {
            throw new FormatException(file, "truncated NIfTI-" + kind.version() + " header: " + got + " of " + size
                    + " bytes");
        }
        NiftiHeader h = NiftiHeaderCodec.parse(raw, kind.version(), kind.order(), file);
        check(h, file, size);
        return h;
    }

    /** Everything about a header that can be wrong before the voxels are read. */
    private static void check(NiftiHeader h, Path file, int headerBytes) {
        long[] dim = h.dim();
        if (dim[0] < 1 || dim[0] > 7) {
            throw new FormatException(file, "NIfTI dim[0] is " + dim[0] + "; expected 1 to 7 dimensions");
        }
        long voxels = 1;
        long volumes = 1;
        for (int a = 1; a <= dim[0]; a++) {
            if (dim[a] < 1) {
                throw new FormatException(file, "NIfTI dim[" + a + "] is " + dim[a] + "; expected 1 or more");
            }
            if (dim[a] > MAX_VOXELS) {
                throw new FormatException(file, "NIfTI dim[" + a + "] is " + dim[a] + "; expected at most " + MAX_VOXELS);
            }
            if (a <= 3) {
                voxels *= dim[a];
                if (voxels > MAX_VOXELS) {
                    throw new FormatException(file, "NIfTI dim[1..3] = " + dim[1] + "×" + h.size(2) + "×" + h.size(3)
                            + " voxels; expected at most " + MAX_VOXELS + " (2^31 − 9) in one volume");
                }
            } else {
                volumes *= dim[a];
                if (volumes > 1L << 31) {
                    throw new FormatException(file, "NIfTI dim[4..7] give " + volumes + " volumes; expected at most"
                            + " 2^31");
                }
            }
        }
        if (h.dataType().isEmpty()) {
            throw new FormatException(file, "NIfTI datatype " + NiftiDataType.describe(h.datatype()) + " ("
                    + h.datatype() + ") is not supported; expected one of uint8, int8, int16, uint16, int32,"
                    + " uint32, int64, uint64, float32, float64");
        }
        if (h.voxOffset() < headerBytes) {
            throw new FormatException(file, "NIfTI vox_offset is " + h.voxOffset() + "; expected ≥ " + headerBytes
                    + " (the voxels follow the header)");
        }
        if (h.scaled() && !Double.isFinite(h.sclInter())) {
            throw new FormatException(file, "NIfTI scl_inter is " + h.sclInter() + " with scl_slope "
                    + h.sclSlope() + "; expected a finite intercept");
        }
        double[] m = h.bestAffine().m();
        for (double x : m) {
            if (!Double.isFinite(x)) {
                String fields = switch (h.affineSource()) {
                    case "sform" -> "srow_x/srow_y/srow_z (sform_code " + h.sformCode() + ")";
                    case "qform" -> "quatern_b/c/d, qoffset_x/y/z, pixdim (qform_code " + h.qformCode() + ")";
                    default -> "pixdim[1..3] (no qform or sform)";
                };
                throw new FormatException(file, "NIfTI " + fields + " give a non-finite affine; expected finite"
                        + " numbers");
            }
        }
    }

    private static InputStream buffered(InputStream in, long bytes, Path file, long start) throws IOException {
        java.util.List<InputStream> chunks = new java.util.ArrayList<>();
        long have = 0;
        while (have < bytes) {
            byte[] chunk = in.readNBytes((int) Math.min(CHUNK, bytes - have));
            have += chunk.length;
            if (chunk.length == 0 || have < bytes && chunk.length < CHUNK) {
                throw new FormatException(file, "truncated NIfTI voxel data: " + have + " of " + bytes
                        + " bytes after byte " + start);
            }
            chunks.add(new ByteArrayInputStream(chunk));
        }
        return new java.io.SequenceInputStream(java.util.Collections.enumeration(chunks));
    }

    private static void readVoxels(InputStream in, Path file, NiftiHeader h, NiftiDataType type, float[] out,
            long start) throws IOException {
        int width = type.bytes;
        byte[] buf = new byte[(int) Math.min(CHUNK, (long) out.length * width)];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(h.byteOrder());
        boolean scaled = h.scaled();
        double slope = h.sclSlope();
        double inter = h.sclInter();
        int done = 0;
        while (done < out.length) {
            int want = (int) Math.min(buf.length, (long) (out.length - done) * width);
            int got = in.readNBytes(buf, 0, want);
            if (got < want) {
                long have = (long) done * width + got;
                throw new FormatException(file, "truncated NIfTI voxel data: " + have + " of "
                        + (long) out.length * width + " bytes after byte " + start);
            }
            int n = want / width;
            for (int i = 0; i < n; i++) {
                double v = switch (type) {
                    case UINT8 -> buf[i] & 0xff;
                    case INT8 -> buf[i];
                    case INT16 -> bb.getShort(i * 2);
                    case UINT16 -> bb.getShort(i * 2) & 0xffff;
                    case INT32 -> bb.getInt(i * 4);
                    case UINT32 -> bb.getInt(i * 4) & 0xffffffffL;
                    case INT64 -> (double) bb.getLong(i * 8);
                    case UINT64 -> unsigned(bb.getLong(i * 8));
                    case FLOAT32 -> bb.getFloat(i * 4);
                    case FLOAT64 -> bb.getDouble(i * 8);
                };
                out[done + i] = (float) (scaled ? v * slope + inter : v);
            }
            done += n;
        }
    }

    private static double unsigned(long bits) {
        return bits >= 0 ? bits : (double) (bits >>> 1) * 2.0 + (bits & 1);
    }

    private static SamtuneException ioError(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new SamtuneException(file + ": no such file");
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return new FormatException(file, "gzip stream is corrupt or truncated (" + e.getMessage() + ")", e);
        }
        return new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
    }

    // ---- writing ----

    private static NiftiDataType defaultType(Volume v) {
        if (v.header() instanceof NiftiHeader src) {
            NiftiDataType t = src.dataType().orElse(NiftiDataType.FLOAT32);
            if (t.isInteger() && firstMisfit(v.data(), t, true) < 0) {
                return t;
            }
        }
        return NiftiDataType.FLOAT32;
    }

    private static void checkFits(Path file, Volume v, NiftiDataType type) {
        if (!type.isInteger()) {
            return;
        }
        int bad = firstMisfit(v.data(), type, false);
        if (bad >= 0) {
            int i = bad % v.nx();
            int j = (bad / v.nx()) % v.ny();
            int k = bad / v.nx() / v.ny();
            throw new SamtuneException(file + ": voxel (" + i + ", " + j + ", " + k + ") is " + v.data()[bad]
                    + ", which " + type + " cannot hold (" + (long) type.min + " to " + (long) type.max
                    + " after rounding); write it as a wider type or float32");
        }
    }

    /** The first value that does not fit the integer type (after rounding, unless {@code exact}), or −1. */
    private static int firstMisfit(float[] data, NiftiDataType type, boolean exact) {
        boolean wide = type == NiftiDataType.INT64 || type == NiftiDataType.UINT64;
        for (int i = 0; i < data.length; i++) {
            double r = Math.rint(data[i]);
            boolean fits = r >= type.min && (wide ? r < type.max : r <= type.max) && (!exact || r == data[i]);
            if (!fits) {
                return i;
            }
        }
        return -1;
    }

    static NiftiHeader headerFor(Volume v, NiftiDataType type) {
        NiftiHeader src = v.header() instanceof NiftiHeader h ? h : null;
        boolean keep = src != null && src.size(1) == v.nx() && src.size(2) == v.ny() && src.size(3) == v.nz()
                && src.bestAffine().equals(v.affine());
        boolean big = v.nx() > Short.MAX_VALUE || v.ny() > Short.MAX_VALUE || v.nz() > Short.MAX_VALUE;
        int version = big ? 2 : src != null ? src.version() : 1;
        int voxOffset = version == 1 ? NiftiHeaderCodec.NIFTI1_VOX_OFFSET : NiftiHeaderCodec.NIFTI2_VOX_OFFSET;
        if (keep) {
            long[] dim = src.dim();
            if (src.volumes() > 1) {
                // One volume of a series: the output is 3-D.
                dim[0] = 3;
                java.util.Arrays.fill(dim, 4, 8, 1);
            }
            return new NiftiHeader(version, ByteOrder.LITTLE_ENDIAN, dim, type.code, type.bytes * 8, src.pixdim(),
                    voxOffset, 1, 0, 0, 0, src.dimInfo(), src.intentP1(), src.intentP2(), src.intentP3(),
                    src.intentCode(), src.intentName(), src.sliceStart(), src.sliceEnd(), src.sliceCode(),
                    src.sliceDuration(), src.toffset(), src.xyztUnits(), src.descrip(), src.auxFile(),
                    src.qformCode(), src.sformCode(), src.quaternB(), src.quaternC(), src.quaternD(),
                    src.qoffsetX(), src.qoffsetY(), src.qoffsetZ(), src.srowX(), src.srowY(), src.srowZ());
        }
        Affine a = v.affine();
        Quaternions.Qform q = Quaternions.affineToQform(a);
        int sformCode = src != null && src.sformCode() > 0 ? src.sformCode() : XFORM_ALIGNED;
        int qformCode = !q.representable() ? 0 : src != null && src.qformCode() > 0 ? src.qformCode() : XFORM_ALIGNED;
        long[] dim = {3, v.nx(), v.ny(), v.nz(), 1, 1, 1, 1};
        double[] pixdim = {q.qfac(), q.dx(), q.dy(), q.dz(), 1, 1, 1, 1};
        double[] m = a.m();
        return new NiftiHeader(version, ByteOrder.LITTLE_ENDIAN, dim, type.code, type.bytes * 8, pixdim, voxOffset,
                1, 0, 0, 0, 0, 0, 0, 0, 0, "", 0, 0, 0, 0, 0,
                src != null ? src.xyztUnits() : UNITS_MM, src != null ? src.descrip() : "samtune", "",
                qformCode, sformCode, q.b(), q.c(), q.d(), q.qx(), q.qy(), q.qz(),
                new double[] {m[0], m[1], m[2], m[3]}, new double[] {m[4], m[5], m[6], m[7]},
                new double[] {m[8], m[9], m[10], m[11]});
    }

    private static void writeVoxels(OutputStream out, float[] data, NiftiDataType type) throws IOException {
        int width = type.bytes;
        ByteBuffer bb = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK / width;
        for (int from = 0; from < data.length; from += perChunk) {
            int to = Math.min(data.length, from + perChunk);
            bb.clear();
            for (int i = from; i < to; i++) {
                double r = Math.rint(data[i]);
                switch (type) {
                    case UINT8, INT8 -> bb.put((byte) (long) r);
                    case INT16, UINT16 -> bb.putShort((short) (long) r);
                    case INT32, UINT32 -> bb.putInt((int) (long) r);
                    case INT64 -> bb.putLong((long) r);
                    case UINT64 -> bb.putLong(r >= 0x1p63 ? ((long) (r / 2)) << 1 : (long) r);
                    case FLOAT32 -> bb.putFloat(data[i]);
                    case FLOAT64 -> bb.putDouble(data[i]);
                }
            }
            out.write(bb.array(), 0, bb.position());
        }
    }
}
