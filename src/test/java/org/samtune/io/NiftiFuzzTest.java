package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Fuzz;

/**
 * Seeded random damage to real and synthetic NIfTI files (10,000 mutants): every mutant must either read (into a
 * consistent Volume) or throw {@link FormatException}; never another exception, never OutOfMemoryError, never a
 * hang; each has its own time limit ({@link Fuzz}).
 */
class NiftiFuzzTest {
    private static final int MUTANTS_PER_BASE = 2000; // 5 bases: 10,000 mutants
    private static final long SEED = 20261127L;

    /** (offset, width, kind) of NIfTI-1 fields: 'i' integer, 'f' float. */
    private static final int[][] FIELDS1 = {
        {0, 4, 'i'}, {40, 2, 'i'}, {42, 2, 'i'}, {44, 2, 'i'}, {46, 2, 'i'}, {48, 2, 'i'}, {50, 2, 'i'},
        {70, 2, 'i'}, {72, 2, 'i'}, {76, 4, 'f'}, {80, 4, 'f'}, {84, 4, 'f'}, {88, 4, 'f'}, {108, 4, 'f'},
        {112, 4, 'f'}, {116, 4, 'f'}, {252, 2, 'i'}, {254, 2, 'i'}, {256, 4, 'f'}, {260, 4, 'f'}, {264, 4, 'f'},
        {268, 4, 'f'}, {280, 4, 'f'}, {284, 4, 'f'}, {300, 4, 'f'}, {324, 4, 'f'}, {344, 4, 'i'}
    };
    private static final int[][] FIELDS2 = {
        {0, 4, 'i'}, {4, 4, 'i'}, {12, 2, 'i'}, {14, 2, 'i'}, {16, 8, 'i'}, {24, 8, 'i'}, {32, 8, 'i'},
        {40, 8, 'i'}, {48, 8, 'i'}, {104, 8, 'f'}, {112, 8, 'f'}, {120, 8, 'f'}, {128, 8, 'f'}, {168, 8, 'i'},
        {176, 8, 'f'}, {184, 8, 'f'}, {344, 4, 'i'}, {348, 4, 'i'}, {352, 8, 'f'}, {360, 8, 'f'},
        {368, 8, 'f'}, {376, 8, 'f'}, {400, 8, 'f'}, {408, 8, 'f'}, {440, 8, 'f'}, {488, 8, 'f'}
    };
    private static final long[] EXTREME_INTS = {
        0, 1, -1, 2, 3, 4, 7, 8, 255, 348, 540, Short.MAX_VALUE, Short.MIN_VALUE, 65535, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 1L << 31, 128, 1280, 2304
    };
    private static final double[] EXTREME_FLOATS = {
        0, -0.0, 1, -1, 0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.MIN_VALUE, 1e30, -1e30, 352, 353, 544, 1e9, 2.5e-39, Double.MAX_VALUE
    };

    record Base(String name, byte[] plain, int version, ByteOrder order, boolean gzip) {}

    @Test
    void mutantsReadOrThrowFormatException() throws IOException {
        List<Base> bases = bases();
        try (Fuzz fuzz = new Fuzz("NIfTI", FormatException.class)) {
            for (int b = 0; b < bases.size(); b++) {
                Base base = bases.get(b);
                for (int m = 0; m < MUTANTS_PER_BASE; m++) {
                    Random rnd = new Random(SEED + 1_000_003L * b + m);
                    StringBuilder what = new StringBuilder();
                    byte[] mutant = mutate(base, rnd, what);
                    Path name = Path.of("fuzz-" + base.name() + "-" + m + (base.gzip() ? ".nii.gz" : ".nii"));
                    int volume = rnd.nextInt(3) - 1 < 0 ? -1 : 0;
                    fuzz.input("base " + base.name() + " mutant " + m + " (" + what + ")", () -> {
                        Volume v = Nifti.read(mutant, name, volume);
                        assertThat(v.data().length).isEqualTo(v.nx() * v.ny() * v.nz());
                        for (double x : v.affine().m()) {
                            assertThat(Double.isFinite(x)).as("finite affine from " + what).isTrue();
                        }
                        return v;
                    }, refusal -> assertThat(refusal.getMessage()).startsWith(name.toString()));
                }
            }
            // The mutations must exercise both outcomes, or the test measures nothing.
            assertThat(fuzz.inputs()).isEqualTo(10_000);
            assertThat(fuzz.read()).as("mutants read").isGreaterThan(600);
            assertThat(fuzz.refused()).as("mutants refused").isGreaterThan(2400);
        }
    }

    private static byte[] mutate(Base base, Random rnd, StringBuilder what) throws IOException {
        if (base.gzip() && rnd.nextInt(3) == 0) {
            // Damage the compressed stream itself.
            byte[] gz = NiftiTest.gzip(base.plain());
            return rnd.nextBoolean() ? flip(gz, rnd, what, gz.length) : truncate(gz, rnd, what);
        }
        byte[] b = base.plain().clone();
        int headerSize = base.version() == 1 ? 352 : 544;
        int kind = rnd.nextInt(10);
        if (kind < 4) {
            b = overwriteFields(b, base, rnd, what);
        } else if (kind < 7) {
            b = flip(b, rnd, what, rnd.nextInt(4) == 0 ? b.length : headerSize);
        } else if (kind < 9) {
            b = truncate(b, rnd, what);
        } else {
            int extra = rnd.nextInt(64);
            byte[] longer = Arrays.copyOf(b, b.length + extra);
            for (int i = b.length; i < longer.length; i++) {
                longer[i] = (byte) rnd.nextInt();
            }
            what.append("append ").append(extra);
            b = longer;
        }
        return base.gzip() ? NiftiTest.gzip(b) : b;
    }

    private static byte[] overwriteFields(byte[] b, Base base, Random rnd, StringBuilder what) {
        int[][] fields = base.version() == 1 ? FIELDS1 : FIELDS2;
        ByteBuffer bb = ByteBuffer.wrap(b).order(base.order());
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            int[] f = fields[rnd.nextInt(fields.length)];
            if (f[2] == 'i') {
                long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : EXTREME_INTS[rnd.nextInt(EXTREME_INTS.length)];
                switch (f[1]) {
                    case 2 -> bb.putShort(f[0], (short) v);
                    case 4 -> bb.putInt(f[0], (int) v);
                    default -> bb.putLong(f[0], v);
                }
                what.append("@").append(f[0]).append("=").append(v).append(' ');
            } else {
                double v = rnd.nextInt(4) == 0 ? rnd.nextGaussian() * 1e3
                        : EXTREME_FLOATS[rnd.nextInt(EXTREME_FLOATS.length)];
                if (f[1] == 4) {
                    bb.putFloat(f[0], (float) v);
                } else {
                    bb.putDouble(f[0], v);
                }
                what.append("@").append(f[0]).append("=").append(v).append(' ');
            }
        }
        return b;
    }

    private static byte[] flip(byte[] b, Random rnd, StringBuilder what, int within) {
        byte[] out = b.clone();
        int n = 1 + rnd.nextInt(8);
        for (int k = 0; k < n; k++) {
            int at = rnd.nextInt(Math.min(within, out.length));
            out[at] ^= (byte) (1 + rnd.nextInt(255));
            what.append("flip@").append(at).append(' ');
        }
        return out;
    }

    private static byte[] truncate(byte[] b, Random rnd, StringBuilder what) {
        int keep = rnd.nextInt(b.length);
        what.append("truncate ").append(keep).append(' ');
        return Arrays.copyOf(b, keep);
    }

    private static List<Base> bases() throws IOException {
        List<Base> out = new ArrayList<>();
        // Colin27's own header, its dims cut to a 16 × 16 × 8 block of its voxels.
        byte[] ch2 = NiftiTest.gunzip(Fixtures.data("colin27/ch2.nii.gz"));
        int nx = 16;
        int ny = 16;
        int nz = 8;
        byte[] crop = Arrays.copyOf(ch2, 352 + nx * ny * nz);
        System.arraycopy(ch2, 352 + 3_500_000, crop, 352, nx * ny * nz);
        ByteBuffer hb = ByteBuffer.wrap(crop).order(ByteOrder.LITTLE_ENDIAN);
        hb.putShort(42, (short) nx).putShort(44, (short) ny).putShort(46, (short) nz);
        assertThat(Nifti.read(crop, Path.of("crop.nii"), -1).nx()).isEqualTo(nx);
        out.add(new Base("ch2crop", crop, 1, ByteOrder.LITTLE_ENDIAN, false));
        out.add(new Base("ch2crop-gz", crop, 1, ByteOrder.LITTLE_ENDIAN, true));

        // Synthetic big-endian NIfTI-2 int16 with scaling and a rotated, left-handed qform.
        Volume rotated = new Volume(6, 5, 4, ramp(120), new Affine(new double[] {
            0, -0.9, 0, 3, 1.1, 0, 0, -4, 0, 0, -2, 5, 0, 0, 0, 1}));
        NiftiHeader h2 = Nifti.headerFor(rotated, NiftiDataType.INT16);
        NiftiHeader be2 = new NiftiHeader(2, ByteOrder.BIG_ENDIAN, h2.dim(), h2.datatype(), h2.bitpix(), h2.pixdim(),
                544, 0.5, -3, 0, 0, 0, 0, 0, 0, 0, "", 0, 0, 0, 0, 0, h2.xyztUnits(), "", "", 1, 0,
                h2.quaternB(), h2.quaternC(), h2.quaternD(), h2.qoffsetX(), h2.qoffsetY(), h2.qoffsetZ(),
                h2.srowX(), h2.srowY(), h2.srowZ());
        byte[] syn2 = NiftiTest.file(be2, rotated.data(), ByteOrder.BIG_ENDIAN, NiftiDataType.INT16);
        assertThat(Nifti.read(syn2, Path.of("syn2.nii"), -1).affine().approxEquals(rotated.affine(), 1e-9)).isTrue();
        out.add(new Base("nifti2-be-int16", syn2, 2, ByteOrder.BIG_ENDIAN, false));

        // Synthetic little-endian NIfTI-1 float32 with a 4-D dim (two volumes).
        NiftiHeader f1 = NiftiTest.header(1, ByteOrder.LITTLE_ENDIAN, NiftiDataType.FLOAT32,
                new long[] {4, 5, 4, 3, 2, 1, 1, 1}, 0, 0);
        out.add(new Base("nifti1-f32-4d", NiftiTest.file(f1, ramp(120), ByteOrder.LITTLE_ENDIAN,
                NiftiDataType.FLOAT32), 1, ByteOrder.LITTLE_ENDIAN, false));

        // nibabel's NIfTI-2 .nii.gz with a sheared sform.
        Path golden = Path.of(Fixtures.class.getResource("/nifti/sform_nifti2_float32.nii.gz").getPath());
        out.add(new Base("nibabel-nifti2-gz", NiftiTest.gunzip(golden), 2, ByteOrder.LITTLE_ENDIAN, true));
        return out;
    }

    private static float[] ramp(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = i * 7 - 300;
        }
        return d;
    }
}
