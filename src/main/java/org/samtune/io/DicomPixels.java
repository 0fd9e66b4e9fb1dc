package org.samtune.io;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns a file's pixel data into {@link DicomImage} values: unpacks native or decompresses RLE / JPEG frames to
 * stored values (masked to BitsStored, sign-extended when signed), then applies the modality rescale
 * (monochrome) or the colour model (RGB, YBR → RGB, palette LUT → RGB).
 */
final class DicomPixels {
    private DicomPixels() {}

    /** Largest number of output values (Java arrays stop just short of 2^31). */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private static final String PIXEL_DATA = DicomTag.describe(DicomTag.PIXEL_DATA);

    /** One frame's compressed bytes: a window into a buffer. */
    private record FrameBytes(byte[] buffer, int offset, int length) {}

    static DicomImage decode(DicomFile f, DicomMetadata m) {
        Path file = f.file();
        DicomElement pixels = f.dataset().get(DicomTag.PIXEL_DATA);
        if (pixels == null) {
            if (f.dataset().contains(DicomTag.FLOAT_PIXEL_DATA) || f.dataset().contains(DicomTag.DOUBLE_FLOAT_PIXEL_DATA)) {
                throw new FormatException(file, PIXEL_DATA, "float pixel data (7FE0,0008)/(7FE0,0009) is not"
                        + " supported, expected integer PixelData (7FE0,0010)");
            }
            String sopClass = f.dataset().string(DicomTag.SOP_CLASS_UID);
            throw new FormatException(file, PIXEL_DATA, "missing: the file has no pixel data"
                    + (sopClass == null ? "" : " (SOP class " + sopClass + ")") + ", expected an image");
        }
        validate(file, m, f.transferSyntax());
        long count = (long) m.rows() * m.columns() * m.frames() * m.samplesPerPixel();
        int[] stored = switch (f.transferSyntax().pixels()) {
            case NATIVE -> {
                if (pixels.isEncapsulated()) {
                    throw new FormatException(file, PIXEL_DATA, "encapsulated (undefined length) but the transfer"
                            + " syntax " + f.transferSyntax() + " is uncompressed");
                }
                long bytes = (count * m.bitsAllocated() + 7) / 8;
                if (pixels.length() < bytes) {
                    throw new FormatException(file, PIXEL_DATA, "has " + pixels.length() + " bytes, expected "
                            + bytes + " (" + m.frames() + " frames × " + m.rows() + " rows × " + m.columns()
                            + " columns × " + m.samplesPerPixel() + " samples × " + m.bitsAllocated() + " bits)");
                }
                boolean swapBytes = pixels.bigEndian() && m.bitsAllocated() == 8 && pixels.vr().equals("OW");
                yield unpack(pixels.buffer(), pixels.offset(), pixels.bigEndian(), swapBytes, m, m.planarConfiguration());
            }
            case RLE -> decodeRle(file, pixels, m, count);
            case JPEG -> decodeJpeg(file, pixels, m, f.transferSyntax(), count);
            case UNSUPPORTED -> throw new FormatException(file, DicomTag.describe(DicomTag.TRANSFER_SYNTAX_UID),
                    "pixel data compressed with " + f.transferSyntax() + " cannot be decoded: supported are"
                            + " uncompressed, RLE Lossless and JPEG Baseline (convert the file first, e.g. with"
                            + " gdcmconv --raw or dcmdjpeg)");
        };
        float[] data = toValues(file, f.dataset(), m, stored);
        int samplesOut = isColour(m.photometricInterpretation()) ? 3 : 1;
        return new DicomImage(m, m.rows(), m.columns(), m.frames(), samplesOut, data);
    }

    private static boolean isColour(String photometric) {
        return !photometric.startsWith("MONOCHROME");
    }

    private static void validate(Path file, DicomMetadata m, TransferSyntax ts) {
        check(file, DicomTag.ROWS, m.rows() >= 1 && m.rows() <= 65535, "expected 1..65535, got " + m.rows());
        check(file, DicomTag.COLUMNS, m.columns() >= 1 && m.columns() <= 65535,
                "expected 1..65535, got " + m.columns());
        check(file, DicomTag.NUMBER_OF_FRAMES, m.frames() >= 1, "expected at least 1, got " + m.frames());
        int ba = m.bitsAllocated();
        check(file, DicomTag.BITS_ALLOCATED, ba == 1 || ba == 8 || ba == 16 || ba == 32,
                "expected 1, 8, 16 or 32, got " + ba);
        check(file, DicomTag.BITS_STORED, m.bitsStored() >= 1 && m.bitsStored() <= ba,
                "expected 1.." + ba + " (BitsAllocated), got " + m.bitsStored());
        check(file, DicomTag.HIGH_BIT, m.highBit() >= m.bitsStored() - 1 && m.highBit() < ba,
                "expected " + (m.bitsStored() - 1) + ".." + (ba - 1) + ", got " + m.highBit());
        String pi = m.photometricInterpretation();
        int expectedSamples = switch (pi) {
            case "MONOCHROME1", "MONOCHROME2", "PALETTE COLOR" -> 1;
            case "RGB", "YBR_FULL" -> 3;
            case "YBR_FULL_422" -> {
                check(file, DicomTag.PHOTOMETRIC_INTERPRETATION, ts.pixels() == TransferSyntax.Pixels.JPEG,
                        "YBR_FULL_422 is only supported inside JPEG, got transfer syntax " + ts);
                yield 3;
            }
            default -> throw new FormatException(file, DicomTag.describe(DicomTag.PHOTOMETRIC_INTERPRETATION),
                    "expected MONOCHROME1, MONOCHROME2, RGB, PALETTE COLOR, YBR_FULL or YBR_FULL_422, got '"
                            + pi + "'");
        };
        check(file, DicomTag.SAMPLES_PER_PIXEL, m.samplesPerPixel() == expectedSamples,
                "expected " + expectedSamples + " for " + pi + ", got " + m.samplesPerPixel());
        check(file, DicomTag.PLANAR_CONFIGURATION, m.planarConfiguration() == 0 || m.planarConfiguration() == 1,
                "expected 0 or 1, got " + m.planarConfiguration());
        if (pi.equals("PALETTE COLOR")) {
            check(file, DicomTag.BITS_ALLOCATED, ba == 8 || ba == 16, "expected 8 or 16 for PALETTE COLOR, got " + ba);
        }
        if (ba == 1) {
            check(file, DicomTag.BITS_ALLOCATED, ts.pixels() == TransferSyntax.Pixels.NATIVE && expectedSamples == 1,
                    "1-bit pixels are only supported uncompressed and monochrome");
        }
        long count = (long) m.rows() * m.columns() * m.frames() * (pi.equals("PALETTE COLOR") ? 3 : m.samplesPerPixel());
        if (count > MAX_VALUES) {
            throw new FormatException(file, DicomTag.describe(DicomTag.ROWS) + " × "
                    + DicomTag.describe(DicomTag.COLUMNS) + " × " + DicomTag.describe(DicomTag.NUMBER_OF_FRAMES),
                    "the image would hold " + count + " values (" + m.frames() + " frames of " + m.rows() + "×"
                            + m.columns() + "), more than " + MAX_VALUES);
        }
    }

    private static void check(Path file, int tag, boolean ok, String problem) {
        if (!ok) {
            throw new FormatException(file, DicomTag.describe(tag), problem);
        }
    }

    /**
     * Native pixel data → stored values, samples interleaved. {@code planar = 1} means each frame holds all of
     * sample 0, then all of sample 1, ...
     */
    private static int[] unpack(byte[] buf, int offset, boolean bigEndian, boolean swapBytes, DicomMetadata m,
            int planar) {
        int pixels = m.rows() * m.columns();
        int samples = m.samplesPerPixel();
        int frameValues = pixels * samples;
        int[] out = new int[Math.multiplyExact(frameValues, m.frames())];
        int ba = m.bitsAllocated();
        int shift = m.highBit() + 1 - m.bitsStored();
        int bits = m.bitsStored();
        int mask = bits == 32 ? -1 : (1 << bits) - 1;
        for (int v = 0; v < out.length; v++) {
            int raw;
            switch (ba) {
                case 1 -> raw = (buf[offset + (v >>> 3)] >>> (v & 7)) & 1;
                case 8 -> raw = buf[offset + (swapBytes ? v ^ 1 : v)] & 0xFF;
                case 16 -> {
                    int p = offset + 2 * v;
                    raw = bigEndian ? (buf[p] & 0xFF) << 8 | (buf[p + 1] & 0xFF)
                            : (buf[p + 1] & 0xFF) << 8 | (buf[p] & 0xFF);
                }
                default -> {
                    int p = offset + 4 * v;
                    raw = bigEndian
                            ? (buf[p] & 0xFF) << 24 | (buf[p + 1] & 0xFF) << 16 | (buf[p + 2] & 0xFF) << 8 | (buf[p + 3] & 0xFF)
                            : (buf[p + 3] & 0xFF) << 24 | (buf[p + 2] & 0xFF) << 16 | (buf[p + 1] & 0xFF) << 8 | (buf[p] & 0xFF);
                }
            }
            int value = (raw >>> shift) & mask;
            if (m.signed() && bits < 32 && (value & (1 << (bits - 1))) != 0) {
                value -= 1 << bits;
            }
            int dest = v;
            if (planar == 1 && samples > 1) {
                // v walks frame by frame, sample plane by plane: put it at its interleaved place.
                int frame = v / frameValues;
                int inFrame = v % frameValues;
                dest = frame * frameValues + (inFrame % pixels) * samples + inFrame / pixels;
            }
            out[dest] = value;
        }
        return out;
    }

    private static int[] decodeRle(Path file, DicomElement pixels, DicomMetadata m, long count) {
        List<FrameBytes> frames = frames(file, pixels, m, false);
        int bytesPerSample = m.bitsAllocated() / 8;
        int pixelCount = m.rows() * m.columns();
        long frameBytes = (long) pixelCount * m.samplesPerPixel() * bytesPerSample;
        for (int i = 0; i < frames.size(); i++) {
            FrameBytes fb = frames.get(i);
            // PackBits grows data at most 64-fold: a larger claim is a corrupt header, refused before allocating.
            if (frameBytes > (long) RleDecoder.MAX_EXPANSION * fb.length() + 64) {
                throw new FormatException(file, PIXEL_DATA, "RLE frame " + i + " has " + fb.length()
                        + " bytes, too few to decode to " + frameBytes + " bytes (" + m.rows() + "×" + m.columns()
                        + "×" + m.samplesPerPixel() + " samples × " + bytesPerSample + " bytes)");
            }
        }
        long total = frameBytes * m.frames();
        if (total > MAX_VALUES) {
            throw new FormatException(file, PIXEL_DATA, "decodes to " + total + " bytes, more than " + MAX_VALUES);
        }
        byte[] nativeBytes = new byte[(int) total];
        for (int i = 0; i < frames.size(); i++) {
            FrameBytes fb = frames.get(i);
            RleDecoder.decodeFrame(file, fb.buffer(), fb.offset(), fb.length(), pixelCount, m.samplesPerPixel(),
                    bytesPerSample, nativeBytes, (int) (i * frameBytes));
        }
        return unpack(nativeBytes, 0, false, false, m, 0);
    }

    private static int[] decodeJpeg(Path file, DicomElement pixels, DicomMetadata m, TransferSyntax ts, long count) {
        List<FrameBytes> frames = frames(file, pixels, m, true);
        int samples = m.samplesPerPixel();
        int frameValues = m.rows() * m.columns() * samples;
        int[] out = new int[(int) count];
        String field = DicomTag.describe(DicomTag.TRANSFER_SYNTAX_UID);
        for (int i = 0; i < frames.size(); i++) {
            FrameBytes fb = frames.get(i);
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            if (!readers.hasNext()) {
                throw new FormatException(file, field, "this Java runtime has no JPEG decoder for " + ts);
            }
            ImageReader reader = readers.next();
            try (ImageInputStream in = new MemoryCacheImageInputStream(
                    new ByteArrayInputStream(fb.buffer(), fb.offset(), fb.length()))) {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w != m.columns() || h != m.rows()) {
                    throw new FormatException(file, PIXEL_DATA, "JPEG frame " + i + " is " + w + "×" + h
                            + ", expected " + m.columns() + "×" + m.rows() + " (Columns × Rows)");
                }
                // readRaster gives the coded components without colour conversion: YBR → RGB is done below.
                Raster raster = reader.readRaster(0, null);
                if (raster.getNumBands() != samples) {
                    throw new FormatException(file, PIXEL_DATA, "JPEG frame " + i + " has " + raster.getNumBands()
                            + " components, expected " + samples + " (SamplesPerPixel)");
                }
                int[] values = raster.getPixels(raster.getMinX(), raster.getMinY(), w, h, (int[]) null);
                System.arraycopy(values, 0, out, i * frameValues, frameValues);
            } catch (IOException | RuntimeException e) {
                if (e instanceof FormatException fe) {
                    throw fe;
                }
                throw new FormatException(file, field, "JPEG frame " + i + " of " + ts
                        + " cannot be decoded by ImageIO: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
        return out;
    }

    /**
     * Splits encapsulated pixel data into frames: by the basic offset table when it has entries; otherwise one
     * fragment per frame, all fragments for a single frame, or (JPEG) a new frame at each fragment starting with
     * the SOI marker FFD8.
     */
    private static List<FrameBytes> frames(Path file, DicomElement pixels, DicomMetadata m, boolean jpeg) {
        if (!pixels.isEncapsulated()) {
            throw new FormatException(file, PIXEL_DATA, "expected encapsulated (undefined length) pixel data for"
                    + " a compressed transfer syntax, got a plain value of " + pixels.length() + " bytes");
        }
        List<DicomElement.Fragment> all = pixels.fragments();
        DicomElement.Fragment table = all.get(0);
        List<DicomElement.Fragment> fragments = all.subList(1, all.size());
        int frames = m.frames();
        if (fragments.isEmpty()) {
            throw new FormatException(file, PIXEL_DATA, "encapsulated pixel data has no fragments");
        }
        List<List<DicomElement.Fragment>> groups = new ArrayList<>();
        if (table.length() > 0) {
            if (table.length() % 4 != 0 || table.length() / 4 != frames) {
                throw new FormatException(file, PIXEL_DATA, "basic offset table of " + table.length()
                        + " bytes, expected 4 × " + frames + " frames");
            }
            byte[] b = pixels.buffer();
            int base = fragments.get(0).offset() - 8;
            int next = 0;
            for (int f = 0; f < frames; f++) {
                int p = table.offset() + 4 * f;
                long start = (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16
                        | (b[p + 3] & 0xFFL) << 24;
                if (next >= fragments.size() || fragments.get(next).offset() - 8 - base != start) {
                    throw new FormatException(file, PIXEL_DATA, "basic offset table entry " + f + " (" + start
                            + ") does not point at the start of a fragment");
                }
                List<DicomElement.Fragment> group = new ArrayList<>();
                group.add(fragments.get(next++));
                long end = Long.MAX_VALUE;
                if (f + 1 < frames) {
                    int q = p + 4;
                    end = (b[q] & 0xFFL) | (b[q + 1] & 0xFFL) << 8 | (b[q + 2] & 0xFFL) << 16
                            | (b[q + 3] & 0xFFL) << 24;
                }
                while (next < fragments.size() && fragments.get(next).offset() - 8 - base < end) {
                    group.add(fragments.get(next++));
                }
                groups.add(group);
            }
        } else if (frames == 1) {
            groups.add(fragments);
        } else if (fragments.size() == frames) {
            for (DicomElement.Fragment fr : fragments) {
                groups.add(List.of(fr));
            }
        } else if (jpeg) {
            byte[] b = pixels.buffer();
            for (DicomElement.Fragment fr : fragments) {
                boolean soi = fr.length() >= 2 && (b[fr.offset()] & 0xFF) == 0xFF && (b[fr.offset() + 1] & 0xFF) == 0xD8;
                if (soi || groups.isEmpty()) {
                    groups.add(new ArrayList<>());
                }
                groups.get(groups.size() - 1).add(fr);
            }
        }
        if (groups.size() != frames) {
            throw new FormatException(file, PIXEL_DATA, fragments.size() + " fragments without a basic offset"
                    + " table cannot be split into " + frames + " frames (NumberOfFrames)");
        }
        List<FrameBytes> out = new ArrayList<>(frames);
        for (List<DicomElement.Fragment> group : groups) {
            if (group.size() == 1) {
                DicomElement.Fragment fr = group.get(0);
                out.add(new FrameBytes(pixels.buffer(), fr.offset(), fr.length()));
            } else {
                long size = 0;
                for (DicomElement.Fragment fr : group) {
                    size += fr.length();
                }
                byte[] joined = new byte[(int) size];
                int at = 0;
                for (DicomElement.Fragment fr : group) {
                    System.arraycopy(pixels.buffer(), fr.offset(), joined, at, fr.length());
                    at += fr.length();
                }
                out.add(new FrameBytes(joined, 0, joined.length));
            }
        }
        return out;
    }

    /** Stored values → modality values (monochrome) or RGB (colour). */
    private static float[] toValues(Path file, DicomObject d, DicomMetadata m, int[] stored) {
        String pi = m.photometricInterpretation();
        switch (pi) {
            case "MONOCHROME1", "MONOCHROME2": {
                float[] out = new float[stored.length];
                boolean unsigned32 = m.bitsStored() == 32 && !m.signed();
                double slope = m.rescaleSlope();
                double intercept = m.rescaleIntercept();
                for (int i = 0; i < out.length; i++) {
                    double v = unsigned32 ? Integer.toUnsignedLong(stored[i]) : stored[i];
                    out[i] = (float) (v * slope + intercept);
                }
                return out;
            }
            case "RGB": {
                float[] out = new float[stored.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = stored[i];
                }
                return out;
            }
            case "YBR_FULL", "YBR_FULL_422":
                return ybrToRgb(stored, m.bitsStored());
            case "PALETTE COLOR":
                return palette(file, d, m, stored);
            default:
                throw new IllegalStateException(pi);
        }
    }

    /** YCbCr (full range, ITU-R BT.601, PS3.3 C.7.6.3.1.2) → RGB, rounded and clipped to the stored range. */
    private static float[] ybrToRgb(int[] ybr, int bits) {
        float[] out = new float[ybr.length];
        double half = 1 << (bits - 1);
        double max = (1L << bits) - 1;
        for (int p = 0; p < ybr.length; p += 3) {
            double y = ybr[p];
            double cb = ybr[p + 1] - half;
            double cr = ybr[p + 2] - half;
            out[p] = (float) clip(Math.rint(y + 1.402 * cr), max);
            out[p + 1] = (float) clip(Math.rint(y - 0.344136 * cb - 0.714136 * cr), max);
            out[p + 2] = (float) clip(Math.rint(y + 1.772 * cb), max);
        }
        return out;
    }

    private static double clip(double v, double max) {
        return Math.max(0, Math.min(max, v));
    }

    private static float[] palette(Path file, DicomObject d, DicomMetadata m, int[] stored) {
        if (d.contains(DicomTag.SEGMENTED_RED_PALETTE_DATA)) {
            throw new FormatException(file, DicomTag.describe(DicomTag.SEGMENTED_RED_PALETTE_DATA),
                    "segmented palette colour lookup tables are not supported, expected plain LUT data");
        }
        int[][] luts = {
            lut(file, d, DicomTag.RED_PALETTE_DESCRIPTOR, DicomTag.RED_PALETTE_DATA),
            lut(file, d, DicomTag.GREEN_PALETTE_DESCRIPTOR, DicomTag.GREEN_PALETTE_DATA),
            lut(file, d, DicomTag.BLUE_PALETTE_DESCRIPTOR, DicomTag.BLUE_PALETTE_DATA)
        };
        int first = firstMapped(d, DicomTag.RED_PALETTE_DESCRIPTOR);
        float[] out = new float[Math.multiplyExact(stored.length, 3)];
        for (int p = 0; p < stored.length; p++) {
            for (int c = 0; c < 3; c++) {
                int[] lut = luts[c];
                // Values below the first mapped value take the first entry, above the table the last (C.7.6.3.1.5).
                int index = Math.max(0, Math.min(lut.length - 1, stored[p] - first));
                out[3 * p + c] = lut[index];
            }
        }
        return out;
    }

    private static int firstMapped(DicomObject d, int descriptorTag) {
        DicomElement e = d.get(descriptorTag);
        int v = e.uint16(1);
        return e.vr().equals("SS") ? (short) v : v;
    }

    private static int[] lut(Path file, DicomObject d, int descriptorTag, int dataTag) {
        DicomElement desc = d.get(descriptorTag);
        if (desc == null || desc.isSequence() || desc.isEncapsulated() || desc.length() < 6) {
            throw new FormatException(file, DicomTag.describe(descriptorTag), desc == null ? "missing, required for"
                    + " PALETTE COLOR" : "expected 3 values (entries, first mapped value, bits), got "
                    + desc.length() + " bytes");
        }
        int entries = desc.uint16(0) == 0 ? 65536 : desc.uint16(0);
        int bits = desc.uint16(2);
        if (bits != 8 && bits != 16) {
            throw new FormatException(file, DicomTag.describe(descriptorTag), "expected 8 or 16 bits per entry,"
                    + " got " + bits);
        }
        DicomElement data = d.get(dataTag);
        if (data == null || data.isSequence() || data.isEncapsulated()) {
            throw new FormatException(file, DicomTag.describe(dataTag), "missing, required for PALETTE COLOR");
        }
        int[] lut = new int[entries];
        byte[] b = data.buffer();
        if (bits == 8 && (data.length() == entries || data.length() == entries + 1)) {
            for (int i = 0; i < entries; i++) {
                lut[i] = b[data.offset() + i] & 0xFF;
            }
        } else if (data.length() >= 2L * entries) {
            for (int i = 0; i < entries; i++) {
                lut[i] = data.uint16(i);
            }
        } else {
            throw new FormatException(file, DicomTag.describe(dataTag), "has " + data.length() + " bytes, expected "
                    + (bits == 8 ? entries + " or " : "") + 2L * entries + " for " + entries + " entries");
        }
        return lut;
    }
}
