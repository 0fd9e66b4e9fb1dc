package org.samtune.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Parses DICOM Part 10 bytes into a {@link DicomFile}. The input is untrusted: every tag, length and value is
 * checked against the bytes that remain before anything is read or allocated, nesting is bounded, and every
 * problem is a {@link FormatException} naming the file, the element and the byte offset.
 */
final class DicomParser {
    /** Sequences nest a few levels in real files; a deeper nest is a corrupt or hostile file. */
    static final int MAX_DEPTH = 32;
    /** A deflated data set larger than this once inflated is refused (a deflate bomb otherwise fills the heap). */
    static final long MAX_INFLATED_BYTES = 1L << 30;

    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
    private static final Set<String> LONG_LENGTH_VRS =
            Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");
    private static final Set<String> KNOWN_VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS",
            "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI",
            "UL", "UN", "UR", "US", "UT", "UV");

    private final Path file;
    private byte[] bytes;
    private int pos;
    private boolean explicitVr;
    private boolean bigEndian;

    private DicomParser(Path file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** Parses a whole file held in memory; {@code file} only names it in error messages. */
    static DicomFile parse(Path file, byte[] bytes) {
        return new DicomParser(file, bytes).parse();
    }

    /**
     * True when the bytes start like a DICOM file this parser accepts: "DICM" at offset 128, or (no preamble) a
     * group 0002 or 0008 element at offset 0.
     */
    static boolean looksLikeDicom(byte[] head) {
        if (head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') {
            return true;
        }
        if (head.length < 8 || head[1] != 0 || (head[0] != 0x02 && head[0] != 0x08)) {
            return false;
        }
        // Group 0002 is always explicit VR; group 0008 without a meta group may be either.
        return looksLikeVr(head, 4) || head[0] == 0x08;
    }

    private static boolean looksLikeVr(byte[] b, int at) {
        return b.length >= at + 2 && KNOWN_VRS.contains(new String(b, at, 2, StandardCharsets.ISO_8859_1));
    }

    private DicomFile parse() {
        DicomObject meta = new DicomObject(file);
        explicitVr = true;
        bigEndian = false;
        boolean hasPreamble = bytes.length >= 132 && bytes[128] == 'D' && bytes[129] == 'I' && bytes[130] == 'C'
                && bytes[131] == 'M';
        if (hasPreamble) {
            pos = 132;
        } else if (looksLikeDicom(bytes)) {
            pos = 0;
        } else {
            throw new FormatException(file, "preamble", "not a DICOM file: no 'DICM' at byte 128 and no group"
                    + " 0002 or 0008 element at byte 0");
        }
        // The file meta group is explicit VR little endian whatever the transfer syntax.
        while (bytes.length - pos >= 6 && u16(pos) == 0x0002 && looksLikeVr(bytes, pos + 4)) {
            readElement(meta, bytes.length, 0);
        }
        TransferSyntax ts = transferSyntax(meta);
        if (ts.deflated()) {
            bytes = inflate(pos);
            pos = 0;
        }
        explicitVr = ts.explicitVr();
        bigEndian = ts.bigEndian();
        DicomObject dataset = new DicomObject(file);
        if (readDataset(dataset, bytes.length, 0)) {
            throw error(DicomTag.ITEM_DELIMITATION, "item delimiter outside any item");
        }
        return new DicomFile(file, meta, dataset, ts);
    }

    private TransferSyntax transferSyntax(DicomObject meta) {
        String uid = meta.string(DicomTag.TRANSFER_SYNTAX_UID);
        if (uid == null) {
            // No meta group (or one without the UID): tell explicit from implicit VR by the first element's VR.
            if (bytes.length - pos < 8) {
                throw new FormatException(file, "data set", "truncated: " + (bytes.length - pos)
                        + " bytes after the file meta group, expected at least one 8-byte element header");
            }
            return looksLikeVr(bytes, pos + 4) ? TransferSyntax.EXPLICIT_LITTLE : TransferSyntax.IMPLICIT_LITTLE;
        }
        TransferSyntax ts = TransferSyntax.of(uid);
        if (ts == null) {
            throw new FormatException(file, DicomTag.describe(DicomTag.TRANSFER_SYNTAX_UID),
                    "unsupported transfer syntax '" + uid + "' (not a standard DICOM transfer syntax)");
        }
        return ts;
    }

    private byte[] inflate(int from) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes, from, bytes.length - from);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, 4 * (bytes.length - from)));
            byte[] chunk = new byte[1 << 16];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new FormatException(file, "deflated data set", "truncated deflate stream after "
                            + out.size() + " inflated bytes");
                }
                out.write(chunk, 0, n);
                if (out.size() > MAX_INFLATED_BYTES) {
                    throw new FormatException(file, "deflated data set", "inflates to more than "
                            + MAX_INFLATED_BYTES + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new FormatException(file, "deflated data set", "invalid deflate stream: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    /**
     * Reads elements into {@code target} until {@code end}, or until an item delimiter (then returns true, for
     * an undefined-length item).
     */
    private boolean readDataset(DicomObject target, int end, int depth) {
        while (pos < end) {
            need(4, end, "element tag");
            int tag = tag(pos);
            if (tag == 0 && depth == 0 && zeroFrom(pos, end)) {
                // Zero padding after the last element (some writers pad files to a block size).
                pos = end;
                break;
            }
            if (tag == DicomTag.ITEM_DELIMITATION || tag == DicomTag.SEQUENCE_DELIMITATION) {
                need(8, end, DicomTag.describe(tag));
                pos += 8;
                if (tag == DicomTag.ITEM_DELIMITATION) {
                    return true;
                }
                // A stray sequence delimiter between elements is a known writer bug; skipping it loses nothing.
                continue;
            }
            readElement(target, end, depth);
        }
        return false;
    }

    private void readElement(DicomObject target, int end, int depth) {
        int start = pos;
        need(8, end, "element header");
        int tag = tag(pos);
        if (tag == DicomTag.ITEM) {
            throw error(tag, "item outside a sequence at byte " + start);
        }
        String vr;
        long length;
        if (explicitVr) {
            vr = new String(bytes, pos + 4, 2, StandardCharsets.ISO_8859_1);
            if (!KNOWN_VRS.contains(vr)) {
                throw error(tag, "invalid VR '" + printable(vr) + "' at byte " + (pos + 4));
            }
            if (LONG_LENGTH_VRS.contains(vr)) {
                need(12, end, DicomTag.describe(tag) + " header");
                length = u32(pos + 8);
                pos += 12;
            } else {
                length = u16(pos + 6);
                pos += 8;
            }
        } else {
            vr = DicomTag.implicitVr(tag);
            length = u32(pos + 4);
            pos += 8;
        }
        if (length == UNDEFINED_LENGTH) {
            if (tag == DicomTag.PIXEL_DATA && (vr.equals("OB") || vr.equals("OW") || vr.equals("UN"))) {
                target.put(readFragments(tag, vr, end));
            } else if (vr.equals("SQ") || vr.equals("UN")) {
                target.put(readSequence(tag, vr, end, true, depth, !vr.equals("SQ")));
            } else {
                throw error(tag, "undefined length with VR " + vr + " (only SQ, UN and encapsulated pixel data"
                        + " may have one)");
            }
            return;
        }
        if (length > end - pos) {
            throw error(tag, "value length " + length + " exceeds the " + (end - pos) + " bytes left"
                    + " (truncated or corrupt file)");
        }
        int len = (int) length;
        if (vr.equals("SQ")) {
            int valueEnd = pos + len;
            target.put(readSequence(tag, vr, valueEnd, false, depth, false));
            pos = valueEnd;
            return;
        }
        target.put(new DicomElement(tag, vr, bytes, pos, len, bigEndian, null, null));
        pos += len;
    }

    /**
     * Reads the items of a sequence: a defined-length one ends at {@code end}, an undefined-length one at its
     * sequence delimiter (which must come before {@code end}). UN with undefined length holds implicit VR little
     * endian items (PS3.5 6.2.2).
     */
    private DicomElement readSequence(int tag, String vr, int end, boolean undefined, int depth,
            boolean implicitItems) {
        if (depth + 1 > MAX_DEPTH) {
            throw error(tag, "sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        boolean savedExplicit = explicitVr;
        boolean savedBig = bigEndian;
        if (implicitItems) {
            explicitVr = false;
            bigEndian = false;
        }
        List<DicomObject> items = new ArrayList<>();
        try {
            while (true) {
                if (pos >= end) {
                    if (!undefined) {
                        break;
                    }
                    throw error(tag, "truncated: the sequence has no sequence delimiter before the end of the file");
                }
                need(8, end, DicomTag.describe(tag) + " item header");
                int itemTag = tag(pos);
                long itemLength = u32(pos + 4);
                pos += 8;
                if (itemTag == DicomTag.SEQUENCE_DELIMITATION) {
                    if (undefined) {
                        break;
                    }
                    continue;
                }
                if (itemTag != DicomTag.ITEM) {
                    throw error(tag, String.format("expected an item tag (FFFE,E000) at byte %d, got (%04X,%04X)",
                            pos - 8, itemTag >>> 16, itemTag & 0xFFFF));
                }
                DicomObject item = new DicomObject(file);
                if (itemLength == UNDEFINED_LENGTH) {
                    if (!readDataset(item, end, depth + 1)) {
                        throw error(tag, "truncated: an item has no item delimiter before the end of its sequence");
                    }
                } else {
                    if (itemLength > end - pos) {
                        throw error(tag, "item length " + itemLength + " exceeds the " + (end - pos)
                                + " bytes left (truncated or corrupt file)");
                    }
                    int itemEnd = pos + (int) itemLength;
                    // An item delimiter inside a defined-length item is tolerated: the length rules.
                    readDataset(item, itemEnd, depth + 1);
                    pos = itemEnd;
                }
                items.add(item);
            }
        } finally {
            explicitVr = savedExplicit;
            bigEndian = savedBig;
        }
        return new DicomElement(tag, vr, bytes, pos, 0, bigEndian, List.copyOf(items), null);
    }

    /** Encapsulated pixel data: items (the basic offset table, then the fragments) up to a sequence delimiter. */
    private DicomElement readFragments(int tag, String vr, int end) {
        List<DicomElement.Fragment> fragments = new ArrayList<>();
        while (true) {
            if (end - pos < 8) {
                throw error(tag, "truncated: encapsulated pixel data has no sequence delimiter before the end of"
                        + " the file");
            }
            int itemTag = tag(pos);
            long length = u32(pos + 4);
            pos += 8;
            if (itemTag == DicomTag.SEQUENCE_DELIMITATION) {
                break;
            }
            if (itemTag != DicomTag.ITEM) {
                throw error(tag, String.format("expected a fragment item (FFFE,E000) at byte %d, got (%04X,%04X)",
                        pos - 8, itemTag >>> 16, itemTag & 0xFFFF));
            }
            if (length > end - pos) {
                throw error(tag, "fragment length " + length + " exceeds the " + (end - pos)
                        + " bytes left (truncated or corrupt file)");
            }
            fragments.add(new DicomElement.Fragment(pos, (int) length));
            pos += (int) length;
        }
        if (fragments.isEmpty()) {
            throw error(tag, "encapsulated pixel data without a basic offset table item");
        }
        return new DicomElement(tag, vr, bytes, pos, 0, bigEndian, null, List.copyOf(fragments));
    }

    private boolean zeroFrom(int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private void need(int n, int end, String what) {
        if (end - pos < n) {
            throw new FormatException(file, what, "truncated: " + (end - pos) + " bytes left at byte " + pos
                    + ", expected " + n);
        }
    }

    private FormatException error(int tag, String problem) {
        return new FormatException(file, DicomTag.describe(tag), problem);
    }

    private int tag(int at) {
        return (u16(at) << 16) | u16(at + 2);
    }

    private int u16(int at) {
        int b0 = bytes[at] & 0xFF;
        int b1 = bytes[at + 1] & 0xFF;
        return bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0;
    }

    private long u32(int at) {
        long hi = u16(at);
        long lo = u16(at + 2);
        return bigEndian ? (hi << 16) | lo : (lo << 16) | hi;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return sb.toString();
    }
}
