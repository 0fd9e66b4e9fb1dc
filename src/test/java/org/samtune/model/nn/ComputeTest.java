package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;

/** {@code --device} / {@code --threads}: parsing, the no-GPU error, and that no other code names a device. */
class ComputeTest {

    @Test
    void cpuIsTheCpuAndManagersLiveThere() {
        int before = Compute.threads();
        try {
            assertThat(Compute.use("cpu", 1)).isEqualTo(Device.cpu());
            assertThat(Compute.threads()).isEqualTo(1);
            assertThat(Compute.describe()).isEqualTo("cpu, 1 threads");
            try (NDManager m = Compute.newManager()) {
                assertThat(m.getDevice()).isEqualTo(Device.cpu());
                assertThat(m.zeros(new ai.djl.ndarray.types.Shape(2)).getDevice()).isEqualTo(Device.cpu());
            }
        } finally {
            Compute.use(null, before);
        }
    }

    @Test
    void aGpuThatIsNotThereIsOneClearLineNeverAFallBack() {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        for (String spec : List.of("gpu", "gpu:0", "cuda:1", "GPU:2")) {
            assertThatThrownBy(() -> Compute.use(spec, null))
                    .isInstanceOf(SamtuneException.class)
                    .hasMessageStartingWith("--device " + spec + ": no CUDA GPU visible to libtorch")
                    .hasMessageNotContaining("\n");
        }
        assertThat(Compute.device()).as("the failed choice changed nothing").isEqualTo(
                Engine.getInstance().defaultDevice());
    }

    @Test
    void badSpellingsAndThreadCounts() {
        for (String spec : List.of("tpu", "gpu:", "gpu:-1", "cpu:0", "")) {
            assertThatThrownBy(() -> Compute.parse(spec)).isInstanceOf(SamtuneException.class)
                    .hasMessage("--device: expected cpu, gpu or gpu:N, got '" + spec + "'");
        }
        assertThatThrownBy(() -> Compute.use("cpu", -2)).isInstanceOf(SamtuneException.class)
                .hasMessage("--threads: expected at least 1, got -2");
    }

    /** Models get memory only through Compute.newManager(): nothing in src/main assumes the CPU. */
    @Test
    void noCodeOutsideComputeNamesADevice() throws Exception {
        Pattern device = Pattern.compile("Device\\.(cpu|gpu)\\(|newBaseManager\\(\\s*\\)|\\.toDevice\\(");
        Path main = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(main)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals("Compute.java"))
                    .filter(p -> {
                        try {
                            return device.matcher(Files.readString(p)).find();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Path::toString).toList();
            assertThat(offenders).as("use org.samtune.model.nn.Compute.newManager()").isEmpty();
        }
    }
}
