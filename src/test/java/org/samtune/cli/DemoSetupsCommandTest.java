package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code samtune demo --setup}: listed in the help; a bad value stops before anything is prepared. */
class DemoSetupsCommandTest {
    @TempDir Path dir;

    @Test
    void helpAndBadValues() {
        assertThat(CliRun.of("demo", "--help").out()).contains("--setup").contains("--pretrain-epochs")
                .contains("--shots");
        Path out = dir.resolve("demo");
        CliRun r = CliRun.of("demo", "--setup", "4", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("samtune: error: --setup: expected 1, 2, 3 or all, got '4'");
        r = CliRun.of("demo", "--setup", "all", "--study", "--out", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--setup and --study: choose one");
        assertThat(out).doesNotExist();
    }
}
