package org.samtune.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * An open {@code torch.save} file. Normally (PyTorch >= 1.6) a zip holding {@code <name>/data.pkl} (the pickled
 * object), {@code <name>/data/<key>} (one raw storage per key), {@code <name>/byteorder} and {@code <name>/version};
 * older files are in the {@link LegacyPth legacy format}.
 *
 * <p>The pickle is interpreted at once by {@link RestrictedUnpickler}; storages are read only when a tensor is
 * {@link #materialize materialised}, each checked against the zip directory, the file size and its CRC-32 first.
 * The bytes read and copied are bounded by the file's size, so no file can make the reader allocate much more
 * memory than the file itself takes.
 */
final class PthArchive implements AutoCloseable {
    private static final long MAX_ENTRY_BYTES = Integer.MAX_VALUE - 16;

    private final Path file;
    private final ZipFile zip;
    private final LegacyPth legacy;
    private final String prefix;
    private final boolean bigEndian;
    private final Map<String, ByteBuffer> storages = new HashMap<>();
    private long readBudget;
    private long copyBudget;
    private final Object root;

    private PthArchive(Path file, ZipFile zip, LegacyPth legacy, long fileSize) {
        this.file = file;
        this.zip = zip;
        this.legacy = legacy;
        this.readBudget = fileSize;
        // Non-contiguous tensors are copied; a file that views the same bytes many times could otherwise ask for
        // far more memory than it holds. Legitimate files copy at most about their own size.
        this.copyBudget = 2 * fileSize + (64L << 20);
        if (legacy != null) {
            this.prefix = "";
            this.bigEndian = false;
            this.root = legacy.root();
            return;
        }
        this.prefix = findPrefix();
        this.bigEndian = readByteOrder();
        String pkl = prefix + "data.pkl";
        this.root = RestrictedUnpickler.load(readEntry(zip.getEntry(pkl), pkl, "the pickle"), file, pkl);
    }

    static PthArchive open(Path file) {
        long size;
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            head = in.readNBytes(LegacyPth.MAGIC.length);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
        if (startsWith(head, LegacyPth.MAGIC)) {
            return new PthArchive(file, null, LegacyPth.open(file, size), size);
        }
        checkIsZip(file, head);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException(file, "is not a readable zip archive (truncated or corrupt?): "
                    + e.getMessage(), e);
        }
        try {
            return new PthArchive(file, zip, null, size);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    private static void checkIsZip(Path file, byte[] head) {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K') {
            return;
        }
        if (head.length > 0 && (head[0] & 0xff) == 0x80) {
            throw new CheckpointException(file, "is a bare pickle, not a torch.save zip archive; re-save it with "
                    + "torch.save(state_dict, 'new.pth') on PyTorch >= 1.6");
        }
        throw new CheckpointException(file, "is not a PyTorch checkpoint: a torch.save file is a zip archive "
                + "starting with 'PK'");
    }

    static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The pickled object: dicts, lists, tuples, scalars and {@link TensorRef}s, as {@link RestrictedUnpickler} says. */
    Object root() {
        return root;
    }

    /** The archive's folder name, e.g. {@code tiny_sam/}: the one holding {@code data.pkl}. */
    private String findPrefix() {
        String found = null;
        boolean torchScript = false;
        boolean npy = false;
        try {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                    if (found != null) {
                        throw new CheckpointException(file, "holds two pickles, " + RestrictedUnpickler.printable(found)
                                + "data.pkl and " + RestrictedUnpickler.printable(name)
                                + "; a torch.save archive has one");
                    }
                    found = name.substring(0, slash + 1);
                }
                torchScript |= name.endsWith("/constants.pkl") || name.contains("/code/");
                npy |= name.endsWith(".npy");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CheckpointException(file, "has a corrupt zip directory: " + e.getMessage(), e);
        }
        if (found != null && torchScript) {
            throw new CheckpointException(file, "is a TorchScript archive (torch.jit.save), not a state dict; save "
                    + "model.state_dict() with torch.save instead");
        }
        if (found == null) {
            throw new CheckpointException(file, "is a zip archive without <name>/data.pkl, so not a torch.save "
                    + "checkpoint" + (npy ? " (it looks like a NumPy .npz)" : ""));
        }
        return found;
    }

    private boolean readByteOrder() {
        String name = prefix + "byteorder";
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            return false; // PyTorch < 2.0 writes no record; those files are little-endian in practice
        }
        String order = new String(readEntry(e, name, "the byte order record"), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new CheckpointException(file, name + " says '" + RestrictedUnpickler.printable(order)
                    + "', expected 'little' or 'big'");
        };
    }

    /**
     * Reads the tensor {@code ref} (named {@code name} in messages). A contiguous little-endian view shares the
     * storage's bytes; any other is gathered element by element into new memory.
     */
    TensorData materialize(String key, TensorRef ref) {
        String name = RestrictedUnpickler.printable(key);
        StorageRef s = ref.storage();
        DType dtype = s.dtype();
        long[] size = ref.size();
        long[] stride = ref.stride();
        long numel = 1;
        long last = ref.offset();
        try {
            for (int i = 0; i < size.length; i++) {
                numel = Math.multiplyExact(numel, size[i]);
                if (size[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
            }
        } catch (ArithmeticException e) {
            throw tensorError(name, ref, "its size and stride overflow 64 bits");
        }
        if (numel > 0 ? last >= s.numel() : ref.offset() > s.numel()) {
            throw tensorError(name, ref, "it reaches element " + last + " but its storage holds " + s.numel());
        }
        if (numel > MAX_ENTRY_BYTES / dtype.bytes()) {
            throw tensorError(name, ref, "it is larger than 2 GiB, which samtune does not support");
        }
        ByteBuffer raw = storage(name, s);
        int width = dtype.bytes();
        if (isContiguous(size, stride) && (!bigEndian || width == 1)) {
            return new TensorData(dtype, size, raw.slice((int) (ref.offset() * width), (int) (numel * width)));
        }
        long bytes = numel * width;
        if (bytes > copyBudget) {
            throw tensorError(name, ref, "copying its strided view needs " + bytes + " more bytes than a file of "
                    + "this size can justify (overlapping views?)");
        }
        copyBudget -= bytes;
        return new TensorData(dtype, size, gather(raw, ref, (int) numel, width));
    }

    /** C order: element (i0, i1, ...) at offset + Σ ik·stride[k], visited with an odometer over the indices. */
    private ByteBuffer gather(ByteBuffer raw, TensorRef ref, int numel, int width) {
        long[] size = ref.size();
        long[] stride = ref.stride();
        byte[] out = new byte[numel * width];
        long[] index = new long[size.length];
        long src = ref.offset();
        for (int n = 0; n < numel; n++) {
            int from = (int) (src * width);
            for (int b = 0; b < width; b++) {
                out[n * width + b] = raw.get(from + (bigEndian ? width - 1 - b : b));
            }
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    src += stride[d];
                    break;
                }
                src -= (size[d] - 1) * stride[d];
                index[d] = 0;
            }
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Row-major contiguity, ignoring the stride of dimensions of size 1 (PyTorch does the same). */
    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] == 0) {
                return true;
            }
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    private ByteBuffer storage(String tensor, StorageRef s) {
        ByteBuffer cached = storages.get(s.key());
        String entry = prefix + "data/" + s.key();
        String name = RestrictedUnpickler.printable(entry);
        long bytes;
        try {
            bytes = Math.multiplyExact(s.numel(), s.dtype().bytes());
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, "tensor '" + tensor + "': storage " + name + " size overflows");
        }
        if (cached == null && legacy != null) {
            byte[] b = legacy.read(tensor, s);
            if (b.length != bytes || b.length > readBudget) {
                throw new CheckpointException(file, "tensor '" + tensor + "': legacy storage '"
                        + RestrictedUnpickler.printable(s.key()) + "' holds " + b.length + " bytes, expected " + bytes);
            }
            readBudget -= b.length;
            cached = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            storages.put(s.key(), cached);
        }
        if (cached == null) {
            ZipEntry e = zip.getEntry(entry);
            if (e == null) {
                throw new CheckpointException(file, "tensor '" + tensor + "': its storage " + name
                        + " is missing from the archive");
            }
            if (e.getSize() != bytes) {
                throw new CheckpointException(file, "tensor '" + tensor + "': storage " + name + " holds "
                        + e.getSize() + " bytes but the pickle says " + s.numel() + " elements of " + s.dtype()
                        + " (" + bytes + " bytes)");
            }
            cached = ByteBuffer.wrap(readEntry(e, entry, "tensor '" + tensor + "''s storage"))
                    .order(ByteOrder.LITTLE_ENDIAN);
            storages.put(s.key(), cached);
        }
        if (cached.capacity() != bytes) {
            throw new CheckpointException(file, "tensor '" + tensor + "': storage " + name + " holds "
                    + cached.capacity() + " bytes but the pickle says " + s.numel() + " elements of " + s.dtype()
                    + " (" + bytes + " bytes)");
        }
        return cached;
    }

    /** An entry's bytes, after checking its size against the file and what is left to read, and its CRC-32. */
    private byte[] readEntry(ZipEntry e, String entry, String what) {
        String name = RestrictedUnpickler.printable(entry);
        if (e == null) {
            throw new CheckpointException(file, what + " (" + name + ") is missing from the archive");
        }
        if (e.getMethod() != ZipEntry.STORED) {
            throw new CheckpointException(file, name + " is compressed, but torch.save stores every entry "
                    + "uncompressed (was the archive re-zipped?)");
        }
        long size = e.getSize();
        if (size < 0 || size > readBudget || size > MAX_ENTRY_BYTES) {
            throw new CheckpointException(file, name + " claims " + size + " bytes, more than the file has left ("
                    + readBudget + ")");
        }
        readBudget -= size;
        byte[] b = new byte[(int) size];
        int n = 0;
        try (InputStream in = zip.getInputStream(e)) {
            // straight into the array: readNBytes would copy through a chain of small buffers
            for (int r; n < b.length && (r = in.read(b, n, b.length - n)) > 0; ) {
                n += r;
            }
        } catch (ZipException ex) {
            throw new CheckpointException(file, name + " cannot be read (corrupt zip?): " + ex.getMessage(), ex);
        } catch (IOException | IllegalArgumentException | IllegalStateException ex) {
            throw new CheckpointException(file, name + " cannot be read: " + ex.getMessage(), ex);
        }
        if (n != size) {
            throw new CheckpointException(file, name + " ends after " + n + " of " + size
                    + " bytes (truncated?)");
        }
        // PyTorch >= 2.6 may skip the checksum and write 0.
        if (e.getCrc() > 0) {
            CRC32 crc = new CRC32();
            crc.update(b);
            if (crc.getValue() != e.getCrc()) {
                throw new CheckpointException(file, name + " fails its CRC-32 check (the file is corrupt)");
            }
        }
        return b;
    }

    private CheckpointException tensorError(String name, TensorRef ref, String why) {
        return new CheckpointException(file, "tensor '" + name + "' (" + ref.storage().dtype() + ", size "
                + java.util.Arrays.toString(ref.size()) + ", stride " + java.util.Arrays.toString(ref.stride())
                + ", offset " + ref.offset() + " in storage data/" + RestrictedUnpickler.printable(ref.storage().key())
                + "): " + why);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // the error being reported matters more
        }
    }

    @Override
    public void close() {
        if (zip != null) {
            closeQuietly(zip);
        }
        if (legacy != null) {
            legacy.close();
        }
    }
}
