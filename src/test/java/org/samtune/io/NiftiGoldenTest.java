package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Tolerance;

/**
 * Files written by nibabel 5.0.0 (src/test/resources/nifti/make_golden.py) and what nibabel reads from them:
 * voxel values after scl_slope/scl_inter, {@code get_best_affine}, {@code aff2axcodes}. Big-endian NIfTI-1 with
 * a left-handed qform (qfac −1), NIfTI-2 .nii.gz with a sheared sform, a file with neither (base affine), a
 * big-endian NIfTI-2 with dim[0] = 4 and dim[4] = 1.
 */
class NiftiGoldenTest {

    @Test
    void matchesNibabel() throws IOException, URISyntaxException {
        Path dir = Path.of(NiftiGoldenTest.class.getResource("/nifti/golden.txt").toURI()).getParent();
        List<String> lines = Files.readAllLines(dir.resolve("golden.txt"));
        int files = 0;
        for (int at = 0; at + 4 < lines.size(); at += 5) {
            String name = lines.get(at);
            Volume v = Nifti.read(dir.resolve(name));
            long[] shape = longs(lines.get(at + 1), "shape ");
            assertThat(new long[] {v.nx(), v.ny(), v.nz()}).as(name).containsExactly(shape);
            double[] affine = doubles(lines.get(at + 2), "affine ");
            // nibabel builds the qform in float32 arithmetic, samtune in float64: equal within 1e-6 mm.
            assertThat(v.affine().approxEquals(new Affine(affine), 1e-6)).as(name + " " + v.affine()).isTrue();
            assertThat(v.affine().orientation()).as(name).isEqualTo(lines.get(at + 3).substring("axcodes ".length()));
            double[] data = doubles(lines.get(at + 4), "data ");
            float[] expected = new float[data.length];
            for (int i = 0; i < data.length; i++) {
                expected[i] = (float) data[i];
            }
            // Values are float32 casts of the same float64 numbers: exact.
            Tolerance.assertClose(name, v.data(), expected, 0, 0);
            files++;
        }
        assertThat(files).isEqualTo(4);
    }

    private static double[] doubles(String line, String prefix) {
        assertThat(line).startsWith(prefix);
        String[] parts = line.substring(prefix.length()).trim().split(" ");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }

    private static long[] longs(String line, String prefix) {
        double[] d = doubles(line, prefix);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (long) d[i];
        }
        return out;
    }
}
