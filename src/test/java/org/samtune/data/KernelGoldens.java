package org.samtune.data;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;

/** The golden resize cases in src/test/resources/kernels (written by tools/make_kernel_goldens.py). */
public final class KernelGoldens {
    private KernelGoldens() {}

    public static Map<String, TensorData> load(String name) {
        URL url = KernelGoldens.class.getResource("/kernels/" + name);
        if (url == null) {
            throw new IllegalStateException("missing golden file kernels/" + name);
        }
        try {
            return Npy.readNpz(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int caseCount(Map<String, TensorData> npz) {
        int n = 0;
        while (npz.containsKey("c" + n + "_x")) {
            n++;
        }
        return n;
    }

    public static int[] toInts(TensorData t) {
        long[] l = t.toLongs();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    public static UInt8Image image(TensorData t) {
        long[] s = t.shape();
        byte[] b = new byte[Math.toIntExact(t.numel())];
        t.data().duplicate().get(b);
        return new UInt8Image((int) s[0], (int) s[1], s.length == 3 ? (int) s[2] : 1, b);
    }
}
