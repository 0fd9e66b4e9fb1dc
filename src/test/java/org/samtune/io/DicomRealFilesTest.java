package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The reader on the real scans in data/dicom, cross-checked with pydicom 2.3.1 (pixel_array, apply_modality_lut,
 * apply_color_lut). The expected numbers below were printed by pydicom; values are integers, so the comparison is
 * exact. "wsum" is Σ value·(flat index mod 1009), a checksum that also catches misplaced pixels.
 */
class DicomRealFilesTest {
    static final Path DATA = Path.of("data", "dicom");

    @Test
    void mrSeriesBuildsASortedVolumeWithTheRightGeometry() {
        Volume v = Dicom.readSeries(DATA.resolve("mr-series"));
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(256, 256, 20);
        double[] spacing = v.spacingMm();
        // The file's column cosine (0, 0.99096, 0.134158) has norm 1 + 4.5e-8: hence 1e-6, not exact.
        assertThat(spacing[0]).isCloseTo(0.859375, within(1e-6));
        assertThat(spacing[1]).isCloseTo(0.859375, within(1e-6));
        // pydicom: positions along the normal run from -61.5944 to 71.4156 mm over 19 gaps.
        assertThat(spacing[2]).isCloseTo((71.4156 + 61.5944) / 19, within(1e-3));

        // Affine = LPS geometry with x and y negated; first slice brain_001 at (-110.5, -78.3063, -72.7575) LPS.
        Affine a = v.affine();
        assertThat(a.get(0, 3)).isCloseTo(110.5, within(1e-9));
        assertThat(a.get(1, 3)).isCloseTo(78.3063, within(1e-9));
        assertThat(a.get(2, 3)).isCloseTo(-72.7575, within(1e-9));
        assertThat(a.get(0, 0)).isCloseTo(-0.859375, within(1e-9));
        assertThat(a.get(1, 1)).isCloseTo(-0.99096 * 0.859375, within(1e-9));
        assertThat(a.get(2, 1)).isCloseTo(0.134158 * 0.859375, within(1e-9));
        // Last slice brain_020 at (-110.5, -96.2063, 59.0425) LPS.
        double[] last = a.apply(0, 0, 19);
        assertThat(last).containsExactly(new double[] {110.5, 96.2063, 59.0425}, within(1e-6));

        // Positions along the normal strictly increase with k.
        double[] n = {0, -0.134158, 0.99096};
        double previous = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v.nz(); k++) {
            double[] ras = a.apply(0, 0, k);
            double along = -ras[0] * n[0] - ras[1] * n[1] + ras[2] * n[2];
            assertThat(along).isGreaterThan(previous);
            previous = along;
        }
        assertThat(v.affine().orientation()).isEqualTo("LPS");

        assertThat(v.get(128, 128, 0)).isEqualTo(115f);
        assertThat(v.get(150, 100, 5)).isEqualTo(283f);
        assertThat(v.get(64, 128, 10)).isEqualTo(497f);
        assertThat(v.get(30, 200, 19)).isEqualTo(0f);
        assertThat(v.get(201, 77, 12)).isEqualTo(319f);
        assertThat(sum(v.data())).isEqualTo(219593921L);
        assertThat(weightedSum(v.data(), 1, 0)).isEqualTo(110749658251L);

        DicomMetadata m = (DicomMetadata) v.header();
        assertThat(m.file().getFileName().toString()).isEqualTo("brain_001.dcm");
        assertThat(m.seriesInstanceUid()).isEqualTo("0.0.0.0.3.8811.2.20010413115754.12432");
        assertThat(m.modality()).isEqualTo("MR");
        assertThat(m.instanceNumber()).isEqualTo(1);
        assertThat(m.sliceThicknessMm()).isEqualTo(5.0);
        assertThat(m.spacingBetweenSlicesMm()).isEqualTo(2.0);
        assertThat(m.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1");
    }

    @Test
    void ctSmallIsSigned16BitRescaledToHounsfield() {
        Volume v = Dicom.read(DATA.resolve("misc/CT_small.dcm"));
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(128, 128, 1);
        DicomMetadata m = (DicomMetadata) v.header();
        assertThat(m.signed()).isTrue();
        assertThat(m.bitsStored()).isEqualTo(16);
        assertThat(m.rescaleSlope()).isEqualTo(1.0);
        assertThat(m.rescaleIntercept()).isEqualTo(-1024.0);
        assertThat(m.modality()).isEqualTo("CT");
        // pydicom apply_modality_lut: v[row, col]
        assertThat(v.get(0, 0, 0)).isEqualTo(-849f);
        assertThat(v.get(64, 64, 0)).isEqualTo(904f);
        assertThat(v.get(100, 10, 0)).isEqualTo(203f);
        assertThat(v.get(10, 100, 0)).isEqualTo(94f);
        assertThat(v.get(31, 63, 0)).isEqualTo(434f);
        assertThat(min(v.data())).isEqualTo(-896f);
        assertThat(max(v.data())).isEqualTo(1167f);
        assertThat(sum(v.data())).isEqualTo(-1950906L);
        assertThat(weightedSum(v.data(), 1, 0)).isEqualTo(-943026894L);
        assertThat(v.spacingMm()).containsExactly(new double[] {0.661468, 0.661468, 5.0}, within(1e-9));
        assertThat(v.affine().apply(0, 0, 0)).containsExactly(new double[] {158.135803, 179.035797, -75.699997},
                within(1e-9));
    }

    @Test
    void mrSmallMatchesPydicom() {
        Volume v = Dicom.read(DATA.resolve("misc/MR_small.dcm"));
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(64, 64, 1);
        assertThat(v.get(0, 0, 0)).isEqualTo(905f);
        assertThat(v.get(31, 63, 0)).isEqualTo(1730f);
        assertThat(min(v.data())).isEqualTo(127f);
        assertThat(max(v.data())).isEqualTo(2145f);
        assertThat(sum(v.data())).isEqualTo(2125338L);
        assertThat(weightedSum(v.data(), 1, 0)).isEqualTo(1081267324L);
        DicomMetadata m = (DicomMetadata) v.header();
        assertThat(m.windowCenter()).containsExactly(600.0);
        assertThat(m.windowWidth()).containsExactly(1600.0);
        assertThat(m.sliceThicknessMm()).isEqualTo(0.8);
        assertThat(v.spacingMm()).containsExactly(new double[] {0.3125, 0.3125, 0.8}, within(1e-9));
    }

    @Test
    void ultrasoundRlePaletteDecodesToPydicomsRgb() {
        DicomImage image = Dicom.readImage(DATA.resolve("misc/US-PAL-8-10x-echo.dcm"));
        assertThat(new int[] {image.frames(), image.rows(), image.columns(), image.samples()})
                .containsExactly(10, 430, 600, 3);
        DicomMetadata m = image.metadata();
        assertThat(m.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.5");
        assertThat(m.photometricInterpretation()).isEqualTo("PALETTE COLOR");
        // pydicom apply_color_lut(pixel_array): (frame, row, col) → RGB
        assertRgb(image, 0, 215, 300, 5120, 42240, 36608);
        assertRgb(image, 0, 305, 421, 4864, 4864, 4864);
        assertRgb(image, 1, 294, 286, 24832, 24832, 24832);
        assertRgb(image, 2, 184, 3, 50176, 50176, 50176);
        assertRgb(image, 8, 91, 582, 26624, 26624, 26624);
        assertRgb(image, 1, 289, 369, 0, 0, 0);
        assertRgb(image, 8, 27, 312, 14336, 14336, 14336);
        assertRgb(image, 3, 100, 200, 0, 0, 0);
        long[] sums = {9043495168L, 9376226304L, 9721864192L};
        long[] wsums = {4564006970112L, 4726880649984L, 4901170470400L};
        for (int c = 0; c < 3; c++) {
            assertThat(weightedSumOfSample(image.data(), c, false)).as("sum of channel " + c).isEqualTo(sums[c]);
            assertThat(weightedSumOfSample(image.data(), c, true)).as("wsum of channel " + c).isEqualTo(wsums[c]);
        }

        Volume v = Dicom.read(DATA.resolve("misc/US-PAL-8-10x-echo.dcm"));
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(600, 430, 10);
        assertThat(v.get(300, 215, 0)).isCloseTo((float) (0.299 * 5120 + 0.587 * 42240 + 0.114 * 36608),
                within(0.01f));
    }

    private static void assertRgb(DicomImage image, int f, int r, int c, int red, int green, int blue) {
        assertThat(new float[] {image.get(f, r, c, 0), image.get(f, r, c, 1), image.get(f, r, c, 2)})
                .as("frame %d row %d column %d", f, r, c).containsExactly(red, green, blue);
    }

    static long sum(float[] data) {
        long s = 0;
        for (float x : data) {
            s += (long) x;
        }
        return s;
    }

    static long weightedSum(float[] data, int stride, int offset) {
        long s = 0;
        for (int i = offset, p = 0; i < data.length; i += stride, p++) {
            s += (long) data[i] * (p % 1009);
        }
        return s;
    }

    private static long weightedSumOfSample(float[] rgb, int channel, boolean weighted) {
        return weighted ? weightedSum(rgb, 3, channel) : sumOfSample(rgb, channel);
    }

    private static long sumOfSample(float[] rgb, int channel) {
        long s = 0;
        for (int i = channel; i < rgb.length; i += 3) {
            s += (long) rgb[i];
        }
        return s;
    }

    static float min(float[] d) {
        float m = Float.POSITIVE_INFINITY;
        for (float x : d) {
            m = Math.min(m, x);
        }
        return m;
    }

    static float max(float[] d) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : d) {
            m = Math.max(m, x);
        }
        return m;
    }
}
