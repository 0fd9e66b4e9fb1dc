package org.samtune.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded damage for fuzz tests: byte flips, truncation, deleted and duplicated ranges, and, inside a text header
 * (JSON, a Python dict), numbers, names and brackets replaced by hostile ones. Every operation appends what it did
 * to {@code what}, so a failing input can be described and rebuilt from its seed.
 */
public final class Mutator {
    private static final String[] NUMBERS = {"-1", "0", "1", "3", "255", "65536", "2147483647", "2147483648",
        "4294967296", "-2147483648", "9223372036854775807", "-9223372036854775808", "18446744073709551617",
        "1e400", "1.5", "-0", "NaN", "99999999999999999999999", "0x10", "", " ", "null", "\"7\"", "[1]"};
    private static final String[] WORDS = {"F32", "F64", "BF16", "I64", "U8", "BOOL", "F8_E4M3", "C64", "", "f4", "<f4",
        ">f8", "|b1", "<i8", "|u1", "<c8", "O", "<U3", "<f16", "shape", "dtype", "data_offsets", "__metadata__"};
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_<>|][A-Za-z0-9_<>|]*");

    private Mutator() {}

    /**
     * One random mutation of {@code in}; {@code textFrom}..{@code textTo} is the text header (empty range: none),
     * where half of the mutations go.
     */
    public static byte[] mutate(byte[] in, Random rnd, int textFrom, int textTo, StringBuilder what) {
        boolean text = textTo > textFrom && rnd.nextBoolean();
        if (text) {
            return mutateText(in, rnd, textFrom, textTo, what);
        }
        int kind = rnd.nextInt(6);
        return switch (kind) {
            case 0 -> flip(in, rnd, 0, in.length, what);
            case 1 -> flip(in, rnd, 0, Math.min(in.length, 64), what);
            case 2 -> truncate(in, rnd, what);
            case 3 -> deleteRange(in, rnd, what);
            case 4 -> duplicateRange(in, rnd, what);
            default -> putInt(in, rnd, what);
        };
    }

    public static byte[] flip(byte[] in, Random rnd, int from, int to, StringBuilder what) {
        byte[] b = in.clone();
        if (to <= from) {
            return b;
        }
        for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
            int at = from + rnd.nextInt(to - from);
            b[at] ^= (byte) (1 + rnd.nextInt(255));
            what.append("flip@").append(at).append(' ');
        }
        return b;
    }

    public static byte[] truncate(byte[] in, Random rnd, StringBuilder what) {
        int keep = rnd.nextInt(Math.max(1, in.length));
        what.append("truncate ").append(keep).append(' ');
        return Arrays.copyOf(in, keep);
    }

    static byte[] deleteRange(byte[] in, Random rnd, StringBuilder what) {
        if (in.length == 0) {
            return in;
        }
        int at = rnd.nextInt(in.length);
        int n = Math.min(1 + rnd.nextInt(32), in.length - at);
        byte[] c = new byte[in.length - n];
        System.arraycopy(in, 0, c, 0, at);
        System.arraycopy(in, at + n, c, at, in.length - at - n);
        what.append("delete ").append(n).append('@').append(at).append(' ');
        return c;
    }

    static byte[] duplicateRange(byte[] in, Random rnd, StringBuilder what) {
        if (in.length == 0) {
            return in;
        }
        int at = rnd.nextInt(in.length);
        int n = Math.min(1 + rnd.nextInt(32), in.length - at);
        byte[] c = new byte[in.length + n];
        System.arraycopy(in, 0, c, 0, at + n);
        System.arraycopy(in, at, c, at + n, in.length - at);
        what.append("duplicate ").append(n).append('@').append(at).append(' ');
        return c;
    }

    /** A 4-byte field (either byte order) in the first 256 bytes, where sizes and offsets live. */
    static byte[] putInt(byte[] in, Random rnd, StringBuilder what) {
        byte[] b = in.clone();
        if (b.length < 4) {
            return b;
        }
        int at = rnd.nextInt(Math.min(b.length, 256) - 3);
        int[] values = {0, 1, -1, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 46341, 65535, 1 << 20};
        int v = rnd.nextInt(3) == 0 ? rnd.nextInt() : values[rnd.nextInt(values.length)];
        boolean big = rnd.nextBoolean();
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (big ? 24 - 8 * i : 8 * i));
        }
        what.append("int@").append(at).append('=').append(v).append(big ? "BE " : "LE ");
        return b;
    }

    public static byte[] mutateText(byte[] in, Random rnd, int from, int to, StringBuilder what) {
        String head = new String(in, from, to - from, StandardCharsets.ISO_8859_1);
        String changed;
        int kind = rnd.nextInt(5);
        if (kind <= 1) {
            changed = replaceOne(head, NUMBER, NUMBERS[rnd.nextInt(NUMBERS.length)], rnd, what);
        } else if (kind == 2) {
            changed = replaceOne(head, WORD, WORDS[rnd.nextInt(WORDS.length)], rnd, what);
        } else if (kind == 3) {
            int at = rnd.nextInt(head.length() + 1);
            String[] bits = {"[", "]", "{", "}", ",", ":", "\"", "'", "(", ")", "\\", "\u00ff", "[[[[[[[[[[[[[[[[",
                "{\"a\":{\"a\":{\"a\":{\"a\":"};
            String bit = bits[rnd.nextInt(bits.length)];
            if (rnd.nextInt(20) == 0) {
                bit = "[".repeat(5000); // deep nesting: a parser must not overflow its stack
            }
            changed = head.substring(0, at) + bit + head.substring(at);
            what.append("insert '").append(bit.length() > 20 ? bit.substring(0, 20) + "…" : bit).append("'@")
                    .append(at).append(' ');
        } else {
            int at = rnd.nextInt(Math.max(1, head.length()));
            int n = Math.min(1 + rnd.nextInt(8), head.length() - at);
            changed = head.substring(0, at) + head.substring(at + Math.max(0, n));
            what.append("cut ").append(n).append("@").append(at).append(' ');
        }
        byte[] c = changed.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[in.length - (to - from) + c.length];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(c, 0, out, from, c.length);
        System.arraycopy(in, to, out, from + c.length, in.length - to);
        return out;
    }

    private static String replaceOne(String s, Pattern p, String with, Random rnd, StringBuilder what) {
        Matcher m = p.matcher(s);
        int count = 0;
        while (m.find()) {
            count++;
        }
        if (count == 0) {
            return s;
        }
        int pick = rnd.nextInt(count);
        m.reset();
        for (int i = 0; i <= pick; i++) {
            m.find();
        }
        what.append("'").append(m.group()).append("'->'").append(with).append("'@").append(m.start()).append(' ');
        return s.substring(0, m.start()) + with + s.substring(m.end());
    }
}
