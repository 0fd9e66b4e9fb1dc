package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.testing.Fixtures;

/**
 * The full-size vit_t encoder has exactly the keys, order, dtypes and shapes of MobileSAM's {@code mobile_sam.pt}
 * image encoder (fixtures/sam-tiny/vit_t_keys.txt), and the reduced config those of mobilesam_tiny.pth.
 */
class TinyViTKeysTest {

    /** key → "dtype shape" for the image_encoder.* lines of a keys file, prefix removed, in file order. */
    static Map<String, String> encoderKeys(String set, String file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(Fixtures.file(set, file));
        for (String line : lines) {
            if (line.startsWith("#") || !line.startsWith("image_encoder.")) {
                continue;
            }
            String[] f = line.split("\t");
            out.put(f[0].substring("image_encoder.".length()), f[1] + " " + f[2]);
        }
        return out;
    }

    static Map<String, String> describe(Map<String, NDArray> arrays) {
        Map<String, String> out = new LinkedHashMap<>();
        arrays.forEach((k, a) -> {
            String dtype = a.getDataType() == DataType.INT64 ? "int64" : a.getDataType() == DataType.FLOAT32 ? "float32" : a.getDataType().toString();
            out.put(k, dtype + " " + Arrays.toString(a.getShape().getShape()).replace(" ", ""));
        });
        return out;
    }

    @Test
    void vitTHasMobileSamKeysAndShapes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViT enc = new TinyViT(m, TinyViTConfig.vitT());
            Map<String, String> expected = encoderKeys("sam-tiny", "vit_t_keys.txt");
            Map<String, NDArray> state = enc.stateArrays();
            assertThat(expected).hasSize(302);
            assertThat(List.copyOf(describe(state).entrySet())).containsExactlyElementsOf(expected.entrySet());
            long elements = state.values().stream().mapToLong(a -> a.getShape().size()).sum();
            // spec §7.5: encoder 6,075,415 state-dict elements incl. BN statistics, norm_head/head and neck.
            assertThat(elements).isEqualTo(6_075_415L);
            assertThat(enc.basicLayer(2).downsample.stride).isEqualTo(1);
            assertThat(enc.convLayer().downsample.stride).isEqualTo(2);
            assertThat(enc.basicLayer(1).downsample.stride).isEqualTo(2);
            assertThat(enc.outChans()).isEqualTo(256);
            assertThat(enc.imgSize()).isEqualTo(1024);
        }
    }

    @Test
    void fixtureConfigHasMobileSamTinyKeysAndShapes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViT enc = new TinyViT(m, TinyViTConfig.mobileSamTiny());
            Map<String, String> expected = encoderKeys(MobileSamTinyFixture.SET, "mobilesam_tiny_keys.txt");
            // mobilesam_tiny_keys.txt appends the vit_t shape as a 4th column; encoderKeys keeps columns 2-3 only.
            assertThat(List.copyOf(describe(enc.stateArrays()).entrySet())).containsExactlyElementsOf(expected.entrySet());
        }
    }

    @Test
    void attentionBiasIndexTableMatchesMobileSamEnumeration() {
        // 7x7 window: 49 distinct (|dy|,|dx|) offsets; 14x14: 196; first-seen order from position (0,0).
        long[] idx7 = TinyViTAttention.biasIndices(7);
        assertThat(Arrays.stream(idx7).max().getAsLong()).isEqualTo(48);
        assertThat(Arrays.stream(TinyViTAttention.biasIndices(14)).max().getAsLong()).isEqualTo(195);
        // Row of position 0 enumerates offsets (0,0),(0,1)..(0,6),(1,0).. in order: index = dy*7+dx.
        for (int p2 = 0; p2 < 49; p2++) {
            assertThat(idx7[p2]).isEqualTo(p2);
        }
        // Symmetric, and equal for pairs with the same |offset|: (3,3)-(5,1) has offset (2,2) like (0,0)-(2,2).
        assertThat(idx7[(3 * 7 + 3) * 49 + (5 * 7 + 1)]).isEqualTo(idx7[(0) * 49 + (2 * 7 + 2)]);
        assertThat(idx7[10 * 49 + 20]).isEqualTo(idx7[20 * 49 + 10]);
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViTAttention attn = new TinyViTAttention(m, 16, 2, 7);
            assertThat(attn.stateArrays()).doesNotContainKey("attention_bias_idxs");
            assertThat(attn.attention_biases.array().getShape().getShape()).containsExactly(2, 49);
        }
    }

    @Test
    void mobileSamTinyPresetEqualsTheFixtureConfig() throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Fixtures.file(MobileSamTinyFixture.SET, "mobilesam_tiny.json").toFile()).get("image_encoder");
        var ints = (java.util.function.Function<String, List<Integer>>) field -> {
            List<Integer> out = new java.util.ArrayList<>();
            json.get(field).forEach(n -> out.add(n.asInt()));
            return out;
        };
        TinyViTConfig fromFile = new TinyViTConfig(json.get("img_size").asInt(), json.get("in_chans").asInt(),
                json.get("num_classes").asInt(), ints.apply("embed_dims"), ints.apply("depths"),
                ints.apply("num_heads"), ints.apply("window_sizes"), json.get("mlp_ratio").asDouble(),
                json.get("mbconv_expand_ratio").asDouble(), json.get("local_conv_size").asInt());
        assertThat(TinyViTConfig.mobileSamTiny()).isEqualTo(fromFile);
    }

    @Test
    void invalidConfigsNameTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TinyViTConfig(1024, 3, 1000,
                        List.of(64, 128, 160, 256), List.of(2, 2, 6, 2), List.of(2, 4, 5, 8), List.of(7, 7, 14, 7),
                        4, 4, 3))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("embed_dims[3]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TinyViTConfig(1000, 3, 1000,
                        List.of(64, 128, 160, 320), List.of(2, 2, 6, 2), List.of(2, 4, 5, 10), List.of(7, 7, 14, 7),
                        4, 4, 3))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("img_size");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TinyViTConfig(1024, 3, 1000,
                        List.of(64, 128, 160, 320), List.of(2, 2, 6, 2), List.of(2, 3, 5, 10), List.of(7, 7, 14, 7),
                        4, 4, 3))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("num_heads[1]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TinyViTConfig(1024, 3, 1000,
                        List.of(64, 128, 160), List.of(2, 2, 6, 2), List.of(2, 4, 5, 10), List.of(7, 7, 14, 7),
                        4, 4, 3))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("embed_dims");
    }
}
