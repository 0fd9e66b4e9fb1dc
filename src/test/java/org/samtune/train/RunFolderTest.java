package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.report.MetricsCsv;

class RunFolderTest {

    @Test
    void writesConfigMetricsCurveAndLogThenResumes(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run1");
        TrainConfig config = TrainConfig.builder().numClasses(3).targets(org.samtune.data.TargetMode.MULTI_ALL)
                .classNames(List.of("background", "liver", "spleen")).epochs(4).build();
        try (RunFolder f = RunFolder.create(run, config)) {
            long iter = 0;
            for (int epoch = 0; epoch < 3; epoch++) {
                for (int b = 0; b < 5; b++, iter++) {
                    double loss = 2.0 / (1 + iter);
                    f.logIteration(epoch, iter, loss, loss * 0.4, loss * 0.6, 1e-3);
                }
                if (epoch % 2 == 0) {
                    f.logValidation(epoch, iter, 1.0 / (1 + epoch), (0.5 + epoch * 0.1 + 0.4) / 2,
                            new double[] {0.9, 0.5 + epoch * 0.1, 0.4});
                }
            }
            f.writeCurve();
        }
        assertThat(TrainConfig.read(run.resolve(RunFolder.CONFIG))).isEqualTo(config);
        List<String> lines = Files.readAllLines(run.resolve(RunFolder.METRICS));
        assertThat(lines.get(0)).isEqualTo("kind,epoch,iter,loss,dice_loss,ce_loss,lr,val_loss,val_dice,val_dice_c0,val_dice_c1,val_dice_c2");
        assertThat(lines).hasSize(1 + 15 + 2);
        assertThat(lines.get(1)).isEqualTo("train,0,0,2.0000000,0.80000000,1.2000000,0.0010000000,,,,,");
        List<MetricsCsv.Row> rows = MetricsCsv.read(run.resolve(RunFolder.METRICS));
        MetricsCsv.Row val = rows.stream().filter(r -> !r.isTrain()).findFirst().orElseThrow();
        assertThat(val.valDice()).as("the selection score: foreground mean").isCloseTo(0.45,
                org.assertj.core.data.Offset.offset(1e-7));
        assertThat(val.valDicePerClass()).containsExactly(0.9, 0.5, 0.4);
        assertThat(val.iter()).isEqualTo(5);
        BufferedImage png = ImageIO.read(run.resolve(RunFolder.CURVE).toFile());
        assertThat(png.getWidth()).isEqualTo(900);
        assertThat(Files.readString(run.resolve(RunFolder.LOG))).contains("run started")
                .contains("epoch 3 validation: loss 0.33333, Dice 0.5500 (liver 0.700, spleen 0.400)");

        assertThatThrownBy(() -> RunFolder.create(run, config)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("already holds a run");

        // Resume from a checkpoint taken after 10 iterations: the rows of iteration 10 on go, new ones append.
        try (RunFolder f = RunFolder.resume(run, 10)) {
            assertThat(f.config()).isEqualTo(config);
            f.logIteration(2, 10, 0.5, 0.2, 0.3, 1e-3);
        }
        List<MetricsCsv.Row> after = MetricsCsv.read(run.resolve(RunFolder.METRICS));
        assertThat(after.stream().filter(MetricsCsv.Row::isTrain).count()).isEqualTo(11);
        assertThat(after.stream().filter(r -> !r.isTrain()).count()).isEqualTo(1); // epoch 2's validation was at iter 15
        assertThat(after.get(after.size() - 1).loss()).isEqualTo(0.5);
        assertThat(Files.readString(run.resolve(RunFolder.LOG))).contains("resumed at iteration 10");
    }

    @Test
    void resumeNeedsARunFolderWithMatchingMetrics(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RunFolder.resume(dir, 0)).isInstanceOf(SamtuneException.class).hasMessageContaining("not a run folder");
        TrainConfig.defaults().write(dir.resolve(RunFolder.CONFIG));
        Files.writeString(dir.resolve(RunFolder.METRICS), "kind,epoch\n");
        assertThatThrownBy(() -> RunFolder.resume(dir, 0)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("metrics.csv").hasMessageContaining("header");
    }

    @Test
    void progressRedrawsOnATerminalAndPrintsLinesOtherwise() {
        AtomicLong clock = new AtomicLong(0);
        ByteArrayOutputStream term = new ByteArrayOutputStream();
        ProgressLine p = new ProgressLine(new PrintStream(term, true, StandardCharsets.UTF_8), true, 100, 2, 0, 50, clock::get);
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(1_000_000_000L); // 1 s per iteration
            p.update(i <= 50 ? 0 : 1, i, 1.0 / i, 1e-4, i == 50 || i == 100);
            if (i == 50) {
                p.message("epoch 0 validation: Dice 0.5");
            }
        }
        String t = term.toString(StandardCharsets.UTF_8);
        assertThat(t).contains("\repoch 1/2  iter 1/100 (1%)  loss 1.0000  lr 1.000e-04  ETA 00:01:39");
        assertThat(t).contains("epoch 0 validation: Dice 0.5\n");
        assertThat(t).endsWith("ETA 00:00:00\n");
        assertThat(t.chars().filter(c -> c == '\r').count()).isGreaterThan(90);

        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        clock.set(0);
        ProgressLine q = new ProgressLine(new PrintStream(plain, true, StandardCharsets.UTF_8), false, 100, 2, 0, 25, clock::get);
        for (int i = 1; i <= 100; i++) {
            clock.addAndGet(1_000_000_000L);
            q.update(i <= 50 ? 0 : 1, i, 0.5, 1e-4, i == 50 || i == 100);
        }
        String[] out = plain.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(out).hasSize(4); // iterations 25, 50, 75, 100
        assertThat(out[0]).isEqualTo("epoch 1/2  iter 25/100 (25%)  loss 0.5000  lr 1.000e-04  ETA 00:01:15");
        assertThat(plain.toString(StandardCharsets.UTF_8)).doesNotContain("\r");
        assertThat(ProgressLine.hms(3 * 3600 + 62)).isEqualTo("03:01:02");

        // slow iterations off a terminal: a line at least every 30 s even between the every-N lines
        ByteArrayOutputStream slow = new ByteArrayOutputStream();
        clock.set(0);
        ProgressLine r = new ProgressLine(new PrintStream(slow, true, StandardCharsets.UTF_8), false, 10, 1, 0, 50, clock::get);
        for (int i = 1; i <= 10; i++) {
            clock.addAndGet(20_000_000_000L); // 20 s per iteration
            r.update(0, i, 0.5, 1e-4, i == 10);
        }
        String[] slowLines = slow.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(slowLines).hasSize(5); // iterations 2, 4, 6, 8 (30 s passed) and 10 (the end, 100 %)
        assertThat(slowLines[4]).contains("iter 10/10 (100%)");
    }
}
