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
 * @param framePositionsPatient per-frame ImagePositionPatient of an enhanced multi-frame image (from
 *     PerFrameFunctionalGroupsSequence → PlanePositionSequence), null otherwise
 * @param frameRescale per-frame [slope, intercept] of an enhanced multi-frame image whose frames differ, null
 *     otherwise
 */
public record DicomMetadata(Path file, String transferSyntaxUid, String sopInstanceUid, String seriesInstanceUid,
        String modality, String seriesDescription, Integer instanceNumber, int rows, int columns, int frames,
        int samplesPerPixel, String photometricInterpretation, int planarConfiguration, int bitsAllocated,
        int bitsStored, int highBit, boolean signed, double rescaleSlope, double rescaleIntercept,
        double[] pixelSpacingMm, Double sliceThicknessMm, Double spacingBetweenSlicesMm,
        double[] imagePositionPatient, double[] imageOrientationPatient, double[] windowCenter,
        double[] windowWidth, double[][] framePositionsPatient, double[][] frameRescale) {

    /**
     * Reads the metadata of a parsed file; malformed values (e.g. three numbers in PixelSpacing) throw. Enhanced
     * multi-frame images keep their geometry in functional groups: attributes missing at the top level are taken
     * from the first frame's groups (per-frame, else shared).
     */
    public static DicomMetadata of(DicomFile f) {
        DicomObject d = f.dataset();
        Path file = f.file();
        Integer instance = d.string(DicomTag.INSTANCE_NUMBER) != null ? d.intValue(DicomTag.INSTANCE_NUMBER, 0) : null;
        int frames = d.intValue(DicomTag.NUMBER_OF_FRAMES, 1);
        FunctionalGroups groups = new FunctionalGroups(d);
        DicomObject measures = groups.macro(DicomTag.PIXEL_MEASURES_SEQUENCE, 0, d);
        DicomObject plane = groups.macro(DicomTag.PLANE_ORIENTATION_SEQUENCE, 0, d);
        DicomObject position = groups.macro(DicomTag.PLANE_POSITION_SEQUENCE, 0, d);
        DicomObject voi = groups.macro(DicomTag.FRAME_VOI_LUT_SEQUENCE, 0, d);
        DicomObject transform = groups.macro(DicomTag.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, 0, d);
        double[] spacing = sized(measures, DicomTag.PIXEL_SPACING, 2);
        if (spacing != null && (spacing[0] <= 0 || spacing[1] <= 0)) {
            throw new FormatException(file, DicomTag.describe(DicomTag.PIXEL_SPACING), "expected two positive"
                    + " spacings, got " + measures.string(DicomTag.PIXEL_SPACING));
        }
        String photometric = d.string(DicomTag.PHOTOMETRIC_INTERPRETATION);
        double[][] positions = null;
        double[][] rescale = null;
        if (groups.perFrame != null && frames > 1 && groups.perFrame.size() == frames) {
            positions = new double[frames][];
            rescale = new double[frames][];
            boolean rescaleVaries = false;
            for (int i = 0; i < frames && positions != null; i++) {
                positions[i] = sized(groups.macro(DicomTag.PLANE_POSITION_SEQUENCE, i, null),
                        DicomTag.IMAGE_POSITION_PATIENT, 3);
                if (positions[i] == null) {
                    positions = null;
                }
            }
            for (int i = 0; i < frames; i++) {
                DicomObject t = groups.macro(DicomTag.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, i, d);
                rescale[i] = new double[] {t.doubleValue(DicomTag.RESCALE_SLOPE, 1),
                        t.doubleValue(DicomTag.RESCALE_INTERCEPT, 0)};
                rescaleVaries |= i > 0 && !java.util.Arrays.equals(rescale[i], rescale[0]);
            }
            if (!rescaleVaries) {
                rescale = null;
            }
        }
        return new DicomMetadata(file, f.transferSyntax().uid(), d.string(DicomTag.SOP_INSTANCE_UID),
                d.string(DicomTag.SERIES_INSTANCE_UID), d.string(DicomTag.MODALITY),
                d.string(DicomTag.SERIES_DESCRIPTION), instance, d.intValue(DicomTag.ROWS, 0),
                d.intValue(DicomTag.COLUMNS, 0), frames,
                d.intValue(DicomTag.SAMPLES_PER_PIXEL, 1), photometric == null ? "MONOCHROME2" : photometric,
                d.intValue(DicomTag.PLANAR_CONFIGURATION, 0), d.intValue(DicomTag.BITS_ALLOCATED, 0),
                d.intValue(DicomTag.BITS_STORED, d.intValue(DicomTag.BITS_ALLOCATED, 0)),
                d.intValue(DicomTag.HIGH_BIT, d.intValue(DicomTag.BITS_STORED,
                        d.intValue(DicomTag.BITS_ALLOCATED, 0)) - 1),
                d.intValue(DicomTag.PIXEL_REPRESENTATION, 0) == 1,
                transform.doubleValue(DicomTag.RESCALE_SLOPE, 1),
                transform.doubleValue(DicomTag.RESCALE_INTERCEPT, 0), spacing,
                positive(measures, DicomTag.SLICE_THICKNESS), positive(measures, DicomTag.SPACING_BETWEEN_SLICES),
                sized(position, DicomTag.IMAGE_POSITION_PATIENT, 3), orientation(plane),
                voi.doubles(DicomTag.WINDOW_CENTER), voi.doubles(DicomTag.WINDOW_WIDTH), positions, rescale);
    }

    /** The functional groups of an enhanced multi-frame image (PS3.3 C.7.6.16). */
    private static final class FunctionalGroups {
        final DicomObject shared;
        final java.util.List<DicomObject> perFrame;

        FunctionalGroups(DicomObject d) {
            DicomElement s = d.get(DicomTag.SHARED_FUNCTIONAL_GROUPS);
            DicomElement p = d.get(DicomTag.PER_FRAME_FUNCTIONAL_GROUPS);
            shared = s != null && !s.items().isEmpty() ? s.items().get(0) : null;
            perFrame = p != null && !p.items().isEmpty() ? p.items() : null;
        }

        /**
         * The item of functional group {@code macro} for {@code frame} (per-frame first, then shared); {@code top}
         * (the data set itself) when the top level already has the macro's attributes or no group has it.
         */
        DicomObject macro(int macro, int frame, DicomObject top) {
            if (top != null && hasAny(top, macro)) {
                return top;
            }
            if (perFrame != null && frame < perFrame.size()) {
                DicomObject item = first(perFrame.get(frame), macro);
                if (item != null) {
                    return item;
                }
            }
            if (shared != null) {
                DicomObject item = first(shared, macro);
                if (item != null) {
                    return item;
                }
            }
            return top != null ? top : new DicomObject(null);
        }

        private static DicomObject first(DicomObject group, int macro) {
            DicomElement e = group.get(macro);
            return e != null && !e.items().isEmpty() ? e.items().get(0) : null;
        }

        /** Whether the top level holds what this macro would hold. */
        private static boolean hasAny(DicomObject d, int macro) {
            return switch (macro) {
                case DicomTag.PIXEL_MEASURES_SEQUENCE -> d.contains(DicomTag.PIXEL_SPACING);
                case DicomTag.PLANE_ORIENTATION_SEQUENCE -> d.contains(DicomTag.IMAGE_ORIENTATION_PATIENT);
                case DicomTag.PLANE_POSITION_SEQUENCE -> d.contains(DicomTag.IMAGE_POSITION_PATIENT);
                case DicomTag.PIXEL_VALUE_TRANSFORMATION_SEQUENCE -> d.contains(DicomTag.RESCALE_SLOPE)
                        || d.contains(DicomTag.RESCALE_INTERCEPT);
                case DicomTag.FRAME_VOI_LUT_SEQUENCE -> d.contains(DicomTag.WINDOW_CENTER);
                default -> false;
            };
        }
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
