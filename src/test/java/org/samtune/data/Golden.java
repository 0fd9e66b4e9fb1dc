package org.samtune.data;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;

/** Goldens under src/test/resources/golden/data, written by generate.py there (PIL, torchvision, OpenCV). */
public final class Golden {
    private Golden() {}

    public static TensorData npy(String name) {
        URL url = Golden.class.getResource("/golden/data/" + name + ".npy");
        if (url == null) {
            throw new IllegalStateException("missing golden golden/data/" + name + ".npy");
        }
        try {
            return Npy.read(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] bytes(String name) {
        long[] v = npy(name).toLongs();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
