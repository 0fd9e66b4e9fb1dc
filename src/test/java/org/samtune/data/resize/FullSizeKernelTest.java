package org.samtune.data.resize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.samtune.data.SamTransforms;
import org.samtune.data.UInt8Image;
import org.samtune.data.FinetuneSamPreprocessing;
import org.samtune.model.nn.TorchBilinear;

/**
 * The kernels at the sizes the pipelines really use (1024², 256²), bit for bit: inputs are integer formulas that
 * tools/make_kernel_goldens.py evaluates identically; kernels/full_size.json holds the SHA-256 of PyTorch's /
 * Pillow's / torchvision's outputs (the arrays themselves would be megabytes).
 */
class FullSizeKernelTest {
    private static JsonNode expected;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = FullSizeKernelTest.class.getResourceAsStream("/kernels/full_size.json")) {
            expected = new ObjectMapper().readTree(in);
        }
    }

    static UInt8Image pattern(int h, int w, int c) {
        byte[] b = new byte[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    b[(y * w + x) * c + ch] = (byte) ((y * 7 + x * 13 + ch * 101 + (x * y) % 31) % 256);
                }
            }
        }
        return new UInt8Image(h, w, c, b);
    }

    static float[] patternFloats(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) ((i * 37L) % 1000) / 100f - 5f;
        }
        return f;
    }

    private static void assertHash(String key, byte[] bytes) {
        assertThat(expected.has(key)).as("golden key " + key).isTrue();
        try {
            String got = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            assertThat(got).as(key).isEqualTo(expected.get(key).asText());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(float[] f) {
        ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        return b.array();
    }

    private static byte[] bytes(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    @Test
    void pilAtFinetuneSamSize() {
        UInt8Image grey = pattern(384, 384, 1);
        assertHash("pil_bilinear_384_L_to_1024", PilResize.bilinear(grey, 1024, 1024).pixels());
        assertHash("pil_nearest_384_L_to_1024", PilResize.nearest(grey, 1024, 1024).pixels());
        assertHash("pil_bilinear_512x400_RGB_to_1024", PilResize.bilinear(pattern(512, 400, 3), 1024, 1024).pixels());
        assertHash("finetune_sam_image_384_L_sam", bytes(FinetuneSamPreprocessing.image(grey, 1024,
                FinetuneSamPreprocessing.Normalization.SAM)));
    }

    @Test
    void samResizeAndPostprocessAtRealSize() {
        ResizeLongestSide t = new ResizeLongestSide(1024);
        assertThat(t.newSize(300, 500)).containsExactly(614, 1024);
        assertHash("resize_longest_300x500_RGB_to_1024", t.applyImage(pattern(300, 500, 3)).pixels());
        float[] low = patternFloats(2 * 3 * 256 * 256);
        assertHash("sam_postprocess_2x3x256_to_300x500",
                bytes(SamTransforms.postprocessMasks(low, 2, 3, 256, 256, 1024, 614, 1024, 300, 500)));
        float[] oneChannel = new float[2 * 256 * 256];
        System.arraycopy(low, 0, oneChannel, 0, 256 * 256);
        System.arraycopy(low, 3 * 256 * 256, oneChannel, 256 * 256, 256 * 256);
        assertHash("torch_bilinear_2x1x256_to_1024",
                bytes(TorchBilinear.resize(oneChannel, 2, 1, 256, 256, 1024, 1024, false)));
        // low[:, :1] as a view keeps the batch stride 3·256², so it is not channels-last contiguous
        boolean cl = TorchBilinear.channelsLastContiguous(new long[] {2, 1, 256, 256},
                new long[] {3 * 256 * 256, 256 * 256, 256, 1});
        assertThat(cl).isFalse();
        assertHash("torch_bilinear_2x1x256_to_1024_slice",
                bytes(TorchBilinear.resize(oneChannel, 2, 1, 256, 256, 1024, 1024, false, cl)));
        for (int b = 1; b <= 2; b++) {
            float[] m = java.util.Arrays.copyOf(oneChannel, b * 256 * 256);
            assertHash("sam_postprocess_" + b + "x1x256_to_300x500",
                    bytes(SamTransforms.postprocessMasks(m, b, 1, 256, 256, 1024, 614, 1024, 300, 500)));
        }
    }

    @Test
    void groundTruthDownsamplingAtRealSize() {
        UInt8Image p = pattern(1024, 1024, 1);
        int[] labels = new int[1024 * 1024];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (p.pixels()[i] & 0xff) / 86;
        }
        assertHash("tv_label_1024_to_256", bytes(TorchvisionLabelResize.resize(labels, 1, 1024, 1024, 256, 256,
                TorchvisionLabelResize.Antialias.TORCHVISION_0_15)));
        assertHash("tv_label_1024_to_256_antialias", bytes(TorchvisionLabelResize.resize(labels, 1, 1024, 1024,
                256, 256, TorchvisionLabelResize.Antialias.TORCHVISION_0_17)));
    }
}
