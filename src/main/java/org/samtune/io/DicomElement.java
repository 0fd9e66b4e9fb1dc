package org.samtune.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One data element: its tag, VR and value. A plain value is a window into the file's bytes (no copy); a
 * sequence has items; encapsulated pixel data has fragments (the first is the basic offset table).
 */
public final class DicomElement {
    /** A window {@code [offset, offset + length)} into the buffer the element was parsed from. */
    public record Fragment(int offset, int length) {}

    private final int tag;
    private final String vr;
    private final byte[] buffer;
    private final int offset;
    private final int length;
    private final boolean bigEndian;
    private final List<DicomObject> items;
    private final List<Fragment> fragments;

    DicomElement(int tag, String vr, byte[] buffer, int offset, int length, boolean bigEndian,
            List<DicomObject> items, List<Fragment> fragments) {
        this.tag = tag;
        this.vr = vr;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.bigEndian = bigEndian;
        this.items = items;
        this.fragments = fragments;
    }

    public int tag() {
        return tag;
    }

    public String vr() {
        return vr;
    }

    /** Value length in bytes (0 for sequences and encapsulated data). */
    public int length() {
        return length;
    }

    /** Where the value starts in {@link #buffer()}. */
    int offset() {
        return offset;
    }

    byte[] buffer() {
        return buffer;
    }

    public boolean bigEndian() {
        return bigEndian;
    }

    public boolean isSequence() {
        return items != null;
    }

    public boolean isEncapsulated() {
        return fragments != null;
    }

    /** The items of a sequence (empty list for a plain value). */
    public List<DicomObject> items() {
        return items == null ? List.of() : items;
    }

    /** Fragments of encapsulated pixel data, the basic offset table first (empty list otherwise). */
    public List<Fragment> fragments() {
        return fragments == null ? List.of() : fragments;
    }

    /** A copy of the value bytes. */
    public byte[] bytes() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    /** A copy of one fragment's bytes. */
    public byte[] fragmentBytes(Fragment f) {
        return Arrays.copyOfRange(buffer, f.offset(), f.offset() + f.length());
    }

    /** The value as text (ISO 8859-1; UIDs and numbers are ASCII), trailing NUL and spaces removed. */
    public String string() {
        int end = offset + length;
        while (end > offset && (buffer[end - 1] == 0 || buffer[end - 1] == ' ')) {
            end--;
        }
        int start = offset;
        while (start < end && buffer[start] == ' ') {
            start++;
        }
        return new String(buffer, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Unsigned 16-bit value number {@code index} in the file's byte order. */
    public int uint16(int index) {
        int p = offset + 2 * index;
        int b0 = buffer[p] & 0xFF;
        int b1 = buffer[p + 1] & 0xFF;
        return bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0;
    }

    /** 32-bit value number {@code index} in the file's byte order. */
    public int int32(int index) {
        int p = offset + 4 * index;
        int b0 = buffer[p] & 0xFF;
        int b1 = buffer[p + 1] & 0xFF;
        int b2 = buffer[p + 2] & 0xFF;
        int b3 = buffer[p + 3] & 0xFF;
        return bigEndian ? (b0 << 24) | (b1 << 16) | (b2 << 8) | b3 : (b3 << 24) | (b2 << 16) | (b1 << 8) | b0;
    }

    @Override
    public String toString() {
        String what = items != null ? items.size() + " items"
                : fragments != null ? fragments.size() + " fragments" : length + " bytes";
        return DicomTag.describe(tag) + " " + vr + " " + what;
    }
}
