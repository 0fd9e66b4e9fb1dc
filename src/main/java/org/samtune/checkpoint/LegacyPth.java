package org.samtune.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The format of {@code torch.save} before PyTorch 1.6 (and with {@code _use_new_zipfile_serialization=False}):
 * five pickles in a row — a magic number, the protocol version 1001, a sys-info dict, the object itself and the
 * sorted list of storage keys — then, for each key in that order, its element count as a little-endian int64 and
 * its little-endian bytes.
 *
 * <p>The pickles go through the same {@link RestrictedUnpickler} as the zip format's {@code data.pkl}; each storage's
 * place in the file is computed from the counts and checked against the file size before anything is read.
 */
final class LegacyPth implements AutoCloseable {
    static final byte[] MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
        (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
    private static final long PROTOCOL_VERSION = 1001;
    /** The pickles sit at the front; a state dict's are far smaller than this. */
    private static final int MAX_PICKLE_BYTES = 64 << 20;
    private static final String WHERE = "legacy pickle";

    private final Path file;
    private final FileChannel channel;
    private final Object root;
    /** Storage key → {file offset of its bytes, element count}. */
    private final Map<String, long[]> places = new HashMap<>();

    private LegacyPth(Path file, FileChannel channel, long size) throws IOException {
        this.file = file;
        this.channel = channel;
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, MAX_PICKLE_BYTES));
        while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
            // fill
        }
        byte[] bytes = head.array();
        int pos = MAGIC.length;
        var version = RestrictedUnpickler.loadAt(bytes, pos, file, WHERE);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(version.value())) {
            throw new CheckpointException(file, "legacy torch.save protocol " + RestrictedUnpickler.typeName(
                    version.value()) + " is not supported (expected 1001)");
        }
        var sysInfo = RestrictedUnpickler.loadAt(bytes, version.end(), file, WHERE);
        if (!(sysInfo.value() instanceof Map<?, ?> info) || !Boolean.TRUE.equals(info.get("little_endian"))) {
            throw new CheckpointException(file, "legacy torch.save file from a big-endian machine (or without "
                    + "sys_info), which samtune does not read");
        }
        var main = RestrictedUnpickler.loadAt(bytes, sysInfo.end(), file, WHERE);
        var keys = RestrictedUnpickler.loadAt(bytes, main.end(), file, WHERE);
        if (!(keys.value() instanceof List<?> keyList)) {
            throw new CheckpointException(file, "legacy torch.save file: the storage key list is "
                    + RestrictedUnpickler.typeName(keys.value()) + ", expected a list");
        }
        this.root = main.value();
        long at = keys.end();
        ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : keyList) {
            StorageRef ref = k instanceof String key ? main.storages().get(key) : null;
            if (ref == null) {
                throw new CheckpointException(file, "legacy torch.save file lists storage "
                        + RestrictedUnpickler.typeName(k) + " that no tensor names");
            }
            String shown = RestrictedUnpickler.printable(ref.key());
            count.clear();
            if (at > size - 8 || channel.read(count, at) != 8) {
                throw new CheckpointException(file, "legacy storage '" + shown + "' starts past the end of the file "
                        + "(truncated?)");
            }
            long numel = count.getLong(0);
            if (numel != ref.numel()) {
                throw new CheckpointException(file, "legacy storage '" + shown + "' holds " + numel
                        + " elements but the pickle says " + ref.numel());
            }
            long bytesOf = numel * ref.dtype().bytes(); // numel equals the pickle's count, checked below
            if (numel < 0 || numel > (size - at - 8) / ref.dtype().bytes()) {
                throw new CheckpointException(file, "legacy storage '" + shown + "' of " + numel + " elements runs "
                        + "past the end of the file (truncated?)");
            }
            places.put(ref.key(), new long[] {at + 8, numel});
            at += 8 + bytesOf;
        }
    }

    static LegacyPth open(Path file, long size) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            return new LegacyPth(file, ch, size);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    Object root() {
        return root;
    }

    /** The bytes of storage {@code s}, whose place was checked against the file when it was opened. */
    byte[] read(String tensor, StorageRef s) {
        long[] place = places.get(s.key());
        if (place == null) {
            throw new CheckpointException(file, "tensor '" + tensor + "': its storage '"
                    + RestrictedUnpickler.printable(s.key()) + "' is missing from the legacy file's storage list");
        }
        long bytes = place[1] * s.dtype().bytes();
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new CheckpointException(file, "tensor '" + tensor + "': its storage is larger than 2 GiB");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes);
        try {
            while (b.hasRemaining()) {
                if (channel.read(b, place[0] + b.position()) < 0) {
                    throw new CheckpointException(file, "tensor '" + tensor + "': the file ends inside its storage");
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
        return b.array();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // the error being reported matters more
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
