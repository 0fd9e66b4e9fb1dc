package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.model.nn.Module;
import org.samtune.peft.Adapters;
import org.samtune.peft.Lora;
import org.samtune.testing.Fixtures;

/**
 * Building each architecture gives exactly the state-dict keys and shapes of the official checkpoints and of
 * finetune-SAM's LoRA / adapter models (fixtures/sam-tiny/*_keys.txt, spec §7.5/§7.6). The big models are built
 * shapes-only (Module.shapesOnly): names and shapes without storage.
 */
class StateDictKeysTest {

    /** key → shape from a fixture listing ("key\tdtype\t[shape]..."), comments skipped. */
    static Map<String, String> listing(String name) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Fixtures.file("sam-tiny", name))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            out.put(f[0], f[2].replace(" ", ""));
        }
        return out;
    }

    static Map<String, String> shapes(Module m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : m.stateArrays().entrySet()) {
            out.put(e.getKey(), Arrays.toString(e.getValue().getShape().getShape()).replace(" ", ""));
        }
        return out;
    }

    static long elements(Module m) {
        return m.stateArrays().values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Test
    void vitBHasTheOfficialKeysShapesAndOrder() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Sam.buildShapesOnly(m, SamConfig.vitB());
            Map<String, String> expected = listing("vit_b_keys.txt");
            assertThat(List.copyOf(shapes(sam).keySet())).containsExactlyElementsOf(expected.keySet());
            assertThat(shapes(sam)).containsExactlyEntriesOf(expected);
            assertThat(elements(sam)).isEqualTo(93_735_728L);
            assertThat(sam.stateArrays()).doesNotContainKeys("pixel_mean", "pixel_std");
        }
    }

    @Test
    void vitLAndVitHHaveTheOfficialCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam l = Sam.buildShapesOnly(m, SamConfig.vitL());
            assertThat(l.stateArrays()).hasSize(482);
            assertThat(elements(l)).isEqualTo(312_343_088L);
            assertThat(elements(l.imageEncoder().asModule())).isEqualTo(308_278_272L);
            Sam h = Sam.buildShapesOnly(m, SamConfig.vitH());
            assertThat(h.stateArrays()).hasSize(594);
            assertThat(elements(h)).isEqualTo(641_090_864L);
            assertThat(elements(h.imageEncoder().asModule())).isEqualTo(637_026_048L);
            assertThat(shapes(h)).containsEntry("image_encoder.blocks.7.attn.rel_pos_h", "[127,80]")
                    .containsEntry("image_encoder.blocks.6.attn.rel_pos_w", "[27,80]")
                    .containsEntry("image_encoder.blocks.0.attn.qkv.weight", "[3840,1280]")
                    .containsEntry("image_encoder.blocks.31.mlp.lin1.weight", "[5120,1280]");
        }
    }

    @Test
    void finetuneSamNumClasses2() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Sam.buildShapesOnly(m, SamConfig.vitB().withNumClasses(2));
            assertThat(shapes(sam)).containsExactlyInAnyOrderEntriesOf(listing("vit_b_finetune_sam_numcls2_keys.txt"));
        }
    }

    @Test
    void loraKeysAsFinetuneSam() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Sam.buildShapesOnly(m, SamConfig.vitB());
            Lora.insert(sam, List.of(0, 1, 10, 11), true, 4, 1L);
            assertThat(shapes(sam)).containsExactlyInAnyOrderEntriesOf(listing("lora_keys.txt"));
            Sam all = Sam.buildShapesOnly(m, SamConfig.vitB());
            Lora.insert(all, List.of(), true, 4, 1L);
            assertThat(shapes(all)).containsExactlyInAnyOrderEntriesOf(listing("lora_all_blocks_keys.txt"));
        }
    }

    @Test
    void adapterKeysAsFinetuneSam() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Sam.buildShapesOnly(m, SamConfig.vitB());
            Adapters.insert(sam, List.of(0, 1, 10, 11), 2);
            assertThat(shapes(sam)).containsExactlyInAnyOrderEntriesOf(listing("adapter_keys.txt"));
        }
    }

    @Test
    void tinyModelHasTheFixtureKeys() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Sam.build(m, SamConfig.tiny());
            assertThat(shapes(sam)).containsExactlyEntriesOf(listing("tiny_sam_keys.txt"));
            assertThat(elements(sam)).isEqualTo(150_076L);
        }
    }
}
