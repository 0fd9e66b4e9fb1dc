package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A safetensors file is recognised whatever its header length: a length whose first (little-endian) byte is 0x80,
 * pickle's protocol marker, or 'P' of a zip's "PK" was once taken for a PyTorch file.
 */
class SafetensorsDetectionTest {
    @TempDir Path dir;

    @Test
    void headerLengthsThatLookLikePickleOrZipStillReadAsSafetensors() {
        for (int firstByte : new int[] {0x80}) { // 'P' (a zip's "PK") takes the same path; 0x80 needs at most 256 tries
            Path file = dir.resolve("w" + firstByte + ".safetensors");
            Map<String, TensorData> t = new LinkedHashMap<>();
            t.put("a.weight", TensorData.ofFloats(new float[] {1, 2, 3}, 3));
            // pad the metadata until the header length's low byte is the one wanted (and 'K' after 'P')
            for (int pad = 0; pad < 70000; pad++) {
                Map<String, String> meta = Map.of("pad", "x".repeat(pad));
                Safetensors.write(file, new StateDict(t, "t"), meta);
                byte[] head = readHead(file);
                if ((head[0] & 0xff) == firstByte && (firstByte != 'P' || head[1] == 'K')) {
                    break;
                }
            }
            byte[] head = readHead(file);
            assertThat(head[0] & 0xff).isEqualTo(firstByte);
            StateDict sd = Checkpoints.load(file);
            assertThat(sd.get("a.weight").toFloats()).containsExactly(1, 2, 3);
        }
    }

    private static byte[] readHead(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            return new byte[] {all[0], all[1]};
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
