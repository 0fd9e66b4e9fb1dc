package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code -Dsamtune.profile}: a Chrome trace naming the operators that ran, and nothing without the property. */
class OpProfileTest {
    @Test
    void writesTraceOfTheOperatorsThatRanOnlyWhenAsked(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.json");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(8, 8));
            try (OpProfile p = OpProfile.startIfRequested()) {
                a.matMul(a).close();
            }
            assertThat(dir).isEmptyDirectory();
            System.setProperty("samtune.profile", trace.toString());
            try (OpProfile p = OpProfile.startIfRequested()) {
                a.matMul(a).close();
            } finally {
                System.clearProperty("samtune.profile");
            }
        }
        assertThat(trace).exists();
        String json = Files.readString(trace);
        assertThat(json.strip()).startsWith("[");
        assertThat(json).contains("\"aten::mm\"");
    }
}
