package org.samtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;
import org.samtune.model.Sam;
import org.samtune.model.nn.Module;

/**
 * Image embeddings of a frozen encoder in a folder ({@code train --embedding-cache DIR}), shared by runs, seeds and
 * processes.
 *
 * <p><b>Key.</b> SHA-256 of a format tag, the encoder's fingerprint (its configuration and every weight and buffer,
 * {@link #encoderFingerprint}) and the prepared input image (its floats, so the preprocessing — resize, padding,
 * normalisation — and the image content are both in it). Another checkpoint, size, normalisation or image gives
 * another key; the same image in another run or seed finds its embedding.
 *
 * <p><b>File.</b> {@code DIR/ab/abcdef….emb}: magic, key, rank and dims, float32 little-endian values, SHA-256 of
 * everything before it. A file is used only if it is complete, names the expected key and shape, and its digest
 * matches; anything else (truncated, foreign, corrupt) is recomputed and replaced, never used.
 *
 * <p><b>Concurrency.</b> Files are written to a temporary name and renamed ({@link AtomicFiles}), so a reader sees
 * a whole old file, a whole new one, or none; two processes computing the same key both write complete files and
 * the last rename wins. Eviction deletes whole files; a reader that loses the race recomputes.
 *
 * <p><b>Bound.</b> At most {@code maxBytes} of cache files: reading a file marks it used (modification time);
 * when a write takes the folder over the bound, the least recently used files go until it is at 90 % of it.
 */
public final class DiskEmbeddingCache implements EmbeddingCache {
    static final byte[] MAGIC = "SAMTEMB1".getBytes(StandardCharsets.US_ASCII);
    static final String SUFFIX = ".emb";
    private static final String FORMAT = "samtune-embedding-cache/1";
    private static final int DIGEST = 32;

    private final Path dir;
    private final long maxBytes;
    private final byte[] encoderKey;
    private final long[] shape;
    private long approxBytes;
    private long hits;
    private long misses;
    private long rejected;
    private long evicted;

    /**
     * @param dir         the cache folder (created if missing)
     * @param maxBytes    size bound of the cache files
     * @param encoderKey  {@link #encoderFingerprint} of the encoder
     * @param shape       the embedding shape every entry must have, (1, C, h, w)
     */
    public DiskEmbeddingCache(Path dir, long maxBytes, byte[] encoderKey, long[] shape) {
        if (maxBytes <= 0) {
            throw new SamtuneException("--embedding-cache-size: expected a positive size, got " + maxBytes + " bytes");
        }
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.encoderKey = encoderKey.clone();
        this.shape = shape.clone();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SamtuneException(dir + ": cannot create the embedding cache folder: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new SamtuneException(dir + ": the embedding cache must be a writable folder");
        }
        this.approxBytes = entries().stream().mapToLong(Entry::bytes).sum();
    }

    /** A cache for {@code sam}'s encoder: fingerprint from its weights, entry shape from its configuration. */
    public static DiskEmbeddingCache forModel(Path dir, long maxBytes, Sam sam) {
        int t = sam.config.prompt().imageEmbeddingSize();
        return new DiskEmbeddingCache(dir, maxBytes, encoderFingerprint(sam),
                new long[] {1, sam.config.prompt().embedDim(), t, t});
    }

    /**
     * SHA-256 over the encoder's description (class, ViT configuration including block order) and every
     * {@code image_encoder.*} tensor (name, shape, bytes) in key order.
     */
    public static byte[] encoderFingerprint(Sam sam) {
        MessageDigest md = sha256();
        md.update(FORMAT.getBytes(StandardCharsets.UTF_8));
        md.update(sam.imageEncoder().getClass().getName().getBytes(StandardCharsets.UTF_8));
        md.update(String.valueOf(sam.config.vit()).getBytes(StandardCharsets.UTF_8));
        Map<String, NDArray> sorted = new TreeMap<>(sam.stateArrays());
        sorted.forEach((k, a) -> {
            if (k.startsWith("image_encoder.")) {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update(Arrays.toString(a.getShape().getShape()).getBytes(StandardCharsets.UTF_8));
                md.update(Module.toTensorData(a).data());
            }
        });
        return md.digest();
    }

    @Override
    public NDArray embedding(NDManager manager, int index, float[] image, Supplier<NDArray> compute) {
        byte[] key = key(image);
        Path file = fileFor(key);
        float[] values = read(file, key);
        if (values != null) {
            hits++;
            touch(file);
            return manager.create(values, new Shape(shape));
        }
        misses++;
        NDArray e = compute.get();
        if (!Arrays.equals(e.getShape().getShape(), shape)) {
            throw new IllegalStateException("encoder gave " + e.getShape() + ", the cache expects "
                    + Arrays.toString(shape));
        }
        byte[] bytes = encode(key, e.toType(DataType.FLOAT32, false).toFloatArray());
        AtomicFiles.writeBytes(file, bytes);
        approxBytes += bytes.length;
        if (approxBytes > maxBytes) {
            evict();
        }
        return e;
    }

    byte[] key(float[] image) {
        MessageDigest md = sha256();
        md.update(encoderKey);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * image.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(image.length);
        b.asFloatBuffer().put(image);
        md.update(b.array());
        return md.digest();
    }

    Path fileFor(byte[] key) {
        String hex = HexFormat.of().formatHex(key);
        return dir.resolve(hex.substring(0, 2)).resolve(hex + SUFFIX);
    }

    private byte[] encode(byte[] key, float[] values) {
        int header = MAGIC.length + DIGEST + 4 + 8 * shape.length;
        ByteBuffer b = ByteBuffer.allocate(header + 4 * values.length + DIGEST).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put(key).putInt(shape.length);
        for (long d : shape) {
            b.putLong(d);
        }
        for (float v : values) {
            b.putFloat(v);
        }
        MessageDigest md = sha256();
        md.update(b.array(), 0, b.position());
        b.put(md.digest());
        return b.array();
    }

    /** The values of a valid entry for {@code key}, or null (missing, truncated, foreign, corrupt). */
    private float[] read(Path file, byte[] key) {
        byte[] bytes;
        try {
            long expected = MAGIC.length + DIGEST + 4 + 8L * shape.length + 4 * numel() + DIGEST;
            long size = Files.size(file);
            if (size != expected) {
                rejected++;
                return null; // truncated or another shape: checked before reading anything
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            rejected++;
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        byte[] storedKey = new byte[DIGEST];
        b.get(magic).get(storedKey);
        int rank = b.remaining() >= 4 ? b.getInt() : -1;
        if (!Arrays.equals(magic, MAGIC) || !Arrays.equals(storedKey, key) || rank != shape.length) {
            rejected++;
            return null;
        }
        for (long d : shape) {
            if (b.getLong() != d) {
                rejected++;
                return null;
            }
        }
        int payloadEnd = bytes.length - DIGEST;
        MessageDigest md = sha256();
        md.update(bytes, 0, payloadEnd);
        if (!Arrays.equals(md.digest(), Arrays.copyOfRange(bytes, payloadEnd, bytes.length))) {
            rejected++;
            return null;
        }
        float[] values = new float[(int) numel()];
        b.asFloatBuffer().get(values);
        return values;
    }

    private long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static void touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // evicted meanwhile, or read-only: the entry just looks older
        }
    }

    record Entry(Path file, long bytes, long lastUsedMillis) {}

    /** Every cache file now in the folder (other processes' included). */
    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> subdirs = Files.newDirectoryStream(dir)) {
            for (Path sub : subdirs) {
                if (!Files.isDirectory(sub) || sub.getFileName().toString().length() != 2) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(sub, "*" + SUFFIX)) {
                    for (Path f : files) {
                        try {
                            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                            out.add(new Entry(f, a.size(), a.lastModifiedTime().toMillis()));
                        } catch (NoSuchFileException gone) {
                            // evicted by another process while listing
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new SamtuneException(dir + ": cannot list the embedding cache: " + e.getMessage(), e);
        }
        return out;
    }

    /** Deletes least recently used files until the folder holds at most 90 % of the bound. */
    private void evict() {
        List<Entry> all = entries();
        all.sort(Comparator.comparingLong(Entry::lastUsedMillis).thenComparing(e -> e.file().toString()));
        long total = all.stream().mapToLong(Entry::bytes).sum();
        long target = maxBytes - maxBytes / 10;
        for (Entry e : all) {
            if (total <= target) {
                break;
            }
            try {
                Files.deleteIfExists(e.file());
                evicted++;
            } catch (IOException ignored) {
                // another process removed or holds it; the next eviction retries
            }
            total -= e.bytes();
        }
        approxBytes = total;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** Files found but not used (truncated, foreign, corrupt) and then recomputed. */
    public long rejected() {
        return rejected;
    }

    public long evicted() {
        return evicted;
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "embedding cache %s: %d read, %d computed, %d invalid files "
                + "recomputed, %d evicted; about %.1f of %.1f MiB", dir, hits, misses, rejected, evicted,
                approxBytes / 1048576.0, maxBytes / 1048576.0);
    }

    @Override
    public void close() {
        // nothing held open: every entry is a complete file
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
