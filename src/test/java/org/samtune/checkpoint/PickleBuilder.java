package org.samtune.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes pickle opcodes by hand, for pickles no honest Python would make, and wraps them in torch-style zips. */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBuilder proto() {
        return op(0x80, 2);
    }

    PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    PickleBuilder integer(int v) {
        op('J');
        return le(v, 4);
    }

    PickleBuilder global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Pushes the tuple {@code values} (ints only). */
    PickleBuilder ints(long... values) {
        op('(');
        for (long v : values) {
            integer((int) v);
        }
        return op('t');
    }

    /** Pushes a {@code _rebuild_tensor_v2} call on storage {@code key} (numel float32) with the given view. */
    PickleBuilder tensor(String key, int numel, int offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).op('t', 'Q');
        integer(offset);
        ints(size);
        ints(stride);
        op(0x89).global("collections", "OrderedDict").op(')', 'R');
        return op('t', 'R');
    }

    PickleBuilder le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A zip laid out like torch.save's: {@code archive/data.pkl} and {@code archive/data/<key>}, all stored. */
    static void writeArchive(Path file, byte[] pickle, Map<String, byte[]> storages) {
        try (ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file)))) {
            put(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                put(zip, "archive/data/" + e.getKey(), e.getValue());
            }
            put(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
