package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A flag or value the parser refuses gives one error line and a pointer to --help, never the whole usage. */
class UsageErrorTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --lr abc                         | samtune train --help | --lr",
        "train --epochs -x2                     | samtune train --help | --epochs",
        "prepare --split                        | samtune prepare --help | --split",
        "eval --no-such-flag                    | samtune eval --help | --no-such-flag",
        "predict --image a.png --multimask=maybe | samtune predict --help | --multimask",
        "bench encoder --runs many              | samtune bench encoder --help | --runs",
        "inspect                                | samtune inspect --help | CKPT",
        "no-such-verb                           | samtune --help | no-such-verb",
    })
    void oneLineAndAPointerToHelp(String args, String help, String named) {
        CliRun r = CliRun.of(args.trim().split("\\s+"));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        String[] lines = r.err().strip().split("\\R");
        assertThat(lines).as(r.err()).hasSize(2);
        assertThat(lines[0]).startsWith("samtune: error: ").contains(named);
        assertThat(lines[1]).isEqualTo("Try '" + help + "' for more information.");
        assertThat(r.out()).as("no usage text on stdout").isEmpty();
    }
}
