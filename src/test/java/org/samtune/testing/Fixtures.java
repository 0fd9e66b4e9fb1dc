package org.samtune.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;

/**
 * Golden data written by the official PyTorch code (src/test/resources/fixtures, copied from shared/fixtures) and
 * the real scans bundled in {@code data/}.
 */
public final class Fixtures {
    private Fixtures() {}

    /** A file under src/test/resources/fixtures, e.g. {@code file("sam-tiny", "image.npy")}. */
    public static Path file(String set, String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + set + "/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test fixture fixtures/" + set + "/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TensorData npy(String set, String name) {
        return Npy.read(file(set, name.endsWith(".npy") ? name : name + ".npy"));
    }

    public static Map<String, TensorData> npz(String set, String name) {
        return Npy.readNpz(file(set, name));
    }

    /** The repository's bundled data folder ({@code data/} at the project root). */
    public static Path data(String relative) {
        Path p = Path.of(System.getProperty("user.dir")).resolve("data").resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing bundled data file " + p);
        }
        return p;
    }
}
