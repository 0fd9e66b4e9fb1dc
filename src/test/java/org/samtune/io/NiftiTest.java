package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.testing.Fixtures;

class NiftiTest {
    @TempDir
    Path tmp;

    static final Path CH2 = Fixtures.data("colin27/ch2.nii.gz");
    static final Path CH2BET = Fixtures.data("colin27/ch2bet.nii.gz");
    static final Path AAL = Fixtures.data("colin27/aal.nii.gz");

    // Sums, maxima and the centre voxel (90, 108, 90) counted with Python's gzip module over the raw uint8 bytes.
    @Test
    void readsColin27() {
        Volume v = Nifti.read(CH2);
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(181, 217, 181);
        assertThat(v.affine().m()).containsExactly(1, 0, 0, -90, 0, 1, 0, -125, 0, 0, 1, -71, 0, 0, 0, 1);
        assertThat(v.affine().orientation()).isEqualTo("RAS");
        assertThat(v.spacingMm()).containsExactly(1, 1, 1);
        assertThat(sum(v.data())).isEqualTo(317151210L);
        assertThat(max(v.data())).isEqualTo(254f);
        assertThat(v.get(90, 108, 90)).isEqualTo(33f);
        NiftiHeader h = (NiftiHeader) v.header();
        assertThat(h.version()).isEqualTo(1);
        assertThat(h.byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(h.dataType()).contains(NiftiDataType.UINT8);
        assertThat(h.sformCode()).isEqualTo(4);
        assertThat(h.qformCode()).isZero();
        assertThat(h.voxOffset()).isEqualTo(352);
        assertThat(h.affineSource()).isEqualTo("sform");
        assertThat(Nifti.readHeader(CH2)).isEqualTo(h);

        Volume bet = Nifti.read(CH2BET);
        assertThat(sum(bet.data())).isEqualTo(158526435L);
        assertThat(max(bet.data())).isEqualTo(133f);
        Volume aal = Nifti.read(AAL);
        assertThat(sum(aal.data())).isEqualTo(76656511L);
        java.util.Set<Float> labels = new java.util.HashSet<>();
        for (float x : aal.data()) {
            labels.add(x);
        }
        assertThat(labels).hasSize(117).allMatch(x -> x == Math.rint(x) && x >= 0 && x <= 116);
        assertThat(aal.sameGrid(v)).isTrue();
    }

    @Test
    void roundTripKeepsVoxelsAffineAndHeader() throws IOException {
        Volume v = Nifti.read(CH2);
        NiftiHeader src = (NiftiHeader) v.header();
        for (String name : new String[] {"ch2.nii.gz", "ch2.nii"}) {
            Path out = tmp.resolve(name);
            Nifti.write(out, v);
            if (name.endsWith(".gz")) {
                try (InputStream in = Files.newInputStream(out)) {
                    assertThat(in.read()).isEqualTo(0x1f);
                }
            } else {
                assertThat(Files.size(out)).isEqualTo(352 + 181L * 217 * 181);
            }
            Volume back = Nifti.read(out);
            assertThat(back.data()).isEqualTo(v.data());
            assertThat(back.affine()).isEqualTo(v.affine());
            NiftiHeader h = (NiftiHeader) back.header();
            assertThat(h.dataType()).contains(NiftiDataType.UINT8);
            assertGeometryKept(h, src);
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ch2.nii.gz", "ch2.nii");
        }
    }

    @Test
    void labelVolumeKeepsSourceGeometry() {
        Volume t1 = Nifti.read(CH2);
        Volume aal = Nifti.read(AAL);
        Volume labels = t1.withData(aal.data());
        for (NiftiDataType type : new NiftiDataType[] {NiftiDataType.UINT8, NiftiDataType.INT16}) {
            Path out = tmp.resolve("labels-" + type + ".nii.gz");
            Nifti.write(out, labels, type);
            Volume back = Nifti.read(out);
            NiftiHeader h = (NiftiHeader) back.header();
            assertThat(h.dataType()).contains(type);
            assertThat(h.bitpix()).isEqualTo(type.bytes * 8);
            assertThat(h.sclSlope()).isEqualTo(1);
            assertThat(h.sclInter()).isZero();
            assertGeometryKept(h, (NiftiHeader) t1.header());
            assertThat(back.data()).isEqualTo(aal.data());
            assertThat(back.affine()).isEqualTo(t1.affine());
        }
    }

    @Test
    void writeLabelsPicksUint8OrInt16() {
        Volume t1 = Nifti.read(CH2);
        Volume aal = Nifti.read(AAL);
        Path small = tmp.resolve("aal.nii.gz");
        Nifti.writeLabels(small, t1, aal.data());
        assertThat(Nifti.readHeader(small).dataType()).contains(NiftiDataType.UINT8);
        assertGeometryKept(Nifti.readHeader(small), (NiftiHeader) t1.header());
        float[] wide = aal.data().clone();
        wide[5] = 1000;
        Path big = tmp.resolve("wide.nii");
        Nifti.writeLabels(big, t1, wide);
        assertThat(Nifti.readHeader(big).dataType()).contains(NiftiDataType.INT16);
        assertThat(Nifti.read(big).data()).isEqualTo(wide);
        wide[7] = 2.5f;
        assertThatThrownBy(() -> Nifti.writeLabels(big, t1, wide)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("label 2.5 at voxel index 7 is not a whole number");
    }

    @Test
    void writeRefusesValuesTheTypeCannotHold() {
        Volume v = new Volume(2, 1, 1, new float[] {3, 300}, Affine.identity());
        assertThatThrownBy(() -> Nifti.write(tmp.resolve("x.nii"), v, NiftiDataType.UINT8))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("voxel (1, 0, 0) is 300.0").hasMessageContaining("UINT8");
        assertThat(tmp.resolve("x.nii")).doesNotExist();
        Volume nan = new Volume(1, 1, 1, new float[] {Float.NaN}, Affine.identity());
        assertThatThrownBy(() -> Nifti.write(tmp.resolve("y.nii"), nan, NiftiDataType.INT16))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Nifti.write(tmp.resolve("y.png"), nan))
                .isInstanceOf(SamtuneException.class).hasMessageContaining(".nii or .nii.gz");
        // Rounding to nearest, and every type's extremes survive.
        Volume r = new Volume(3, 1, 1, new float[] {-0.4f, 2.6f, -32768}, Affine.identity());
        Nifti.write(tmp.resolve("r.nii"), r, NiftiDataType.INT16);
        assertThat(Nifti.read(tmp.resolve("r.nii")).data()).containsExactly(0f, 3f, -32768f);
    }

    @Test
    void everyDataTypeBothOrdersBothVersions() throws IOException {
        for (NiftiDataType type : NiftiDataType.values()) {
            float[] values = extremes(type);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (int version = 1; version <= 2; version++) {
                    NiftiHeader h = header(version, order, type, new long[] {3, values.length, 1, 1, 1, 1, 1, 1},
                            0, 0);
                    Path f = tmp.resolve(type + "-" + order + "-" + version + ".nii");
                    Files.write(f, file(h, values, order, type));
                    Volume v = Nifti.read(f);
                    assertThat(v.data()).as("%s %s NIfTI-%d", type, order, version).containsExactly(values);
                    // And through the writer (always little-endian) and back.
                    Path g = tmp.resolve("w-" + f.getFileName());
                    Nifti.write(g, v, type);
                    assertThat(Nifti.read(g).data()).containsExactly(values);
                }
            }
        }
    }

    @Test
    void sclSlopeAndInterRescale() throws IOException {
        float[] raw = {0, 1, -2, 100};
        NiftiHeader h = header(1, ByteOrder.BIG_ENDIAN, NiftiDataType.INT16, new long[] {3, 4, 1, 1, 1, 1, 1, 1},
                0.5, -1024);
        Path f = tmp.resolve("scaled.nii");
        Files.write(f, file(h, raw, ByteOrder.BIG_ENDIAN, NiftiDataType.INT16));
        Volume v = Nifti.read(f);
        assertThat(v.data()).containsExactly(-1024f, -1023.5f, -1025f, -974f);
        // Written back: no longer integers in int16 range → float32 by default, scl reset to 1/0.
        Path g = tmp.resolve("scaled-out.nii");
        Nifti.write(g, v);
        NiftiHeader back = Nifti.readHeader(g);
        assertThat(back.dataType()).contains(NiftiDataType.FLOAT32);
        assertThat(back.sclSlope()).isEqualTo(1);
        assertThat(Nifti.read(g).data()).containsExactly(v.data());
        // Slope 0 means no scaling, whatever the intercept.
        NiftiHeader none = header(1, ByteOrder.LITTLE_ENDIAN, NiftiDataType.INT16,
                new long[] {3, 4, 1, 1, 1, 1, 1, 1}, 0, 7);
        Files.write(f, file(none, raw, ByteOrder.LITTLE_ENDIAN, NiftiDataType.INT16));
        assertThat(Nifti.read(f).data()).containsExactly(raw);
    }

    @Test
    void fourDimensionalSeries() throws IOException {
        float[] values = {1, 2, 3, 4, 5, 6};
        NiftiHeader h = header(1, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT32,
                new long[] {4, 2, 1, 1, 3, 1, 1, 1}, 0, 0);
        Path f = tmp.resolve("series.nii");
        Files.write(f, file(h, values, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT32));
        assertThatThrownBy(() -> Nifti.read(f)).isInstanceOf(FormatException.class)
                .hasMessageContaining("series.nii").hasMessageContaining("dim[4..7] hold 3 volumes");
        assertThat(Nifti.read(f, 0).data()).containsExactly(1, 2);
        assertThat(Nifti.read(f, 2).data()).containsExactly(5, 6);
        assertThatThrownBy(() -> Nifti.read(f, 3)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("volume index 3");
        // Written back, one volume of the series is a 3-D file.
        Path g = tmp.resolve("one.nii");
        Nifti.write(g, Nifti.read(f, 1));
        NiftiHeader one = Nifti.readHeader(g);
        assertThat(one.dim()).containsExactly(3, 2, 1, 1, 1, 1, 1, 1);
        assertThat(Nifti.read(g).data()).containsExactly(3, 4);
        // dim[0] = 4 with dim[4] = 1 is an ordinary 3-D image.
        NiftiHeader single = header(1, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT32,
                new long[] {4, 2, 1, 1, 1, 1, 1, 1}, 0, 0);
        Files.write(f, file(single, new float[] {7, 8}, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT32));
        assertThat(Nifti.read(f).data()).containsExactly(7, 8);
    }

    @Test
    void inMemoryVolumeGetsSformAndQformFromItsAffine() {
        // A rotated, left-handed (LPS-like) affine with 0.8 × 0.8 × 3 mm voxels.
        double c = Math.cos(0.3);
        double s = Math.sin(0.3);
        Affine a = new Affine(new double[] {
            -0.8 * c, -0.8 * s, 0, 10,
            -0.8 * s, 0.8 * c, 0, -20,
            0, 0, 3, 30,
            0, 0, 0, 1});
        Volume v = new Volume(2, 2, 2, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, a);
        Path f = tmp.resolve("fresh.nii.gz");
        Nifti.write(f, v);
        NiftiHeader h = Nifti.readHeader(f);
        assertThat(h.dataType()).contains(NiftiDataType.FLOAT32);
        assertThat(h.sformCode()).isEqualTo(2);
        assertThat(h.qformCode()).isEqualTo(2);
        assertThat(h.pixdim()[0]).isEqualTo(-1);
        // Both stored as float32: equal to the affine within float32 rounding.
        assertThat(h.sformAffine().approxEquals(a, 1e-5)).isTrue();
        assertThat(h.qformAffine().approxEquals(a, 1e-5)).as(h.qformAffine().toString()).isTrue();
        assertThat(h.orientation()).isEqualTo(a.orientation()).isEqualTo("LAS");
        assertThat(h.voxelSizes()).containsExactly(0.8f, 0.8f, 3f);
    }

    @Test
    void baseAffineWhenNoQformOrSform() throws IOException {
        NiftiHeader h = header(1, ByteOrder.LITTLE_ENDIAN, NiftiDataType.UINT8, new long[] {3, 4, 5, 6, 1, 1, 1, 1},
                0, 0);
        // nibabel's get_base_affine: diag(-2, 3, 4), origin -(shape-1)/2 · zooms.
        assertThat(h.bestAffine().m()).containsExactly(-2, 0, 0, 3, 0, 3, 0, -6, 0, 0, 4, -10, 0, 0, 0, 1);
        assertThat(h.affineSource()).isEqualTo("pixdim");
    }

    // ---- bad input ----

    @Test
    void truncatedGzipIsAFormatError() throws IOException {
        byte[] gz = Files.readAllBytes(CH2);
        for (int keep : new int[] {10, 200, gz.length / 2, gz.length - 4}) {
            Path f = tmp.resolve("cut" + keep + ".nii.gz");
            Files.write(f, java.util.Arrays.copyOf(gz, keep));
            assertThatThrownBy(() -> Nifti.read(f)).as("cut at %d", keep).isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(f.toString());
        }
    }

    @Test
    void corruptGzipDataIsAFormatError() throws IOException {
        byte[] gz = Files.readAllBytes(AAL);
        gz[gz.length - 6] ^= 0x55; // inside the CRC32 trailer
        Path f = tmp.resolve("crc.nii.gz");
        Files.write(f, gz);
        assertThatThrownBy(() -> Nifti.read(f)).isInstanceOf(FormatException.class).hasMessageContaining("gzip");
    }

    @Test
    void wrongSizeofHdr() throws IOException {
        byte[] b = small();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 349);
        assertThatThrownBy(() -> Nifti.read(write("sz.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("sz.nii").hasMessageContaining("sizeof_hdr is 349");
        assertThatThrownBy(() -> Nifti.read(write("empty.nii", new byte[2]))).isInstanceOf(FormatException.class)
                .hasMessageContaining("too short");
        assertThatThrownBy(() -> Nifti.read(write("half.nii", java.util.Arrays.copyOf(small(), 200))))
                .isInstanceOf(FormatException.class).hasMessageContaining("truncated NIfTI-1 header: 200 of 348");
    }

    @Test
    void badMagic() throws IOException {
        byte[] b = small();
        b[345] = 'i';
        assertThatThrownBy(() -> Nifti.read(write("pair.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining(".hdr/.img pair");
        b[344] = 'x';
        assertThatThrownBy(() -> Nifti.read(write("magic.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("magic is 'xi1'");
    }

    @Test
    void negativeOrAbsurdDimensions() throws IOException {
        byte[] b = small();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(42, (short) -5);
        assertThatThrownBy(() -> Nifti.read(write("neg.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("dim[1] is -5");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(40, (short) 9);
        assertThatThrownBy(() -> Nifti.read(write("dim0.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("dim[0] is 9");
        // NIfTI-1's largest claim, 32767³ ≈ 2^45 voxels, in a file of under 1 KB.
        byte[] big = small();
        for (int a = 1; a <= 3; a++) {
            ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putShort(40 + 2 * a, Short.MAX_VALUE);
        }
        assertThat(big.length).isLessThan(1024);
        assertThatThrownBy(() -> Nifti.read(write("huge.nii", big))).isInstanceOf(FormatException.class)
                .hasMessageContaining("dim[1..3] = 32767×32767×32767");
        // A NIfTI-2 header claiming 2^40 voxels (within one Java array's reach per axis? no: 2^20 × 2^20).
        NiftiHeader h2 = header(2, ByteOrder.BIG_ENDIAN, NiftiDataType.UINT8,
                new long[] {3, 1L << 20, 1L << 20, 1, 1, 1, 1, 1}, 0, 0);
        byte[] b2 = file(h2, new float[] {1, 2}, ByteOrder.BIG_ENDIAN, NiftiDataType.UINT8);
        assertThatThrownBy(() -> Nifti.read(write("huge2.nii", b2))).isInstanceOf(FormatException.class)
                .hasMessageContaining("1048576×1048576×1");
        // Within Java's reach but beyond the file: refused before allocating 2 GB.
        NiftiHeader h3 = header(2, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT64,
                new long[] {3, 1 << 15, 1 << 15, 1, 1, 1, 1, 1}, 0, 0);
        byte[] b3 = file(h3, new float[] {1, 2}, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT64);
        assertThatThrownBy(() -> Nifti.read(write("big3.nii", b3))).isInstanceOf(FormatException.class)
                .hasMessageContaining("needs 8589935136 bytes but the file has 560 bytes");
        byte[] gz3 = gzip(b3);
        assertThatThrownBy(() -> Nifti.read(write("big3.nii.gz", gz3))).isInstanceOf(FormatException.class)
                .hasMessageContaining("gzip stream can hold at most");
        // Within deflate's bound (zeros compress ~1000-fold) but one byte short: found before the volume is
        // allocated, by decompressing first.
        int n = (1 << 23) + 1;
        NiftiHeader h4 = header(2, ByteOrder.LITTLE_ENDIAN, NiftiDataType.UINT8, new long[] {3, n, 1, 1, 1, 1, 1, 1},
                0, 0);
        byte[] b4 = file(h4, new float[n - 1], ByteOrder.LITTLE_ENDIAN, NiftiDataType.UINT8);
        byte[] gz4 = gzip(b4);
        assertThat((long) gz4.length * 1032).isGreaterThan(b4.length + 1);
        assertThatThrownBy(() -> Nifti.read(write("short.nii.gz", gz4))).isInstanceOf(FormatException.class)
                .hasMessageContaining("truncated NIfTI voxel data: 8388608 of 8388609 bytes");
    }

    @Test
    void unsupportedDatatype() throws IOException {
        byte[] b = small();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(70, (short) 128);
        assertThatThrownBy(() -> Nifti.read(write("rgb.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("datatype RGB24 (128) is not supported");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(70, (short) 32);
        assertThatThrownBy(() -> Nifti.readHeader(write("cplx.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("COMPLEX64");
    }

    @Test
    void voxOffsetBeyondTheFile() throws IOException {
        byte[] b = small();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 1e6f);
        assertThatThrownBy(() -> Nifti.read(write("off.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("vox_offset 1000000");
        // A gzip stream's size is known only once read: past its end, the skip itself fails.
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 50000f);
        byte[] gz = gzip(b);
        assertThatThrownBy(() -> Nifti.read(write("off.nii.gz", gz))).isInstanceOf(FormatException.class)
                .hasMessageContaining("vox_offset 50000").hasMessageContaining("beyond the end");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 100.5f);
        assertThatThrownBy(() -> Nifti.read(write("frac.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("vox_offset is 100.5");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, 0);
        assertThatThrownBy(() -> Nifti.read(write("zero.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("vox_offset is 0; expected ≥ 348");
    }

    @Test
    void nonFiniteGeometryOrIntercept() throws IOException {
        byte[] b = small();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(254, (short) 1).putFloat(284, Float.NaN);
        assertThatThrownBy(() -> Nifti.read(write("nan.nii", b))).isInstanceOf(FormatException.class)
                .hasMessageContaining("srow_x/srow_y/srow_z (sform_code 1)");
        byte[] c = small();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putFloat(112, 2).putFloat(116, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> Nifti.read(write("inter.nii", c))).isInstanceOf(FormatException.class)
                .hasMessageContaining("scl_inter is Infinity");
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> Nifti.read(tmp.resolve("absent.nii.gz"))).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("absent.nii.gz: no such file");
    }

    // ---- helpers ----

    static void assertGeometryKept(NiftiHeader h, NiftiHeader src) {
        assertThat(h.dim()).containsExactly(src.dim());
        assertThat(h.pixdim()).containsExactly(src.pixdim());
        assertThat(h.qformCode()).isEqualTo(src.qformCode());
        assertThat(h.sformCode()).isEqualTo(src.sformCode());
        assertThat(new double[] {h.quaternB(), h.quaternC(), h.quaternD(), h.qoffsetX(), h.qoffsetY(), h.qoffsetZ()})
                .containsExactly(src.quaternB(), src.quaternC(), src.quaternD(), src.qoffsetX(), src.qoffsetY(),
                        src.qoffsetZ());
        assertThat(h.srowX()).containsExactly(src.srowX());
        assertThat(h.srowY()).containsExactly(src.srowY());
        assertThat(h.srowZ()).containsExactly(src.srowZ());
        assertThat(h.xyztUnits()).isEqualTo(src.xyztUnits());
    }

    /** A header with pixdim (qfac 1, 2, 3, 4 mm) and no qform/sform. */
    static NiftiHeader header(int version, ByteOrder order, NiftiDataType type, long[] dim, double slope,
            double inter) {
        int off = version == 1 ? 352 : 544;
        return new NiftiHeader(version, order, dim, type.code, type.bytes * 8,
                new double[] {1, 2, 3, 4, 1, 1, 1, 1}, off, slope, inter, 0, 0, 0, 0, 0, 0, 0, "", 0, 0, 0, 0, 0,
                2, "test", "", 0, 0, 0, 0, 0, 0, 0, 0, new double[4], new double[4], new double[4]);
    }

    /** Header bytes from the codec followed by values encoded independently of the writer. */
    static byte[] file(NiftiHeader h, float[] values, ByteOrder order, NiftiDataType type) {
        byte[] head = NiftiHeaderCodec.encode(h);
        ByteBuffer d = ByteBuffer.allocate(values.length * type.bytes).order(order);
        for (float v : values) {
            switch (type) {
                case UINT8, INT8 -> d.put((byte) (long) v);
                case INT16, UINT16 -> d.putShort((short) (long) v);
                case INT32, UINT32 -> d.putInt((int) (long) v);
                case INT64 -> d.putLong((long) v);
                case UINT64 -> d.putLong(new java.math.BigDecimal(v).toBigInteger().longValue());
                case FLOAT32 -> d.putFloat(v);
                case FLOAT64 -> d.putDouble(v);
            }
        }
        byte[] out = java.util.Arrays.copyOf(head, head.length + d.capacity());
        System.arraycopy(d.array(), 0, out, head.length, d.capacity());
        return out;
    }

    static float[] extremes(NiftiDataType type) {
        return switch (type) {
            case UINT8 -> new float[] {0, 1, 128, 255};
            case INT8 -> new float[] {-128, -1, 0, 127};
            case INT16 -> new float[] {-32768, -1, 0, 32767};
            case UINT16 -> new float[] {0, 1, 40000, 65535};
            case INT32 -> new float[] {-2147483648f, -7, 0, 16777216};
            case UINT32 -> new float[] {0, 3, 3e9f, 4294967040f};
            case INT64 -> new float[] {-9.223372e18f, -5, 0, 9.2233715e18f};
            case UINT64 -> new float[] {0, 9, 1e19f, 1.8446743e19f};
            case FLOAT32 -> new float[] {-Float.MAX_VALUE, -1.5f, 1e-30f, Float.MAX_VALUE};
            case FLOAT64 -> new float[] {Float.NEGATIVE_INFINITY, -0.25f, Float.NaN, 3.4e38f};
        };
    }

    /** A valid 4 × 2 × 1 uint8 NIfTI-1 file of 360 bytes. */
    static byte[] small() {
        return file(header(1, ByteOrder.LITTLE_ENDIAN, NiftiDataType.UINT8, new long[] {3, 4, 2, 1, 1, 1, 1, 1}, 1, 0),
                new float[] {0, 1, 2, 3, 4, 5, 6, 7}, ByteOrder.LITTLE_ENDIAN, NiftiDataType.UINT8);
    }

    Path write(String name, byte[] content) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, content);
        return f;
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(b);
        }
        return bo.toByteArray();
    }

    static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    static long sum(float[] d) {
        long s = 0;
        for (float x : d) {
            s += (long) x;
        }
        return s;
    }

    static float max(float[] d) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : d) {
            m = Math.max(m, x);
        }
        return m;
    }
}
