package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * The tiny official SAM (trained size 128) run at 64 and 256 pixels after the conversion of SAMed / finetune-SAM's
 * {@code load_from}, against the official {@code segment_anything} classes loaded the same way in PyTorch
 * (fixtures/sam-tiny-resized, torch 2.13 CPU): converted weights, image embeddings, dense PE, and low-res logits and
 * IoU for three prompt cases in single- and multi-mask mode. Tolerance: |a − b| ≤ 1e-5 + 1e-4·|b| (Tolerance's
 * defaults) throughout.
 */
class PositionResizeParityTest {
    static final String SET = "sam-tiny-resized";
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Path checkpoint() {
        return Fixtures.file("sam-tiny", "tiny_sam.pth");
    }

    static TensorData golden(int size, String name) {
        return Fixtures.npy(SET, "resized" + size + "_" + name);
    }

    static NDArray array(int size, String name) {
        TensorData t = golden(size, name);
        return manager.create(t.toFloats(), new Shape(t.shape())).toType(DataType.FLOAT32, false);
    }

    @ParameterizedTest(name = "{0} px")
    @ValueSource(ints = {64, 256})
    void convertedWeightsMatchLoadFrom(int size) {
        StateDict sd = Checkpoints.load(checkpoint());
        SamConfig config = SamConfig.infer(sd).withImageSize(size);
        StateDict converted = PositionResize.fit(sd, config.vit());
        check(size, "pos_embed", converted.get("image_encoder.pos_embed"));
        check(size, "rel_pos_h_block1", converted.get("image_encoder.blocks.1.attn.rel_pos_h"));
        check(size, "rel_pos_w_block1", converted.get("image_encoder.blocks.1.attn.rel_pos_w"));
        // the windowed block 0 keeps its 2·window − 1 = 5 rows, bit for bit
        assertThat(converted.get("image_encoder.blocks.0.attn.rel_pos_h").toFloats())
                .isEqualTo(sd.get("image_encoder.blocks.0.attn.rel_pos_h").toFloats());
        assertThat(config.prompt().imageEmbeddingSize()).isEqualTo(size / 16);
        assertThat(config.prompt().maskInputSize()).isEqualTo(size / 4);
        assertThat(config.prompt().inputImageSize()).isEqualTo(size);
    }

    private static void check(int size, String name, TensorData actual) {
        TensorData expected = golden(size, name);
        assertThat(actual.shape()).as(name + " shape").isEqualTo(expected.shape());
        Tolerance.assertClose(size + " " + name, actual.toFloats(), expected.toFloats(), Tolerance.ATOL,
                Tolerance.RTOL);
    }

    @ParameterizedTest(name = "{0} px")
    @ValueSource(ints = {64, 256})
    void imageEmbeddingsAndDensePeMatch(int size) {
        Sam sam = PretrainedSam.load(manager, checkpoint(), null, BlockOrder.OFFICIAL, size);
        try (NDScope scope = new NDScope()) {
            Tolerance.assertClose(size + " image_embeddings", sam.embedImages(array(size, "image")),
                    golden(size, "image_embeddings"));
            Tolerance.assertClose(size + " dense_pe", sam.promptEncoder().getDensePe(), golden(size, "dense_pe"));
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(64, 256).flatMap(s -> Stream.of("no_prompt", "box", "point1")
                .flatMap(c -> Stream.of(Arguments.of(s, c, true), Arguments.of(s, c, false))));
    }

    @ParameterizedTest(name = "{0} px {1} multimask={2}")
    @MethodSource("cases")
    void promptCasesMatch(int size, String name, boolean multimask) {
        // the training path (SamModels.build, key-and-shape loading) must give the same model as PretrainedSam
        SamModels.Built built = SamModels.build(manager, null, 0, BlockOrder.OFFICIAL, checkpoint(), 0, size);
        assertThat(built.report().mismatched()).isEmpty();
        assertThat(built.notFromCheckpoint()).isEmpty();
        Sam sam = built.sam();
        sam.train(false);
        try (NDScope scope = new NDScope()) {
            NDArray coords = null;
            NDArray labels = null;
            NDArray boxes = null;
            if (name.equals("box")) {
                boxes = array(size, "box");
            } else if (name.equals("point1")) {
                coords = array(size, "point_coords");
                labels = array(size, "point_labels");
            }
            NDArray embeddings = sam.embedImages(array(size, "image"));
            Sam.Prediction p = sam.predict(embeddings, coords, labels, boxes, null, multimask);
            String mode = multimask ? "_mm" : "_single";
            Tolerance.assertClose(size + " " + name + mode + "_low_res_logits", p.lowResLogits(),
                    golden(size, name + mode + "_low_res_logits"));
            Tolerance.assertClose(size + " " + name + mode + "_iou", p.iouPredictions(),
                    golden(size, name + mode + "_iou"));
        }
    }

    @Test
    void sameSizeLeavesTheCheckpointAlone() {
        StateDict sd = Checkpoints.load(checkpoint());
        assertThat(PositionResize.fit(sd, SamConfig.infer(sd).vit())).isSameAs(sd);
    }

    @Test
    void sizeNotAMultipleOfThePatchIsOneClearLine() {
        StateDict sd = Checkpoints.load(checkpoint());
        assertThatThrownBy(() -> SamConfig.infer(sd).withImageSize(100))
                .isInstanceOf(SamtuneException.class)
                .hasMessage("--image-size: expected a positive multiple of 16 (the patch size), got 100");
        assertThatThrownBy(() -> SamModels.build(manager, "vit_t", 2, BlockOrder.OFFICIAL, null, 0, 512))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("vit_t");
    }

    @Test
    void relativePositionsThatCannotBeConvertedAreOneClearLine() {
        StateDict sd = Checkpoints.load(checkpoint());
        SamConfig.ViT target = SamConfig.infer(sd).withImageSize(256).vit();
        // a global block whose span is not the checkpoint's grid (8 tokens: 15 rows)
        Map<String, TensorData> bad = new LinkedHashMap<>(sd.tensors());
        bad.put("image_encoder.blocks.1.attn.rel_pos_h", TensorData.ofFloats(new float[9 * 24], 9, 24));
        assertThatThrownBy(() -> PositionResize.fit(new StateDict(bad, "bad.pth"), target))
                .isInstanceOf(SamtuneException.class)
                .hasMessage("bad.pth: image_encoder.blocks.1.attn.rel_pos_h has 9 rows, but a global block of a "
                        + "8x8-token checkpoint has 15: cannot be converted (is block 1 global there?)");
        // a windowed block made for another window
        Map<String, TensorData> window = new LinkedHashMap<>(sd.tensors());
        window.put("image_encoder.blocks.0.attn.rel_pos_w", TensorData.ofFloats(new float[7 * 24], 7, 24));
        assertThatThrownBy(() -> PositionResize.fit(new StateDict(window, "w.pth"), target))
                .isInstanceOf(SamtuneException.class)
                .hasMessageStartingWith("w.pth: image_encoder.blocks.0.attn.rel_pos_w has 7 rows but block 0 is "
                        + "windowed");
        // another head dim
        Map<String, TensorData> head = new LinkedHashMap<>(sd.tensors());
        head.put("image_encoder.blocks.1.attn.rel_pos_h", TensorData.ofFloats(new float[15 * 12], 15, 12));
        assertThatThrownBy(() -> PositionResize.fit(new StateDict(head, "h.pth"), target))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("cannot be converted");
    }
}
