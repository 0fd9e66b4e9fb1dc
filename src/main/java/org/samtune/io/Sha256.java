package org.samtune.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.samtune.SamtuneException;

/**
 * SHA-256 of files, remembered for the life of the process by path, size and modification time, so a checkpoint
 * hashed for the run's provenance is not read again to be named in the checkpoint metadata (a ViT-H file is
 * 2.5 GB).
 */
public final class Sha256 {
    private record Key(Path path, long bytes, long modifiedNanos) {}

    private static final Map<Key, String> KNOWN = new ConcurrentHashMap<>();

    private Sha256() {}

    /** Lower-case hex SHA-256 of the file's bytes. */
    public static String of(Path file) {
        Key key;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            key = new Key(file.toAbsolutePath().normalize(), a.size(),
                    a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
        String known = KNOWN.get(key);
        if (known != null) {
            return known;
        }
        String hex = compute(file);
        KNOWN.put(key, hex);
        return hex;
    }

    /** Lower-case hex SHA-256 of bytes. */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static String compute(Path file) {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
