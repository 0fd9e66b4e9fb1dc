package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Precision;
import org.samtune.model.nn.TestPrecision;

/**
 * A study with {@code axes.precision: [fp32, bf16]}: each cell trains and is scored in its own precision (its run
 * log says so), the process's precision is given back after each cell, results.csv carries the precision, and the
 * ranking compares the two as strategies. On a CPU without native bf16 the study is refused before any cell.
 * Also: results.csv of studies made before the axis (no precision column) is still read, as float32.
 */
class StudyPrecisionTest {
    @TempDir Path dir;

    @AfterEach
    void backToFp32() {
        TestPrecision.select(Precision.FP32);
    }

    @Test
    void eachCellTrainsAndIsScoredInItsPrecision() throws Exception {
        StudyTestData.write(dir.resolve("data"));
        Path planFile = dir.resolve("plan.yaml");
        Files.writeString(planFile, StudyTestData.onePlan("  seeds: [0]\n  precision: [fp32, bf16]",
                "{epochs: 1, batchSize: 2, valEvery: 1, warmupIters: 2, augment: false, encoderBlocks: [0, 1]}"));
        Path out = dir.resolve("study");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        if (!TestPrecision.nativeBf16Here()) {
            assertThatThrownBy(() -> Study.run(planFile, out, Study.Options.defaults(), quiet))
                    .isInstanceOf(SamtuneException.class).hasMessageContaining("no native bf16");
            assertThat(out).doesNotExist();
            return;
        }
        Study.Summary s = Study.run(planFile, out, Study.Options.defaults(), quiet);
        assertThat(s.done()).isEqualTo(2);
        assertThat(Compute.precision()).as("the process's precision after the study").isEqualTo(Precision.FP32);

        Path fp32 = out.resolve("cells/synth/compact-dec-vanilla.random.none.all/seed0");
        Path bf16 = out.resolve("cells/synth/compact-dec-vanilla.random.none.all.bf16/seed0");
        assertThat(Files.readString(fp32.resolve("train.log"))).contains("compute: cpu").doesNotContain("bf16");
        assertThat(Files.readString(bf16.resolve("train.log"))).containsPattern("compute: cpu, [0-9]+ threads, bf16");

        List<StudyResults.Row> rows = StudyResults.read(out.resolve(StudyResults.FILE));
        assertThat(rows.stream().map(r -> r.key().precision()).distinct().toList())
                .containsExactly(Precision.FP32, Precision.BF16);
        assertThat(rows.stream().map(StudyResults.Row::strategy).distinct().toList())
                .containsExactly("compact dec vanilla fp32", "compact dec vanilla bf16");
        // two precisions, two strategies of the ranking
        assertThat(Files.readString(out.resolve(Ranking.FILE))).contains("compact dec vanilla bf16");
    }

    @Test
    void readsResultsOfStudiesMadeBeforeThePrecisionAxis() throws Exception {
        Path file = dir.resolve("results.csv");
        Files.writeString(file, StudyResults.HEADER_FP32_ONLY + "\n"
                + "synth,compact dec vanilla,compact,decoder,vanilla,random,none,all,1,cells/synth/x/seed1,"
                + "c0.png,1,left,0.500000,0.333333,2.000000,1.000000,0.900000\n");
        StudyResults.Row r = StudyResults.read(file).get(0);
        assertThat(r.key()).isEqualTo(new StrategyKey("compact", "decoder", "vanilla", "random", "none", "all"));
        assertThat(r.key().precision()).isEqualTo(Precision.FP32);
        assertThat(r.seed()).isEqualTo(1);
        assertThat(r.dice()).isEqualTo(0.5);
        assertThat(r.nsd()).isEqualTo(0.9);

        // written again, it has the precision column and reads back the same
        StudyResults.write(file, List.of(r));
        assertThat(Files.readAllLines(file).get(0)).isEqualTo(StudyResults.HEADER);
        assertThat(StudyResults.read(file)).containsExactly(r);

        Files.writeString(file, StudyResults.HEADER + "\n"
                + "synth,s,compact,decoder,vanilla,random,none,all,fp16,1,cell,c0.png,1,left,0.5,0.3,2,1,0.9\n");
        assertThatThrownBy(() -> StudyResults.read(file)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("fp16");
    }
}
