package org.samtune.io;

import java.nio.file.Path;

/**
 * Decodes one frame of RLE Lossless pixel data (PS3.5 Annex G) into native bytes: little endian, samples
 * interleaved (planar configuration 0), as an uncompressed explicit VR little endian file would hold them.
 *
 * <p>A frame is a 64-byte header (number of segments, then 15 segment offsets, all uint32 little endian) followed
 * by the segments. Each segment is one byte plane of one sample, most significant byte first, PackBits coded
 * (G.3.1): a header byte n in 0..127 copies the next n+1 bytes, n in −127..−1 repeats the next byte 1−n times,
 * −128 is a no-op.
 */
public final class RleDecoder {
    private RleDecoder() {}

    /** Longest run a PackBits header produces from two input bytes: decoding grows data at most 64-fold. */
    static final int MAX_EXPANSION = 64;

    /**
     * @param buffer the bytes holding the frame's fragment(s)
     * @param offset where the frame starts in {@code buffer}
     * @param length the frame's length in bytes
     * @param pixels rows × columns
     * @param samples samples per pixel (1 or 3)
     * @param bytesPerSample BitsAllocated / 8 (1, 2 or 4)
     * @param out receives {@code pixels·samples·bytesPerSample} bytes at {@code outOffset}
     */
    public static void decodeFrame(Path file, byte[] buffer, int offset, int length, int pixels, int samples,
            int bytesPerSample, byte[] out, int outOffset) {
        String field = "PixelData (7FE0,0010) RLE frame";
        if (length < 64) {
            throw new FormatException(file, field, "truncated: " + length + " bytes, expected a 64-byte RLE header");
        }
        long segments = u32(buffer, offset);
        int expected = samples * bytesPerSample;
        if (segments != expected) {
            throw new FormatException(file, field, "has " + segments + " segments, expected " + expected + " ("
                    + samples + " samples × " + bytesPerSample + " bytes)");
        }
        for (int s = 0; s < expected; s++) {
            long start = u32(buffer, offset + 4 + 4 * s);
            long end = s + 1 < expected ? u32(buffer, offset + 8 + 4 * s) : length;
            if (start < 64 || start > end || end > length) {
                throw new FormatException(file, field, "segment " + s + " spans bytes " + start + ".." + end
                        + ", expected within 64.." + length + " and in order");
            }
            // Sample s, byte b (0 = most significant) lands at byte (p·samples + s)·bytesPerSample + (bps−1−b).
            int sample = s / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - s % bytesPerSample;
            int stride = samples * bytesPerSample;
            int first = outOffset + sample * bytesPerSample + byteInSample;
            int decoded = decodeSegment(buffer, offset + (int) start, offset + (int) end, pixels, out, first, stride);
            if (decoded < pixels) {
                throw new FormatException(file, field, "segment " + s + " decodes to " + decoded
                        + " bytes, expected " + pixels + " (rows × columns)");
            }
        }
    }

    /** PackBits-decodes {@code [from, to)} into every {@code stride}-th byte of out; stops after {@code count}. */
    private static int decodeSegment(byte[] in, int from, int to, int count, byte[] out, int first, int stride) {
        int p = from;
        int n = 0;
        int o = first;
        while (p < to && n < count) {
            int h = in[p++];
            if (h >= 0) {
                int run = Math.min(h + 1, Math.min(to - p, count - n));
                for (int r = 0; r < run; r++) {
                    out[o] = in[p++];
                    o += stride;
                }
                n += run;
            } else if (h != -128) {
                if (p >= to) {
                    break;
                }
                byte v = in[p++];
                int run = Math.min(1 - h, count - n);
                for (int r = 0; r < run; r++) {
                    out[o] = v;
                    o += stride;
                }
                n += run;
            }
        }
        return n;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }
}
