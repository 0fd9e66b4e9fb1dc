package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of synthetic slices: sorting, spacing, the affine, and every way a series can be inconsistent. */
class DicomSeriesTest {
    @TempDir
    Path dir;

    /**
     * A 2×3 slice (rows × columns) whose pixels all equal {@code value}; sagittal-ish orientation so that the
     * normal is not an axis: rows along (0, 1, 0), columns along (0, 0, −1) → normal (−1, 0, 0).
     */
    static byte[] slice(String seriesUid, int instance, double[] position, int value, int rows, double[] iop) {
        DicomBuilder b = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        b.string(DicomTag.MODALITY, "CS", "MR");
        b.string(DicomTag.SERIES_DESCRIPTION, "LO", "sag " + seriesUid);
        b.string(DicomTag.SERIES_INSTANCE_UID, "UI", seriesUid);
        b.is(DicomTag.INSTANCE_NUMBER, instance);
        b.ds(DicomTag.IMAGE_POSITION_PATIENT, position);
        b.ds(DicomTag.IMAGE_ORIENTATION_PATIENT, iop);
        b.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
        b.us(DicomTag.ROWS, rows).us(DicomTag.COLUMNS, 3);
        b.ds(DicomTag.PIXEL_SPACING, 0.7, 0.9);
        b.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 16).us(DicomTag.HIGH_BIT, 15);
        short[] px = new short[rows * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) (value + i);
        }
        return b.ow(DicomTag.PIXEL_DATA, px).build();
    }

    static final double[] SAGITTAL = {0, 1, 0, 0, 0, -1};

    private void put(String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }

    /** Five slices at x = 10, 7, 4, 1, −2 (LPS) written in scrambled file order. */
    private void fiveSlices(String uid) throws IOException {
        int[] fileOrder = {3, 0, 4, 1, 2};
        for (int n : fileOrder) {
            double x = 10 - 3 * n;
            put(uid + "-" + n + ".dcm", slice(uid, n + 1, new double[] {x, -20, 50}, 100 * n, 2, SAGITTAL));
        }
    }

    @Test
    void slicesAreSortedAlongTheNormalAndSpacedByTheirPositions() throws IOException {
        fiveSlices("1.1");
        Files.writeString(dir.resolve("README.txt"), "not a slice");
        Volume v = Dicom.readSeries(dir);
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(3, 2, 5);
        // Normal = row × column = (0,1,0) × (0,0,−1) = (−1, 0, 0): ascending along it means decreasing x,
        // i.e. instance 1 (x = 10) first.
        for (int k = 0; k < 5; k++) {
            assertThat(v.get(0, 0, k)).as("slice %d", k).isEqualTo(100f * k);
            assertThat(v.get(2, 1, k)).isEqualTo(100f * k + 5);
        }
        assertThat(v.spacingMm()).containsExactly(new double[] {0.9, 0.7, 3.0}, within(1e-9));
        // LPS → RAS: negate x and y. i: 0.9 mm along +y LPS; j: 0.7 mm along −z; k: 3 mm along −x LPS.
        assertThat(v.affine().m()).containsExactly(new double[] {
            0, 0, 3, -10,
            -0.9, 0, 0, 20,
            0, -0.7, 0, 50,
            0, 0, 0, 1}, within(1e-12));
        assertThat(((DicomMetadata) v.header()).instanceNumber()).isEqualTo(1);
        assertThat(Dicom.listSeries(dir)).containsOnlyKeys("1.1");
    }

    @Test
    void severalSeriesNeedAChoice() throws IOException {
        fiveSlices("1.1");
        put("other.dcm", slice("2.2", 1, new double[] {0, 0, 0}, 7, 2, SAGITTAL));
        put("other2.dcm", slice("2.2", 2, new double[] {1, 0, 0}, 9, 2, SAGITTAL));
        assertThatThrownBy(() -> Dicom.readSeries(dir)).isInstanceOf(FormatException.class)
                .hasMessage(dir + ": SeriesInstanceUID (0020,000E): found 2 series, expected one (pick one by its"
                        + " UID): 1.1 (MR, 5 files, 'sag 1.1'); 2.2 (MR, 2 files, 'sag 2.2')");
        Volume v = Dicom.readSeries(dir, "2.2");
        assertThat(v.nz()).isEqualTo(2);
        // Normal (−1,0,0): x = 1 comes before x = 0.
        assertThat(v.get(0, 0, 0)).isEqualTo(9f);
        assertThat(Dicom.readSeries(dir, "1.1").nz()).isEqualTo(5);
        assertThatThrownBy(() -> Dicom.readSeries(dir, "3.3")).isInstanceOf(FormatException.class)
                .hasMessageContaining("no series '3.3', found: 1.1");
    }

    @Test
    void mixedSizesAreRefused() throws IOException {
        fiveSlices("1.1");
        put("odd.dcm", slice("1.1", 9, new double[] {-5, -20, 50}, 0, 4, SAGITTAL));
        assertThatThrownBy(() -> Dicom.readSeries(dir)).isInstanceOf(FormatException.class)
                .hasMessageContaining("odd.dcm: Rows (0028,0010) × Columns (0028,0011): slice is 4×3, expected 2×3")
                .hasMessageContaining("mixed sizes");
    }

    @Test
    void mixedOrientationsAreRefused() throws IOException {
        fiveSlices("1.1");
        put("tilted.dcm", slice("1.1", 9, new double[] {-5, -20, 50}, 0, 2, new double[] {0, 0.8, 0.6, 0, 0.6, -0.8}));
        assertThatThrownBy(() -> Dicom.readSeries(dir)).isInstanceOf(FormatException.class)
                .hasMessageContaining("tilted.dcm: ImageOrientationPatient (0020,0037): differs from")
                .hasMessageContaining("mixed orientations");
    }

    @Test
    void duplicatePositionsAreRefused() throws IOException {
        fiveSlices("1.1");
        put("twin.dcm", slice("1.1", 9, new double[] {4, -20, 50}, 0, 2, SAGITTAL));
        assertThatThrownBy(() -> Dicom.readSeries(dir)).isInstanceOf(FormatException.class)
                .hasMessageContaining("twin.dcm: ImagePositionPatient (0020,0032)")
                .hasMessageContaining("duplicates");
    }

    @Test
    void folderWithoutDicomFiles() throws IOException {
        Files.writeString(dir.resolve("a.txt"), "text");
        assertThatThrownBy(() -> Dicom.readSeries(dir)).isInstanceOf(FormatException.class)
                .hasMessage(dir + ": folder: no DICOM files in it (1 other files), expected a series");
        assertThatThrownBy(() -> Dicom.readSeries(dir.resolve("missing"))).isInstanceOf(FormatException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aCorruptFileInTheSeriesIsAnError() throws IOException {
        fiveSlices("1.1");
        byte[] good = slice("1.1", 9, new double[] {-5, -20, 50}, 0, 2, SAGITTAL);
        put("cut.dcm", java.util.Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> Dicom.readSeries(dir)).isInstanceOf(FormatException.class)
                .hasMessageContaining("cut.dcm: PixelData (7FE0,0010): value length 12 exceeds the 9 bytes left");
    }
}
