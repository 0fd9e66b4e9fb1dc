package org.samtune.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.samtune.io.AtomicFiles;

/** NumPy's {@code .npy} (version 1–3, C order, either byte order) and {@code .npz} (a zip of {@code .npy}). */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private Npy() {}

    public static TensorData read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file, Files.size(file));
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads every array of an {@code .npz}, keyed by name without the {@code .npy} suffix. */
    public static Map<String, TensorData> readNpz(Path file) {
        LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name.substring(0, name.length() - 4), read(in, file.resolve(name), e.getSize()));
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read as .npz: " + e.getMessage(), e);
        }
        return out;
    }

    static TensorData read(InputStream in, Path file, long sizeHint) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8) {
            throw new CheckpointException(file, "not a .npy file: shorter than its 8-byte preamble");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new CheckpointException(file, "not a .npy file: magic bytes \\x93NUMPY missing");
            }
        }
        int major = magic[6];
        long headerLen;
        if (major == 1) {
            byte[] l = readFully(in, 2, file, "header length");
            headerLen = ((l[1] & 0xff) << 8) | (l[0] & 0xff);
        } else if (major == 2 || major == 3) {
            byte[] l = readFully(in, 4, file, "header length");
            headerLen = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        } else {
            throw new CheckpointException(file, ".npy version " + major + " is not supported (1, 2 or 3)");
        }
        if (headerLen > 1 << 20) {
            throw new CheckpointException(file, ".npy header length " + headerLen + " is implausible");
        }
        String header = new String(readFully(in, (int) headerLen, file, "header"), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new CheckpointException(file, ".npy header lacks descr, fortran_order or shape: " + printable(header.strip()));
        }
        if (f.group(1).equals("True")) {
            throw new CheckpointException(file, "Fortran-order .npy arrays are not supported");
        }
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (d.group(3).length() > 2) {
            throw new CheckpointException(file, ".npy dtype '" + d.group(2) + d.group(3) + "' is not supported");
        }
        DType dtype = dtypeOf(file, d.group(2), Integer.parseInt(d.group(3)));
        long[] shape = shape(file, s.group(1));
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorData.numel(shape), dtype.bytes());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new CheckpointException(file, ".npy shape (" + printable(s.group(1)) + ") is invalid");
        }
        if (bytes > MAX_BYTES || (sizeHint >= 0 && bytes > sizeHint)) {
            throw new CheckpointException(file, ".npy shape (" + printable(s.group(1)) + ") needs " + bytes
                    + " bytes, more than the file holds");
        }
        byte[] raw = in.readNBytes((int) bytes);
        if (raw.length != bytes) {
            throw new CheckpointException(file, ".npy data truncated: " + raw.length + " of " + bytes + " bytes");
        }
        ByteBuffer buf = ByteBuffer.wrap(raw).order(order);
        if (order == ByteOrder.BIG_ENDIAN && dtype.bytes() > 1) {
            buf = swap(raw, dtype.bytes());
        }
        return new TensorData(dtype, shape, buf.order(ByteOrder.LITTLE_ENDIAN));
    }

    private static byte[] readFully(InputStream in, int n, Path file, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new CheckpointException(file, ".npy " + what + " truncated: " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** The tuple's dimensions: non-negative integers that fit a long, or the file is refused. */
    private static long[] shape(Path file, String tuple) {
        List<Long> dims = new ArrayList<>();
        String[] parts = tuple.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty() && (i == parts.length - 1 && i > 0 || parts.length == 1)) {
                continue; // "(3,)" and "()"
            }
            if (!p.matches("\\d{1,18}")) {
                throw new CheckpointException(file, ".npy shape (" + printable(tuple) + ") is invalid: expected"
                        + " non-negative integers");
            }
            dims.add(Long.parseLong(p));
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 80 ? t.substring(0, 80) + "..." : t;
    }

    private static ByteBuffer swap(byte[] raw, int width) {
        byte[] out = new byte[raw.length];
        for (int i = 0; i < raw.length; i += width) {
            for (int j = 0; j < width; j++) {
                out[i + j] = raw[i + width - 1 - j];
            }
        }
        return ByteBuffer.wrap(out);
    }

    private static DType dtypeOf(Path file, String kind, int width) {
        String k = kind + width;
        return switch (k) {
            case "f8" -> DType.F64;
            case "f4" -> DType.F32;
            case "f2" -> DType.F16;
            case "i8" -> DType.I64;
            case "i4" -> DType.I32;
            case "i2" -> DType.I16;
            case "i1" -> DType.I8;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            default -> throw new CheckpointException(file, ".npy dtype '" + k + "' is not supported");
        };
    }

    private static String descr(DType t) {
        return switch (t) {
            case F64 -> "<f8";
            case F32 -> "<f4";
            case F16 -> "<f2";
            case I64 -> "<i8";
            case I32 -> "<i4";
            case I16 -> "<i2";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case BOOL -> "|b1";
            case BF16 -> throw new IllegalArgumentException("bfloat16 has no .npy type; convert to float32 first");
        };
    }

    /** Writes a version-1 {@code .npy} atomically. */
    public static void write(Path file, TensorData t) {
        AtomicFiles.write(file, out -> write(out, t));
    }

    static void write(OutputStream out, TensorData t) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        long[] sh = t.shape();
        for (int i = 0; i < sh.length; i++) {
            shape.append(sh[i]).append(sh.length == 1 ? "," : (i + 1 < sh.length ? ", " : ""));
        }
        shape.append(')');
        String h = "{'descr': '" + descr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = MAGIC.length + 2 + 2 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h = h + " ".repeat(pad) + "\n";
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC);
        head.write(1);
        head.write(0);
        head.write(h.length() & 0xff);
        head.write((h.length() >> 8) & 0xff);
        head.write(h.getBytes(StandardCharsets.ISO_8859_1));
        out.write(head.toByteArray());
        ByteBuffer d = t.data().duplicate();
        byte[] chunk = new byte[1 << 16];
        while (d.hasRemaining()) {
            int n = Math.min(chunk.length, d.remaining());
            d.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
