package org.samtune.model.nn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module archive (what {@code torch.jit.save} writes and {@code torch::jit::load} reads) made in
 * memory from TorchScript source, for a module with methods only: no parameters, buffers or constants.
 *
 * <p>The archive holds {@code code/__torch__.py} (the class, compiled by libtorch when loaded), {@code data.pkl}
 * (the module object: class {@code __torch__.<name>} with {@code training = True}), an empty
 * {@code constants.pkl} and file-format {@code version} 3, the layout PyTorch 1.x–2.x reads. Entries are stored
 * uncompressed. Nothing touches the file system: libtorch reads the bytes from a stream.
 */
final class TorchScriptArchive {
    private TorchScriptArchive() {}

    /**
     * @param className the TorchScript class defined at the top level of {@code source} (a Python identifier)
     * @param source    TorchScript source of that class, as in a saved archive's {@code code/__torch__.py}
     */
    static byte[] of(String className, String source) {
        if (!className.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("not a class name: " + className);
        }
        String root = className.toLowerCase(java.util.Locale.ROOT) + "/";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, root + "data.pkl", modulePickle(className));
            stored(zip, root + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            // pickle protocol 2: PROTO 2, EMPTY_TUPLE, STOP
            stored(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, root + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        return bytes.toByteArray();
    }

    /**
     * The module object as torch.jit pickles it (protocol 2): {@code __torch__.<name>.__new__()} whose state is
     * {@code {'training': True}}.
     */
    private static byte[] modulePickle(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO
        p.write(2);
        p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X'); // BINUNICODE, 4-byte little-endian length
        p.write(key.length);
        p.write(0);
        p.write(0);
        p.write(0);
        p.writeBytes(key);
        p.write(0x88); // NEWTRUE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.write('.'); // STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(315532800000L); // 1980-01-01, as torch.jit.save: the same source gives the same bytes
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
