package org.samtune.io;

import java.util.HashMap;
import java.util.Map;

/**
 * The DICOM tags this reader looks at, as {@code (group << 16) | element}, with their keywords and the VR that
 * implicit-VR files leave out. Tags not listed here are still parsed and kept; they just have no name.
 */
public final class DicomTag {
    private DicomTag() {}

    public static final int TRANSFER_SYNTAX_UID = 0x0002_0010;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x0002_0002;
    public static final int SOP_CLASS_UID = 0x0008_0016;
    public static final int SOP_INSTANCE_UID = 0x0008_0018;
    public static final int MODALITY = 0x0008_0060;
    public static final int SERIES_DESCRIPTION = 0x0008_103E;
    public static final int SLICE_THICKNESS = 0x0018_0050;
    public static final int SPACING_BETWEEN_SLICES = 0x0018_0088;
    public static final int STUDY_INSTANCE_UID = 0x0020_000D;
    public static final int SERIES_INSTANCE_UID = 0x0020_000E;
    public static final int SERIES_NUMBER = 0x0020_0011;
    public static final int INSTANCE_NUMBER = 0x0020_0013;
    public static final int IMAGE_POSITION_PATIENT = 0x0020_0032;
    public static final int IMAGE_ORIENTATION_PATIENT = 0x0020_0037;
    public static final int SAMPLES_PER_PIXEL = 0x0028_0002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x0028_0004;
    public static final int PLANAR_CONFIGURATION = 0x0028_0006;
    public static final int NUMBER_OF_FRAMES = 0x0028_0008;
    public static final int ROWS = 0x0028_0010;
    public static final int COLUMNS = 0x0028_0011;
    public static final int PIXEL_SPACING = 0x0028_0030;
    public static final int BITS_ALLOCATED = 0x0028_0100;
    public static final int BITS_STORED = 0x0028_0101;
    public static final int HIGH_BIT = 0x0028_0102;
    public static final int PIXEL_REPRESENTATION = 0x0028_0103;
    public static final int WINDOW_CENTER = 0x0028_1050;
    public static final int WINDOW_WIDTH = 0x0028_1051;
    public static final int RESCALE_INTERCEPT = 0x0028_1052;
    public static final int RESCALE_SLOPE = 0x0028_1053;
    public static final int RED_PALETTE_DESCRIPTOR = 0x0028_1101;
    public static final int GREEN_PALETTE_DESCRIPTOR = 0x0028_1102;
    public static final int BLUE_PALETTE_DESCRIPTOR = 0x0028_1103;
    public static final int RED_PALETTE_DATA = 0x0028_1201;
    public static final int GREEN_PALETTE_DATA = 0x0028_1202;
    public static final int BLUE_PALETTE_DATA = 0x0028_1203;
    public static final int SEGMENTED_RED_PALETTE_DATA = 0x0028_1221;
    public static final int EXTENDED_OFFSET_TABLE = 0x7FE0_0001;
    public static final int FLOAT_PIXEL_DATA = 0x7FE0_0008;
    public static final int DOUBLE_FLOAT_PIXEL_DATA = 0x7FE0_0009;
    public static final int PIXEL_DATA = 0x7FE0_0010;

    public static final int ITEM = 0xFFFE_E000;
    public static final int ITEM_DELIMITATION = 0xFFFE_E00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFE_E0DD;

    private record Entry(String keyword, String vr) {}

    private static final Map<Integer, Entry> DICTIONARY = new HashMap<>();

    private static void define(int tag, String keyword, String vr) {
        DICTIONARY.put(tag, new Entry(keyword, vr));
    }

    static {
        define(0x0002_0000, "FileMetaInformationGroupLength", "UL");
        define(0x0002_0001, "FileMetaInformationVersion", "OB");
        define(MEDIA_STORAGE_SOP_CLASS_UID, "MediaStorageSOPClassUID", "UI");
        define(0x0002_0003, "MediaStorageSOPInstanceUID", "UI");
        define(TRANSFER_SYNTAX_UID, "TransferSyntaxUID", "UI");
        define(0x0008_0005, "SpecificCharacterSet", "CS");
        define(0x0008_0008, "ImageType", "CS");
        define(SOP_CLASS_UID, "SOPClassUID", "UI");
        define(SOP_INSTANCE_UID, "SOPInstanceUID", "UI");
        define(0x0008_0020, "StudyDate", "DA");
        define(MODALITY, "Modality", "CS");
        define(SERIES_DESCRIPTION, "SeriesDescription", "LO");
        define(0x0008_1140, "ReferencedImageSequence", "SQ");
        define(0x0008_1115, "ReferencedSeriesSequence", "SQ");
        define(0x0008_2112, "SourceImageSequence", "SQ");
        define(0x0010_0010, "PatientName", "PN");
        define(0x0010_0020, "PatientID", "LO");
        define(SLICE_THICKNESS, "SliceThickness", "DS");
        define(SPACING_BETWEEN_SLICES, "SpacingBetweenSlices", "DS");
        define(0x0018_6011, "SequenceOfUltrasoundRegions", "SQ");
        define(STUDY_INSTANCE_UID, "StudyInstanceUID", "UI");
        define(SERIES_INSTANCE_UID, "SeriesInstanceUID", "UI");
        define(SERIES_NUMBER, "SeriesNumber", "IS");
        define(INSTANCE_NUMBER, "InstanceNumber", "IS");
        define(IMAGE_POSITION_PATIENT, "ImagePositionPatient", "DS");
        define(IMAGE_ORIENTATION_PATIENT, "ImageOrientationPatient", "DS");
        define(0x0020_0052, "FrameOfReferenceUID", "UI");
        define(0x0020_1041, "SliceLocation", "DS");
        define(SAMPLES_PER_PIXEL, "SamplesPerPixel", "US");
        define(PHOTOMETRIC_INTERPRETATION, "PhotometricInterpretation", "CS");
        define(PLANAR_CONFIGURATION, "PlanarConfiguration", "US");
        define(NUMBER_OF_FRAMES, "NumberOfFrames", "IS");
        define(0x0028_0009, "FrameIncrementPointer", "AT");
        define(ROWS, "Rows", "US");
        define(COLUMNS, "Columns", "US");
        define(PIXEL_SPACING, "PixelSpacing", "DS");
        define(BITS_ALLOCATED, "BitsAllocated", "US");
        define(BITS_STORED, "BitsStored", "US");
        define(HIGH_BIT, "HighBit", "US");
        define(PIXEL_REPRESENTATION, "PixelRepresentation", "US");
        define(0x0028_0106, "SmallestImagePixelValue", "US");
        define(0x0028_0107, "LargestImagePixelValue", "US");
        define(WINDOW_CENTER, "WindowCenter", "DS");
        define(WINDOW_WIDTH, "WindowWidth", "DS");
        define(RESCALE_INTERCEPT, "RescaleIntercept", "DS");
        define(RESCALE_SLOPE, "RescaleSlope", "DS");
        define(RED_PALETTE_DESCRIPTOR, "RedPaletteColorLookupTableDescriptor", "US");
        define(GREEN_PALETTE_DESCRIPTOR, "GreenPaletteColorLookupTableDescriptor", "US");
        define(BLUE_PALETTE_DESCRIPTOR, "BluePaletteColorLookupTableDescriptor", "US");
        define(RED_PALETTE_DATA, "RedPaletteColorLookupTableData", "OW");
        define(GREEN_PALETTE_DATA, "GreenPaletteColorLookupTableData", "OW");
        define(BLUE_PALETTE_DATA, "BluePaletteColorLookupTableData", "OW");
        define(SEGMENTED_RED_PALETTE_DATA, "SegmentedRedPaletteColorLookupTableData", "OW");
        define(0x0028_3010, "VOILUTSequence", "SQ");
        define(0x0028_3000, "ModalityLUTSequence", "SQ");
        define(0x5200_9229, "SharedFunctionalGroupsSequence", "SQ");
        define(0x5200_9230, "PerFrameFunctionalGroupsSequence", "SQ");
        define(EXTENDED_OFFSET_TABLE, "ExtendedOffsetTable", "OV");
        define(FLOAT_PIXEL_DATA, "FloatPixelData", "OF");
        define(DOUBLE_FLOAT_PIXEL_DATA, "DoubleFloatPixelData", "OD");
        define(PIXEL_DATA, "PixelData", "OW");
        define(ITEM, "Item", "");
        define(ITEM_DELIMITATION, "ItemDelimitationItem", "");
        define(SEQUENCE_DELIMITATION, "SequenceDelimitationItem", "");
    }

    /** "Rows (0028,0010)" for a known tag, "(0009,1001)" otherwise: how fields are named in error messages. */
    public static String describe(int tag) {
        Entry e = DICTIONARY.get(tag);
        String hex = String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
        return e == null ? hex : e.keyword + " " + hex;
    }

    /**
     * The VR an implicit-VR file implies for a tag: from the dictionary above, group lengths are UL, and anything
     * else is UN (kept as bytes).
     */
    static String implicitVr(int tag) {
        Entry e = DICTIONARY.get(tag);
        if (e != null) {
            return e.vr;
        }
        if ((tag & 0xFFFF) == 0) {
            return "UL";
        }
        return "UN";
    }
}
