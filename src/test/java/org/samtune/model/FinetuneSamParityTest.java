package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.model.nn.LoadReport;
import org.samtune.peft.AdapterInit;
import org.samtune.peft.Adapters;
import org.samtune.peft.Lora;
import org.samtune.testing.Fixtures;

/**
 * finetune-SAM's forward passes against PyTorch (mazurowski-lab/finetune-SAM @ e41f732) on the tiny model:
 * its block order (ftbase_*), LoRA r=4 in every encoder block and the decoder (lora_*, weights of
 * tiny_sam_lora.pth) and adapters in encoder blocks 0,1 and both decoder blocks (adapter_*, tiny_sam_adapter.pth).
 * The weights are read both from the .pth files (Checkpoints.load) and from their exact safetensors conversions
 * (fixtures/sam-tiny-converted).
 * Tolerance: |a − b| ≤ 1e-5 + 1e-4·|b| (Tolerance defaults) for every output.
 */
class FinetuneSamParityTest {
    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        SamParityTest.manager = manager;
        SamParityTest.image = SamFixtures.array(manager, "image");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static StateDict safetensors(String set, String name) {
        return Safetensors.read(Fixtures.file(set, name));
    }

    @Test
    void officialBlockOrderDiffersFromFinetuneSamOnTheseWeights() {
        // guards against the fixtures or the switch silently not mattering
        StateDict sd = safetensors("sam-tiny", "tiny_sam.safetensors");
        Sam official = SamParityTest.tiny(manager, BlockOrder.OFFICIAL, sd);
        Sam ft = SamParityTest.tiny(manager, BlockOrder.FINETUNE_SAM, sd);
        try (var s = new ai.djl.ndarray.NDScope()) {
            float diff = official.embedImages(SamParityTest.image).sub(ft.embedImages(SamParityTest.image)).abs()
                    .max().getFloat();
            assertThat(diff).isGreaterThan(1e-3f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"no_prompt", "box"})
    void finetuneSamBaseMatchesPyTorch(String promptCase) {
        Sam sam = SamParityTest.tiny(manager, BlockOrder.FINETUNE_SAM, safetensors("sam-tiny", "tiny_sam.safetensors"));
        SamParityTest.checkEncoder(sam, "ftbase_");
        SamParityTest.checkCase(sam, "ftbase_", promptCase, true);
        SamParityTest.checkCase(sam, "ftbase_", promptCase, false);
    }

    static Sam loraModel(NDManager m, StateDict sd) {
        Sam sam = Sam.build(m, SamConfig.tiny().withBlockOrder(BlockOrder.FINETUNE_SAM));
        Lora.insert(sam, List.of(), true, 4, 7L);
        LoadReport r = sam.loadStateDict(sd, true);
        assertThat(r.isClean()).isTrue();
        return sam;
    }

    static Sam adapterModel(NDManager m, StateDict sd) {
        Sam sam = Sam.build(m, SamConfig.tiny().withBlockOrder(BlockOrder.FINETUNE_SAM));
        Adapters.insert(sam, List.of(0, 1), 2, AdapterInit.PYTORCH_DEFAULT, 7L);
        LoadReport r = sam.loadStateDict(sd, true);
        assertThat(r.isClean()).isTrue();
        return sam;
    }

    @ParameterizedTest
    @ValueSource(strings = {"no_prompt", "box"})
    void loraMatchesPyTorch(String promptCase) {
        Sam sam = loraModel(manager, safetensors("sam-tiny-converted", "tiny_sam_lora.safetensors"));
        SamParityTest.checkCase(sam, "lora_", promptCase, true);
        SamParityTest.checkCase(sam, "lora_", promptCase, false);
    }

    @Test
    void pthCheckpointsGiveTheSameOutputs() {
        Sam official = Sam.fromStateDict(manager, Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth")),
                BlockOrder.OFFICIAL);
        SamParityTest.checkEncoder(official, "");
        for (String c : List.of("no_prompt", "point1", "points2", "box", "point_box", "box_mask")) {
            SamParityTest.checkCase(official, "", c, true);
            SamParityTest.checkCase(official, "", c, false);
        }
        Sam ft = SamParityTest.tiny(manager, BlockOrder.FINETUNE_SAM,
                Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth")));
        SamParityTest.checkEncoder(ft, "ftbase_");
        Sam lora = loraModel(manager, Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam_lora.pth")));
        Sam adapter = adapterModel(manager, Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam_adapter.pth")));
        for (String c : List.of("no_prompt", "box")) {
            for (boolean mm : new boolean[] {true, false}) {
                SamParityTest.checkCase(ft, "ftbase_", c, mm);
                SamParityTest.checkCase(lora, "lora_", c, mm);
                SamParityTest.checkCase(adapter, "adapter_", c, mm);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"no_prompt", "box"})
    void adaptersMatchPyTorch(String promptCase) {
        Sam sam = adapterModel(manager, safetensors("sam-tiny-converted", "tiny_sam_adapter.safetensors"));
        SamParityTest.checkCase(sam, "adapter_", promptCase, true);
        SamParityTest.checkCase(sam, "adapter_", promptCase, false);
    }
}
