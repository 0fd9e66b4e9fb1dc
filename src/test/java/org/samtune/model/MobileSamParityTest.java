package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.samtune.model.MobileSamTinyFixture.expected;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.StateDict;
import org.samtune.model.nn.LoadReport;
import org.samtune.peft.AdapterInit;
import org.samtune.peft.Adapters;
import org.samtune.testing.Tolerance;

/**
 * The whole MobileSAM (TinyViT + SAM prompt encoder + mask decoder) against the mobilesam-tiny fixture: box and
 * no-prompt low-res logits and IoU, multimask and single, for the official model and finetune-SAM's adapter
 * variant; the released vit_t's 439 keys. Tolerance: |a−b| ≤ 1e-5 + 1e-4·|b|.
 */
class MobileSamParityTest {
    static NDManager manager;
    static NDArray image;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        image = MobileSamTinyFixture.image(manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static void checkCase(Sam sam, NDArray embeddings, String prefix, String promptCase) {
        NDArray box = promptCase.equals("box")
                ? MobileSamTinyFixture.array(manager, expected("box")) : null;
        for (boolean mm : new boolean[] {true, false}) {
            Sam.Prediction p = sam.predict(embeddings, null, null, box, null, mm);
            String name = prefix + promptCase + (mm ? "_mm_" : "_single_");
            Tolerance.assertClose(name + "low_res_logits", p.lowResLogits(), expected(name + "low_res_logits"));
            Tolerance.assertClose(name + "iou", p.iouPredictions(), expected(name + "iou"));
        }
    }

    @Test
    void officialMobileSamMatchesPyTorch() {
        Sam sam = MobileSam.fromStateDict(manager, MobileSamTinyFixture.weights());
        assertThat(((TinyViT) sam.imageEncoder()).config).isEqualTo(TinyViTConfig.mobileSamTiny());
        NDArray embeddings = sam.embedImages(image);
        Tolerance.assertClose("image_embeddings", embeddings, expected("image_embeddings"));
        checkCase(sam, embeddings, "", "box");
        checkCase(sam, embeddings, "", "no_prompt");
    }

    @Test
    void finetuneSamAdapterMobileSamMatchesPyTorch() {
        StateDict base = MobileSamTinyFixture.weights();
        Sam sam = MobileSam.build(manager, TinyViTConfig.infer(base), SamConfig.inferDecoder(base));
        Adapters.insert(sam, List.of(0, 1), 2, AdapterInit.PYTORCH_DEFAULT, 7L);
        LoadReport r = sam.loadStateDict(
                TinyViTAdapterParityTest.union(base, MobileSamTinyFixture.adapterWeights()), true);
        assertThat(r.isClean()).isTrue();
        sam.train(false);
        checkCase(sam, sam.embedImages(image), "adapter_", "box");
    }

    @Test
    void releasedVitTHasMobileSamKeys() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = MobileSam.vitT(m);
            Map<String, NDArray> state = sam.stateArrays();
            assertThat(state).hasSize(439);
            long elements = state.values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertThat(elements).isEqualTo(10_140_231L); // spec §7.5, mobile_sam.pt
            java.util.List<String> expected = java.nio.file.Files.readAllLines(
                    org.samtune.testing.Fixtures.file("sam-tiny", "vit_t_keys.txt")).stream()
                    .filter(l -> !l.startsWith("#")).map(l -> l.split("\t")[0] + " " + l.split("\t")[2]).toList();
            java.util.List<String> actual = state.entrySet().stream().map(e -> e.getKey() + " "
                    + java.util.Arrays.toString(e.getValue().getShape().getShape()).replace(" ", "")).toList();
            assertThat(actual).containsExactlyElementsOf(expected);
        }
    }
}
