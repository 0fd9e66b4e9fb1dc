package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.samtune.testing.Fixtures;

/** Genuine torch.save files (PyTorch 1.13) read to the bit. */
class PthReaderTest {

    private static void assertSameTensors(StateDict actual, StateDict expected) {
        assertThat(actual.keys()).containsExactlyElementsOf(expected.keys());
        for (String k : expected.keys()) {
            TensorData a = actual.get(k);
            TensorData b = expected.get(k);
            assertThat(a.dtype()).as(k).isEqualTo(b.dtype());
            assertThat(a.shape()).as(k).isEqualTo(b.shape());
            assertThat(a.data()).as(k).isEqualTo(b.data());
        }
    }

    @Test
    void tinySamPthEqualsItsSafetensorsTwinBitForBit() {
        StateDict pth = PthReader.read(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        StateDict st = Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors"));
        assertThat(pth.size()).isEqualTo(st.size()).isGreaterThan(100);
        assertThat(pth.keys()).containsExactlyInAnyOrderElementsOf(st.keys());
        for (String k : st.keys()) {
            assertThat(pth.get(k).dtype()).as(k).isEqualTo(st.get(k).dtype());
            assertThat(pth.get(k).shape()).as(k).isEqualTo(st.get(k).shape());
            assertThat(pth.get(k).data()).as(k).isEqualTo(st.get(k).data());
        }
        assertThat(pth.source()).isEqualTo("tiny_sam.pth");
    }

    @ParameterizedTest
    @CsvSource({"sam-tiny, tiny_sam", "sam-tiny, tiny_sam_lora", "sam-tiny, tiny_sam_adapter",
        "mobilesam-tiny, mobilesam_tiny"})
    void fixtureMatchesWhatPyTorchSaysKeyByKey(String set, String stem) {
        StateDict sd = PthReader.read(Fixtures.file(set, stem + ".pth"));
        List<CheckpointFiles.Expected> expected = CheckpointFiles.tensorList(stem + ".tensors.txt");
        assertThat(new ArrayList<>(sd.keys()))
                .containsExactlyElementsOf(expected.stream().map(CheckpointFiles.Expected::key).toList());
        for (CheckpointFiles.Expected e : expected) {
            TensorData t = sd.get(e.key());
            assertThat(t.dtype()).as(e.key()).isEqualTo(e.dtype());
            assertThat(CheckpointFiles.shape(t)).as(e.key()).isEqualTo(e.shape());
            assertThat(CheckpointFiles.crc32(t)).as(e.key() + " CRC-32 of its bytes").isEqualTo(e.crc32());
        }
    }

    @Test
    void mobileSamFixtureHasInt64BatchNormCountersAndAgreesWithItsKeysFile() throws Exception {
        StateDict sd = PthReader.read(Fixtures.file("mobilesam-tiny", "mobilesam_tiny.pth"));
        List<String> lines = Files.readAllLines(Fixtures.file("mobilesam-tiny", "mobilesam_tiny_keys.txt"))
                .stream().filter(l -> !l.startsWith("#")).toList();
        assertThat(sd.size()).isEqualTo(lines.size()).isEqualTo(344);
        assertThat(sd.numel()).isEqualTo(3022458);
        int counters = 0;
        for (String line : lines) {
            String[] f = line.split("\t");
            TensorData t = sd.get(f[0]);
            assertThat(t).as(f[0]).isNotNull();
            assertThat(CheckpointFiles.shape(t)).as(f[0]).isEqualTo(f[2]);
            if (f[0].endsWith("num_batches_tracked")) {
                counters++;
                assertThat(t.dtype()).isEqualTo(DType.I64);
                assertThat(t.shape()).isEmpty();
            } else {
                assertThat(t.dtype()).as(f[0]).isEqualTo(DType.F32);
            }
        }
        assertThat(counters).isGreaterThan(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtypes_views.pth", "dtypes_views_protocol4.pth", "dtypes_views_big_endian.pth",
        "dtypes_views_legacy_format.pth"})
    void everyDtypeStrideAndOffsetMatchesPyTorchsContiguousCopy(String name) {
        StateDict sd = PthReader.read(CheckpointFiles.file(name));
        StateDict expected = Safetensors.read(CheckpointFiles.file("dtypes_views.expected.safetensors"));
        assertSameTensors(sd, expected);
    }

    @Test
    void viewsAreDecodedToTheRightValues() {
        StateDict sd = PthReader.read(CheckpointFiles.file("dtypes_views.pth"));
        assertThat(sd.get("i64").toLongs()).containsExactly(-(1L << 40), -1, 0, 1, 7, 1L << 62);
        assertThat(sd.get("i32").toLongs()).containsExactly(Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE);
        assertThat(sd.get("u8").toLongs()).containsExactly(0, 1, 200, 255);
        assertThat(sd.get("bool").toLongs()).containsExactly(1, 0, 1);
        // arange(12).view(3, 4).t(): row i of the transpose is column i of the original
        assertThat(sd.get("i64_transposed").shape()).containsExactly(4, 3);
        assertThat(sd.get("i64_transposed").toLongs()).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        assertThat(sd.get("scalar").shape()).isEmpty();
        assertThat(sd.get("scalar").toFloats()).containsExactly(2.5f);
        assertThat(sd.get("empty").shape()).containsExactly(0, 3);
        assertThat(sd.get("num_batches_tracked").toLongs()).containsExactly(17);
        float[] expanded = sd.get("expanded").toFloats();
        assertThat(expanded).hasSize(12);
        for (int r = 1; r < 4; r++) {
            for (int c = 0; c < 3; c++) {
                assertThat(expanded[r * 3 + c]).isEqualTo(expanded[c]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"net_plain.pth", "net_legacy_format.pth"})
    void plainStateDictOfARealNetwork(String name) {
        assertSameTensors(PthReader.read(CheckpointFiles.file(name)),
                Safetensors.read(CheckpointFiles.file("net.expected.safetensors")));
    }

    @Test
    void readKeepsWrapperKeysOutSinceOnlyTopLevelTensorsAreTheStateDict() {
        // PthReader does not unwrap; Checkpoints.load does.
        StateDict sd = PthReader.read(CheckpointFiles.file("net_with_extras.pth"));
        assertThat(sd.keys()).doesNotContain("epoch", "version").contains("0.weight", "1.num_batches_tracked");
        assertThat(PthReader.read(CheckpointFiles.file("net_model_wrapper.pth")).size()).isZero();
    }
}
