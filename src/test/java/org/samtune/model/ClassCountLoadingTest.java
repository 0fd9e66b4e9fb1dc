package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.testing.Fixtures;

/**
 * Loading a SAM checkpoint (3 multimask outputs, 4 mask tokens) into a model with another number of classes, as
 * finetune-SAM does (spec §4.2): every tensor whose key and shape match comes from the checkpoint; the mask tokens,
 * the IoU head's last layer and the hypernetwork MLPs the checkpoint lacks keep their fresh initialisation; the
 * checkpoint's surplus hypernetwork MLPs are ignored.
 */
class ClassCountLoadingTest {

    @ParameterizedTest(name = "{0} classes")
    @ValueSource(ints = {2, 5})
    void taskHeadsStayInitialisedEverythingElseLoads(int classes) {
        Path ckpt = Fixtures.file("sam-tiny", "tiny_sam.safetensors");
        StateDict sd = Checkpoints.load(ckpt);
        int tokens = classes + 1;
        Set<String> expectedFresh = new TreeSet<>();
        expectedFresh.add("mask_decoder.mask_tokens.weight");
        expectedFresh.add("mask_decoder.iou_prediction_head.layers.2.weight");
        expectedFresh.add("mask_decoder.iou_prediction_head.layers.2.bias");
        for (int k = 4; k < tokens; k++) {
            for (int l = 0; l < 3; l++) {
                expectedFresh.add("mask_decoder.output_hypernetworks_mlps." + k + ".layers." + l + ".weight");
                expectedFresh.add("mask_decoder.output_hypernetworks_mlps." + k + ".layers." + l + ".bias");
            }
        }
        try (NDManager m = NDManager.newBaseManager(); NDManager m2 = NDManager.newBaseManager()) {
            SamModels.Built built = SamModels.build(m, null, classes, BlockOrder.OFFICIAL, ckpt, 17);
            assertThat(new TreeSet<>(built.notFromCheckpoint())).isEqualTo(expectedFresh);
            assertThat(built.sam().maskDecoder().config.numMultimaskOutputs()).isEqualTo(classes);
            if (classes == 2) {
                assertThat(built.report().unexpected()).anyMatch(k -> k.startsWith("mask_decoder.output_hypernetworks_mlps.3."));
            }

            // the same architecture, initialised with the same seed and nothing loaded
            Sam fresh = SamModels.create(m2, built.arch(), sd, classes, BlockOrder.OFFICIAL);
            fresh.initialize(17);
            Map<String, TensorData> init = fresh.stateDict().tensors();
            Map<String, TensorData> got = built.sam().stateDict().tensors();
            assertThat(got.keySet()).isEqualTo(init.keySet());
            for (var e : got.entrySet()) {
                String key = e.getKey();
                TensorData expected = expectedFresh.contains(key) ? init.get(key) : sd.tensors().get(key);
                assertThat(e.getValue().shape()).as(key).isEqualTo(expected.shape());
                assertThat(e.getValue().toFloats()).as(key + (expectedFresh.contains(key) ? " (initialised)" : " (loaded)"))
                        .containsExactly(expected.toFloats());
            }
        }
    }
}
