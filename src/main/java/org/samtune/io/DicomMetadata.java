package org.samtune.io;

import java.nio.file.Path;

/**
 * What samtune keeps of a DICOM image's header. Absent optional values are null; absent pixel-module values are
 * 0 (a file without pixel data still has metadata).
 *
 * @param file the file it came from
 * @param transferSyntaxUid (0002,0010), or the one detected for a file without a meta group
 * @param sopInstanceUid (0008,0018)
 * @param seriesInstanceUid (0020,000E)
 * @param modality (0008,0060), e.g. "CT", "MR", "US"
 * @param seriesDescription (0008,103E)
 * @param instanceNumber (0020,0013)
 * @param rows (0028,0010)
 * @param columns (0028,0011)
 * @param frames (0028,0008) NumberOfFrames, 1 when absent
 * @param samplesPerPixel (0028,0002), 1 when absent
 * @param photometricInterpretation (0028,0004), e.g. "MONOCHROME2", "PALETTE COLOR"
 * @param planarConfiguration (0028,0006): 0 = samples interleaved, 1 = one plane per sample
 * @param bitsAllocated (0028,0100)
 * @param bitsStored (0028,0101)
 * @param highBit (0028,0102)
 * @param signed (0028,0103) PixelRepresentation = 1
 * @param rescaleSlope (0028,1053), 1 when absent
 * @param rescaleIntercept (0028,1052), 0 when absent
 * @param pixelSpacingMm (0028,0030): [spacing between rows, spacing between columns] in mm
 * @param sliceThicknessMm (0018,0050)
 * @param spacingBetweenSlicesMm (0018,0088)
 * @param imagePositionPatient (0020,0032): LPS mm of the centre of the first transmitted pixel
 * @param imageOrientationPatient (0020,0037): direction cosines of a row, then of a column (LPS)
 * @param windowCenter (0028,1050), display metadata only
 * @param windowWidth (0028,1051), display metadata only
 */
public record DicomMetadata(Path file, String transferSyntaxUid, String sopInstanceUid, String seriesInstanceUid,
        String modality, String seriesDescription, Integer instanceNumber, int rows, int columns, int frames,
        int samplesPerPixel, String photometricInterpretation, int planarConfiguration, int bitsAllocated,
        int bitsStored, int highBit, boolean signed, double rescaleSlope, double rescaleIntercept,
        double[] pixelSpacingMm, Double sliceThicknessMm, Double spacingBetweenSlicesMm,
        double[] imagePositionPatient, double[] imageOrientationPatient, double[] windowCenter,
        double[] windowWidth) {

    /** Reads the metadata of a parsed file; malformed values (e.g. three numbers in PixelSpacing) throw. */
    public static DicomMetadata of(DicomFile f) {
        DicomObject d = f.dataset();
        Path file = f.file();
        Integer instance = d.contains(DicomTag.INSTANCE_NUMBER) && d.string(DicomTag.INSTANCE_NUMBER) != null
                ? d.intValue(DicomTag.INSTANCE_NUMBER, 0) : null;
        double[] spacing = sized(d, DicomTag.PIXEL_SPACING, 2);
        if (spacing != null && (spacing[0] <= 0 || spacing[1] <= 0)) {
            throw new FormatException(file, DicomTag.describe(DicomTag.PIXEL_SPACING), "expected two positive"
                    + " spacings, got " + d.string(DicomTag.PIXEL_SPACING));
        }
        String photometric = d.string(DicomTag.PHOTOMETRIC_INTERPRETATION);
        return new DicomMetadata(file, f.transferSyntax().uid(), d.string(DicomTag.SOP_INSTANCE_UID),
                d.string(DicomTag.SERIES_INSTANCE_UID), d.string(DicomTag.MODALITY),
                d.string(DicomTag.SERIES_DESCRIPTION), instance, d.intValue(DicomTag.ROWS, 0),
                d.intValue(DicomTag.COLUMNS, 0), d.intValue(DicomTag.NUMBER_OF_FRAMES, 1),
                d.intValue(DicomTag.SAMPLES_PER_PIXEL, 1), photometric == null ? "MONOCHROME2" : photometric,
                d.intValue(DicomTag.PLANAR_CONFIGURATION, 0), d.intValue(DicomTag.BITS_ALLOCATED, 0),
                d.intValue(DicomTag.BITS_STORED, d.intValue(DicomTag.BITS_ALLOCATED, 0)),
                d.intValue(DicomTag.HIGH_BIT, d.intValue(DicomTag.BITS_STORED,
                        d.intValue(DicomTag.BITS_ALLOCATED, 0)) - 1),
                d.intValue(DicomTag.PIXEL_REPRESENTATION, 0) == 1,
                d.doubleValue(DicomTag.RESCALE_SLOPE, 1), d.doubleValue(DicomTag.RESCALE_INTERCEPT, 0), spacing,
                positive(d, DicomTag.SLICE_THICKNESS), positive(d, DicomTag.SPACING_BETWEEN_SLICES),
                sized(d, DicomTag.IMAGE_POSITION_PATIENT, 3), orientation(d), d.doubles(DicomTag.WINDOW_CENTER),
                d.doubles(DicomTag.WINDOW_WIDTH));
    }

    /** The normal of the image plane in LPS: row cosine × column cosine; null without orientation. */
    public double[] sliceNormal() {
        if (imageOrientationPatient == null) {
            return null;
        }
        double[] o = imageOrientationPatient;
        return new double[] {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
    }

    private static double[] sized(DicomObject d, int tag, int n) {
        double[] v = d.doubles(tag);
        if (v != null && v.length != n) {
            throw new FormatException(d.file(), DicomTag.describe(tag), "expected " + n + " numbers, got "
                    + v.length + " ('" + d.string(tag) + "')");
        }
        return v;
    }

    private static Double positive(DicomObject d, int tag) {
        double[] v = d.doubles(tag);
        // Some writers put 0 for "unknown"; treat it as absent rather than as a zero spacing.
        return v == null || v.length == 0 || v[0] <= 0 ? null : v[0];
    }

    private static double[] orientation(DicomObject d) {
        double[] o = sized(d, DicomTag.IMAGE_ORIENTATION_PATIENT, 6);
        if (o == null) {
            return null;
        }
        double rowNorm = Math.sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2]);
        double colNorm = Math.sqrt(o[3] * o[3] + o[4] * o[4] + o[5] * o[5]);
        double dot = o[0] * o[3] + o[1] * o[4] + o[2] * o[5];
        if (Math.abs(rowNorm - 1) > 1e-3 || Math.abs(colNorm - 1) > 1e-3 || Math.abs(dot) > 1e-3) {
            throw new FormatException(d.file(), DicomTag.describe(DicomTag.IMAGE_ORIENTATION_PATIENT),
                    "expected two orthogonal unit vectors, got '" + d.string(DicomTag.IMAGE_ORIENTATION_PATIENT)
                            + "'");
        }
        return o;
    }
}
