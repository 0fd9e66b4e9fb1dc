package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * The official SAM forward pass against PyTorch (segment-anything @ dca509f) on the tiny model of the fixtures,
 * weights from tiny_sam.safetensors. Tolerance: |a − b| ≤ 1e-5 + 1e-4·|b| (Tolerance defaults) for every output.
 */
class SamParityTest {
    static NDManager manager;
    static Sam sam;
    static NDArray image;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        StateDict sd = Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors"));
        sam = Sam.fromStateDict(manager, sd, BlockOrder.OFFICIAL);
        image = SamFixtures.array(manager, "image");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void inferredConfigIsTheFixtureConfig() {
        assertThat(sam.config.vit()).isEqualTo(SamConfig.tiny().vit());
        assertThat(sam.config.prompt()).isEqualTo(SamConfig.tiny().prompt());
        SamConfig.Decoder d = sam.config.decoder();
        SamConfig.Decoder t = SamConfig.tiny().decoder();
        // heads are not visible in shapes: compare the rest, then use the fixture's 2 heads
        assertThat(new SamConfig.Decoder(d.transformerDim(), d.numMultimaskOutputs(), d.iouHeadDepth(),
                d.iouHeadHiddenDim(), d.transformerDepth(), d.mlpDim(), t.numHeads(), d.attentionDownsampleRate()))
                .isEqualTo(t);
    }

    static Sam tiny(NDManager m, BlockOrder order, StateDict sd) {
        Sam s = Sam.build(m, SamConfig.tiny().withBlockOrder(order));
        s.loadStateDict(sd, true);
        return s;
    }

    @Test
    void encoderStagesMatchPyTorch() {
        Sam s = tiny(manager, BlockOrder.OFFICIAL, Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")));
        checkEncoder(s, "");
    }

    /** patch_embed, each block, the whole encoder, against {prefix}enc_*.npy and {prefix}image_embeddings.npy. */
    static void checkEncoder(Sam s, String prefix) {
        ImageEncoderViT enc = (ImageEncoderViT) s.imageEncoder();
        try (NDScope scope = new NDScope()) {
            NDArray x = enc.patch_embed.forward(image);
            Tolerance.assertClose(prefix + "enc_patch_embed", x, SamFixtures.golden(prefix + "enc_patch_embed"));
            x = x.add(enc.pos_embed.array());
            for (int i = 0; i < enc.blocks.size(); i++) {
                x = enc.blocks.get(i).forward(x);
                Tolerance.assertClose(prefix + "enc_block" + i, x, SamFixtures.golden(prefix + "enc_block" + i));
            }
            Tolerance.assertClose(prefix + "image_embeddings", enc.forward(image),
                    SamFixtures.golden(prefix + "image_embeddings"));
        }
    }

    @Test
    void densePositionalEncodingMatchesPyTorch() {
        try (NDScope scope = new NDScope()) {
            Tolerance.assertClose("dense_pe", sam.promptEncoder().getDensePe(), SamFixtures.golden("dense_pe"));
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of("no_prompt", "point1", "points2", "box", "point_box", "box_mask")
                .flatMap(c -> Stream.of(Arguments.of(c, true), Arguments.of(c, false)));
    }

    @ParameterizedTest(name = "{0} multimask={1}")
    @MethodSource("cases")
    void promptCaseMatchesPyTorch(String name, boolean multimask) {
        checkCase(sam, "", name, multimask);
    }

    /** Prompt encoder + mask decoder on the golden image embeddings for one prompt case. */
    static void checkCase(Sam s, String prefix, String name, boolean multimask) {
        try (NDScope scope = new NDScope()) {
            NDArray coords = null, labels = null, boxes = null, masks = null;
            switch (name) {
                case "point1", "points2" -> {
                    coords = SamFixtures.array(manager, name + "_coords");
                    labels = SamFixtures.array(manager, name + "_labels");
                }
                case "box" -> boxes = SamFixtures.array(manager, "box");
                case "point_box" -> {
                    coords = SamFixtures.array(manager, "point1_coords");
                    labels = SamFixtures.array(manager, "point1_labels");
                    boxes = SamFixtures.array(manager, "box");
                }
                case "box_mask" -> {
                    boxes = SamFixtures.array(manager, "box");
                    masks = SamFixtures.array(manager, "mask_input");
                }
                default -> { }
            }
            String p = prefix + name;
            PromptEncoder.Embeddings e = s.promptEncoder().forward(coords, labels, boxes, masks);
            Tolerance.assertClose(p + "_sparse", e.sparse(), SamFixtures.golden(p + "_sparse"));
            Tolerance.assertClose(p + "_dense", e.dense(), SamFixtures.golden(p + "_dense"));
            // the decoder runs on the encoder's own output, as the fixture generator did
            NDArray embeddings = s.embedImages(image);
            Tolerance.assertClose(prefix + "image_embeddings", embeddings, SamFixtures.golden(prefix + "image_embeddings"));
            MaskDecoder.Output out = s.maskDecoder().forward(embeddings, s.promptEncoder().getDensePe(), e.sparse(),
                    e.dense(), multimask);
            String mode = multimask ? "_mm" : "_single";
            Tolerance.assertClose(p + mode + "_low_res_logits", out.masks(),
                    SamFixtures.golden(p + mode + "_low_res_logits"));
            Tolerance.assertClose(p + mode + "_iou", out.iouPred(), SamFixtures.golden(p + mode + "_iou"));
        }
    }
}
