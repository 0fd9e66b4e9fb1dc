package org.samtune.io;

import java.util.Map;

/**
 * A DICOM transfer syntax: how the data set after the file meta group is encoded (VR explicit or implicit, byte
 * order, deflate) and how the pixel data is compressed.
 *
 * @param uid the transfer syntax UID from (0002,0010)
 * @param name its name in PS3.6, used in error messages
 * @param explicitVr whether each element carries its VR
 * @param bigEndian whether numbers are big endian
 * @param deflated whether the data set is a raw deflate stream
 * @param pixels how the pixel data is stored
 */
public record TransferSyntax(String uid, String name, boolean explicitVr, boolean bigEndian, boolean deflated,
        Pixels pixels) {

    /** How pixel data is stored under a transfer syntax. */
    public enum Pixels {
        /** uncompressed ("native") */
        NATIVE,
        /** encapsulated RLE Lossless (PS3.5 Annex G), decoded by {@link RleDecoder} */
        RLE,
        /** encapsulated JPEG that the JDK's ImageIO decodes (baseline 8-bit) */
        JPEG,
        /** encapsulated in a codec this reader does not have */
        UNSUPPORTED
    }

    public static final TransferSyntax IMPLICIT_LITTLE =
            new TransferSyntax("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, Pixels.NATIVE);
    public static final TransferSyntax EXPLICIT_LITTLE =
            new TransferSyntax("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, Pixels.NATIVE);
    public static final TransferSyntax DEFLATED_EXPLICIT_LITTLE = new TransferSyntax("1.2.840.10008.1.2.1.99",
            "Deflated Explicit VR Little Endian", true, false, true, Pixels.NATIVE);
    public static final TransferSyntax EXPLICIT_BIG =
            new TransferSyntax("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, Pixels.NATIVE);
    public static final TransferSyntax RLE_LOSSLESS =
            new TransferSyntax("1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, Pixels.RLE);
    public static final TransferSyntax JPEG_BASELINE = new TransferSyntax("1.2.840.10008.1.2.4.50",
            "JPEG Baseline (Process 1)", true, false, false, Pixels.JPEG);
    public static final TransferSyntax JPEG_EXTENDED = new TransferSyntax("1.2.840.10008.1.2.4.51",
            "JPEG Extended (Process 2 & 4)", true, false, false, Pixels.JPEG);

    private static final Map<String, String> UNSUPPORTED_NAMES = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70",
                    "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.94", "JPIP Referenced"),
            Map.entry("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
            Map.entry("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"),
            Map.entry("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"),
            Map.entry("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"),
            Map.entry("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"),
            Map.entry("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"),
            Map.entry("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"),
            Map.entry("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.202",
                    "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"),
            Map.entry("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression"));

    /**
     * The transfer syntax for a UID. Known compressed syntaxes without a decoder here come back with
     * {@link Pixels#UNSUPPORTED} so the file's header can still be read; unknown UIDs return null.
     */
    public static TransferSyntax of(String uid) {
        for (TransferSyntax ts : new TransferSyntax[] {IMPLICIT_LITTLE, EXPLICIT_LITTLE, DEFLATED_EXPLICIT_LITTLE,
                EXPLICIT_BIG, RLE_LOSSLESS, JPEG_BASELINE, JPEG_EXTENDED}) {
            if (ts.uid.equals(uid)) {
                return ts;
            }
        }
        String name = UNSUPPORTED_NAMES.get(uid);
        if (name != null) {
            // Every encapsulated syntax stores its data set as explicit VR little endian (PS3.5 A.4).
            return new TransferSyntax(uid, name, true, false, false, Pixels.UNSUPPORTED);
        }
        return null;
    }

    @Override
    public String toString() {
        return uid + " (" + name + ")";
    }
}
