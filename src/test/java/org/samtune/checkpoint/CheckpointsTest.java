package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.samtune.testing.Fixtures;

/** The ways training scripts save a state dict all load to the same tensors. */
class CheckpointsTest {
    @TempDir
    Path tmp;

    private final List<String> notes = new ArrayList<>();

    private static void assertEqualsNet(StateDict sd) {
        StateDict expected = Safetensors.read(CheckpointFiles.file("net.expected.safetensors"));
        assertThat(sd.keys()).containsExactlyElementsOf(expected.keys());
        for (String k : expected.keys()) {
            assertThat(sd.get(k).dtype()).as(k).isEqualTo(expected.get(k).dtype());
            assertThat(sd.get(k).shape()).as(k).isEqualTo(expected.get(k).shape());
            assertThat(sd.get(k).data()).as(k).isEqualTo(expected.get(k).data());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"net_plain.pth", "net_model_wrapper.pth", "net_data_parallel.pth",
        "net_nested_wrapper.pth", "net_with_extras.pth"})
    void everySavingStyleGivesTheSameStateDict(String name) {
        assertEqualsNet(Checkpoints.load(CheckpointFiles.file(name), notes::add));
    }

    @Test
    void plainStateDictNeedsNoNote() {
        Checkpoints.load(CheckpointFiles.file("net_plain.pth"), notes::add);
        assertThat(notes).isEmpty();
    }

    @Test
    void modelWrapperSkipsOptimizerAndEpoch() {
        Checkpoints.load(CheckpointFiles.file("net_model_wrapper.pth"), notes::add);
        assertThat(notes).containsExactly("weights taken from checkpoint[\"model\"]");
    }

    @Test
    void dataParallelPrefixIsRemovedWithANote() {
        StateDict sd = Checkpoints.load(CheckpointFiles.file("net_data_parallel.pth"), notes::add);
        assertThat(sd.keys()).allMatch(k -> !k.startsWith("module."));
        assertThat(notes).containsExactly("removed the DataParallel prefix 'module.' from every key");
    }

    @Test
    void nestedWrappersAreFollowedAndExtrasBesideTensorsNoted() {
        Checkpoints.load(CheckpointFiles.file("net_nested_wrapper.pth"), notes::add);
        assertThat(notes).containsExactly("weights taken from checkpoint[\"state_dict\"][\"model\"]",
                "removed the DataParallel prefix 'module.' from every key");
    }

    @Test
    void nonTensorValuesAtTheTopLevelAreSkippedWithANote() {
        Checkpoints.load(CheckpointFiles.file("net_with_extras.pth"), notes::add);
        assertThat(notes).containsExactly("skipped 2 non-tensor entries: epoch (an int), version (a string)");
    }

    @Test
    void fixturesLoadThroughTheSameEntryPoint() {
        StateDict pth = Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.pth"), notes::add);
        StateDict st = Checkpoints.load(Fixtures.file("sam-tiny", "tiny_sam.safetensors"), notes::add);
        assertThat(pth.keys()).containsExactlyInAnyOrderElementsOf(st.keys());
        assertThat(Checkpoints.load(Fixtures.file("mobilesam-tiny", "mobilesam_tiny.pth")).size()).isEqualTo(344);
        assertThat(notes).isEmpty();
    }

    @Test
    void formatIsToldByContentNotByName() throws IOException {
        Path disguised = tmp.resolve("weights.pth");
        Files.copy(Fixtures.file("sam-tiny", "tiny_sam.safetensors"), disguised);
        Path pthNamedSafetensors = tmp.resolve("weights.safetensors");
        Files.copy(CheckpointFiles.file("net_plain.pth"), pthNamedSafetensors);
        assertThat(Checkpoints.load(disguised).size()).isEqualTo(
                Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")).size());
        assertEqualsNet(Checkpoints.load(pthNamedSafetensors));
    }

    @Test
    void checkpointWithoutTensorsSaysWhatItHolds() {
        Path f = CheckpointFiles.file("no_tensors.pth");
        assertThatThrownBy(() -> Checkpoints.load(f)).isInstanceOf(CheckpointException.class)
                .hasMessage(f + ": holds no tensors under [\"model\"]; its keys are lr (a float) (expected a state "
                        + "dict, or one under \"model\" or \"state_dict\")");
    }

    @Test
    void topLevelMustBeADict() {
        Path f = CheckpointFiles.file("list_of_tensors.pth");
        assertThatThrownBy(() -> Checkpoints.load(f)).isInstanceOf(CheckpointException.class)
                .hasMessage(f + ": holds a list where a dict of tensors (a state dict) was expected");
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class);
    }
}
