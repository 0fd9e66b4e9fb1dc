package org.samtune.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

/**
 * Writes small DICOM files for tests, in any of the transfer syntaxes the reader supports, element by element in
 * the order added (so tests can also write malformed files).
 */
final class DicomBuilder {
    private final TransferSyntax ts;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    DicomBuilder(TransferSyntax ts) {
        this.ts = ts;
    }

    ByteOrder order() {
        return ts.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** One element with a defined length; {@code value} is written as given (padded to even length with 0). */
    DicomBuilder element(int tag, String vr, byte[] value) {
        byte[] v = value.length % 2 == 0 ? value : java.util.Arrays.copyOf(value, value.length + 1);
        header(tag, vr, v.length);
        body.writeBytes(v);
        return this;
    }

    /** Text (padded with a space, or NUL for UI). */
    DicomBuilder string(int tag, String vr, String value) {
        byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length % 2 == 1) {
            b = java.util.Arrays.copyOf(b, b.length + 1);
            b[b.length - 1] = (byte) (vr.equals("UI") ? 0 : ' ');
        }
        return element(tag, vr, b);
    }

    DicomBuilder us(int tag, int... values) {
        ByteBuffer bb = ByteBuffer.allocate(2 * values.length).order(order());
        for (int v : values) {
            bb.putShort((short) v);
        }
        return element(tag, "US", bb.array());
    }

    DicomBuilder ds(int tag, double... values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            if (!sb.isEmpty()) {
                sb.append('\\');
            }
            sb.append(v);
        }
        return string(tag, "DS", sb.toString());
    }

    DicomBuilder is(int tag, int value) {
        return string(tag, "IS", Integer.toString(value));
    }

    /** 16-bit words in this file's byte order. */
    DicomBuilder ow(int tag, short[] words) {
        ByteBuffer bb = ByteBuffer.allocate(2 * words.length).order(order());
        for (short w : words) {
            bb.putShort(w);
        }
        return element(tag, "OW", bb.array());
    }

    /** A sequence; each item is the body of another builder of the same syntax. */
    DicomBuilder sequence(int tag, boolean undefinedLength, boolean undefinedItems, DicomBuilder... items) {
        ByteArrayOutputStream seq = new ByteArrayOutputStream();
        for (DicomBuilder item : items) {
            byte[] b = item.body.toByteArray();
            itemHeader(seq, DicomTag.ITEM, undefinedItems ? 0xFFFFFFFF : b.length);
            seq.writeBytes(b);
            if (undefinedItems) {
                itemHeader(seq, DicomTag.ITEM_DELIMITATION, 0);
            }
        }
        if (undefinedLength) {
            itemHeader(seq, DicomTag.SEQUENCE_DELIMITATION, 0);
        }
        byte[] s = seq.toByteArray();
        header(tag, "SQ", undefinedLength ? 0xFFFFFFFF : s.length);
        body.writeBytes(s);
        return this;
    }

    /** Encapsulated pixel data: basic offset table (empty when {@code offsets} is null) and fragments. */
    DicomBuilder encapsulated(int[] offsets, byte[]... fragments) {
        header(DicomTag.PIXEL_DATA, "OB", 0xFFFFFFFF);
        ByteArrayOutputStream seq = new ByteArrayOutputStream();
        ByteBuffer table = ByteBuffer.allocate(offsets == null ? 0 : 4 * offsets.length).order(ByteOrder.LITTLE_ENDIAN);
        if (offsets != null) {
            for (int o : offsets) {
                table.putInt(o);
            }
        }
        itemHeader(seq, DicomTag.ITEM, table.capacity());
        seq.writeBytes(table.array());
        for (byte[] f : fragments) {
            byte[] even = f.length % 2 == 0 ? f : java.util.Arrays.copyOf(f, f.length + 1);
            itemHeader(seq, DicomTag.ITEM, even.length);
            seq.writeBytes(even);
        }
        itemHeader(seq, DicomTag.SEQUENCE_DELIMITATION, 0);
        body.writeBytes(seq.toByteArray());
        return this;
    }

    /** Raw bytes (for malformed files). */
    DicomBuilder raw(byte[] b) {
        body.writeBytes(b);
        return this;
    }

    byte[] dataset() {
        return body.toByteArray();
    }

    /** Preamble, "DICM", the file meta group and the data set (deflated for the deflated syntax). */
    byte[] build() {
        DicomBuilder meta = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        meta.element(0x0002_0001, "OB", new byte[] {0, 1});
        meta.string(DicomTag.MEDIA_STORAGE_SOP_CLASS_UID, "UI", "1.2.840.10008.5.1.4.1.1.4");
        meta.string(0x0002_0003, "UI", "1.2.3.4.5");
        meta.string(DicomTag.TRANSFER_SYNTAX_UID, "UI", ts.uid());
        byte[] metaBody = meta.dataset();
        DicomBuilder group = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        group.element(0x0002_0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(metaBody.length).array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(group.dataset());
        out.writeBytes(metaBody);
        byte[] data = dataset();
        if (ts.deflated()) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput(data);
            d.finish();
            byte[] buf = new byte[data.length + 1024];
            int n = d.deflate(buf);
            d.end();
            data = java.util.Arrays.copyOf(buf, n);
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    private void header(int tag, String vr, int length) {
        ByteBuffer bb = ByteBuffer.allocate(12).order(order());
        bb.putShort((short) (tag >>> 16)).putShort((short) tag);
        if (!ts.explicitVr()) {
            bb.putInt(length);
        } else if (List.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV").contains(vr)) {
            bb.put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putInt(length);
        } else {
            bb.put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) length);
        }
        body.write(bb.array(), 0, bb.position());
    }

    private void itemHeader(ByteArrayOutputStream out, int tag, int length) {
        ByteBuffer bb = ByteBuffer.allocate(8).order(order());
        bb.putShort((short) (tag >>> 16)).putShort((short) tag).putInt(length);
        out.writeBytes(bb.array());
    }

    /** PackBits-encodes one byte plane (PS3.5 G.3.1): replicate runs of 3 or more, literal runs otherwise. */
    static byte[] packBits(byte[] plane) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < plane.length) {
            int run = 1;
            while (i + run < plane.length && run < 128 && plane[i + run] == plane[i]) {
                run++;
            }
            if (run >= 3) {
                out.write(1 - run);
                out.write(plane[i]);
                i += run;
                continue;
            }
            int start = i;
            List<Byte> literal = new ArrayList<>();
            while (i < plane.length && literal.size() < 128) {
                if (i + 2 < plane.length && plane[i] == plane[i + 1] && plane[i] == plane[i + 2]) {
                    break;
                }
                literal.add(plane[i++]);
            }
            out.write(literal.size() - 1);
            out.write(plane, start, literal.size());
        }
        return out.toByteArray();
    }

    /**
     * One RLE frame from native little-endian interleaved bytes: a segment per sample byte, most significant
     * first.
     */
    static byte[] rleFrame(byte[] nativeLe, int pixels, int samples, int bytesPerSample) {
        int segments = samples * bytesPerSample;
        List<byte[]> encoded = new ArrayList<>();
        for (int s = 0; s < segments; s++) {
            int sample = s / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - s % bytesPerSample;
            byte[] plane = new byte[pixels];
            for (int p = 0; p < pixels; p++) {
                plane[p] = nativeLe[(p * samples + sample) * bytesPerSample + byteInSample];
            }
            byte[] e = packBits(plane);
            // Encoders pad odd segments to even length; the decoder must ignore the extra byte.
            encoded.add(e.length % 2 == 0 ? e : java.util.Arrays.copyOf(e, e.length + 1));
        }
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(segments);
        int offset = 64;
        for (byte[] e : encoded) {
            header.putInt(offset);
            offset += e.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.array());
        for (byte[] e : encoded) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }
}
