package org.samtune.io;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed DICOM data set (or sequence item): its elements by tag, with typed accessors that turn malformed
 * values into a {@link FormatException} naming the file and the field.
 */
public final class DicomObject {
    private final Path file;
    private final Map<Integer, DicomElement> elements = new TreeMap<>(Integer::compareUnsigned);

    DicomObject(Path file) {
        this.file = file;
    }

    void put(DicomElement e) {
        elements.put(e.tag(), e);
    }

    public Path file() {
        return file;
    }

    public DicomElement get(int tag) {
        return elements.get(tag);
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public Collection<DicomElement> elements() {
        return Collections.unmodifiableCollection(elements.values());
    }

    /** The trimmed text value, or null when the element is absent or empty. */
    public String string(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.isSequence() || e.isEncapsulated()) {
            return null;
        }
        String s = e.string();
        return s.isEmpty() ? null : s;
    }

    /**
     * An integer value: binary for US/SS/UL/SL (and for UN of length 2 or 4, as implicit-VR files give for tags
     * outside the dictionary), decimal text for IS/DS. {@code fallback} when absent or empty.
     */
    public int intValue(int tag, int fallback) {
        DicomElement e = elements.get(tag);
        if (e == null || e.length() == 0 || e.isSequence() || e.isEncapsulated()) {
            return fallback;
        }
        switch (e.vr()) {
            case "US", "OW":
                requireLength(e, 2);
                return e.uint16(0);
            case "SS":
                requireLength(e, 2);
                return (short) e.uint16(0);
            case "UL", "SL", "OL":
                requireLength(e, 4);
                return e.int32(0);
            case "IS", "DS": {
                double[] v = doubles(tag);
                double d = v.length == 0 ? fallback : v[0];
                if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw new FormatException(file, DicomTag.describe(tag), "expected an integer, got '"
                            + e.string() + "'");
                }
                return (int) d;
            }
            default:
                if (e.length() == 2) {
                    return e.uint16(0);
                }
                if (e.length() == 4) {
                    return e.int32(0);
                }
                throw new FormatException(file, DicomTag.describe(tag), "expected an integer, got VR " + e.vr()
                        + " of " + e.length() + " bytes");
        }
    }

    /**
     * The decimal values of a DS/IS element ("0.86\0.86" → [0.86, 0.86]); FL/FD are read as binary. Null when
     * absent or empty.
     */
    public double[] doubles(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.length() == 0 || e.isSequence() || e.isEncapsulated()) {
            return null;
        }
        if (e.vr().equals("FD") || e.vr().equals("FL")) {
            int size = e.vr().equals("FD") ? 8 : 4;
            double[] out = new double[e.length() / size];
            for (int i = 0; i < out.length; i++) {
                if (size == 4) {
                    out[i] = Float.intBitsToFloat(e.int32(i));
                } else {
                    long hi = e.int32(2 * i + (e.bigEndian() ? 0 : 1)) & 0xFFFFFFFFL;
                    long lo = e.int32(2 * i + (e.bigEndian() ? 1 : 0)) & 0xFFFFFFFFL;
                    out[i] = Double.longBitsToDouble((hi << 32) | lo);
                }
            }
            return out;
        }
        String s = e.string();
        if (s.isEmpty()) {
            return null;
        }
        String[] parts = s.split("\\\\", -1);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException ex) {
                throw new FormatException(file, DicomTag.describe(tag), "expected decimal numbers, got '" + s + "'");
            }
            if (!Double.isFinite(out[i])) {
                throw new FormatException(file, DicomTag.describe(tag), "expected finite numbers, got '" + s + "'");
            }
        }
        return out;
    }

    /** The first decimal value, or {@code fallback} when absent. */
    public double doubleValue(int tag, double fallback) {
        double[] v = doubles(tag);
        return v == null || v.length == 0 ? fallback : v[0];
    }

    private void requireLength(DicomElement e, int bytes) {
        if (e.length() < bytes) {
            throw new FormatException(file, DicomTag.describe(e.tag()), "expected at least " + bytes
                    + " bytes for VR " + e.vr() + ", got " + e.length());
        }
    }

    @Override
    public String toString() {
        return "DicomObject" + elements.values();
    }
}
