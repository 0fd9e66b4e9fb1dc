package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --device} and {@code --threads} on serve, study and pretrain mae: checked first, one-line errors. */
class ComputeOptionsVerbsTest {

    @Test
    void serveStudyAndPretrainTakeDeviceAndThreads(@TempDir Path dir) {
        List<List<String>> verbs = List.of(
                List.of("serve", "--root", dir.toString(), "--port", "0"),
                List.of("study", "--plan", dir.resolve("plan.yaml").toString(), "--out", dir.resolve("s").toString()),
                List.of("pretrain", "mae", "--images", dir.toString(), "--out", dir.resolve("p").toString()));
        for (List<String> verb : verbs) {
            CliRun r = run(verb, "--device", "gpu:3");
            assertThat(r.code()).as(verb.get(0)).isEqualTo(2);
            assertThat(r.err().strip()).as(verb.get(0)).startsWith("samtune: error: --device gpu:3")
                    .doesNotContain("\n");
            r = run(verb, "--threads", "-2");
            assertThat(r.code()).as(verb.get(0)).isEqualTo(2);
            assertThat(r.err().strip()).as(verb.get(0))
                    .isEqualTo("samtune: error: --threads: expected at least 1, got -2");
            List<String> help = new java.util.ArrayList<>(verb.stream().takeWhile(a -> !a.startsWith("--")).toList());
            help.add("--help");
            assertThat(CliRun.of(help.toArray(String[]::new)).out()).as(verb.get(0)).contains("--device", "--threads");
        }
        assertThat(dir.resolve("s")).doesNotExist();
        assertThat(dir.resolve("p")).doesNotExist();
    }

    private static CliRun run(List<String> verb, String... more) {
        List<String> args = new java.util.ArrayList<>(verb);
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }
}
