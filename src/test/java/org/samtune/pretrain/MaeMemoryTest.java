package org.samtune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.VolumeFiles;

/**
 * Resident memory stays flat over a long pretraining run: the peak resident size train.log reports after epoch 5
 * (24 steps) and after epoch 29 (120 steps) of the tiny SAM differ by at most 10 %. Measured in its own JVM with a
 * fixed, pre-touched heap, so that resident memory is native (libtorch) memory.
 */
class MaeMemoryTest {
    @TempDir Path dir;

    @Test
    void peakResidentMemoryIsFlatOver120Steps() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
                MaeMemoryTest.class.getName(), dir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        List<Double> peakMb = new ArrayList<>();
        Matcher m = Pattern.compile("epoch (\\d+): .* peak RSS (\\d+) MB").matcher(
                Files.readString(dir.resolve("run/train.log")));
        while (m.find()) {
            peakMb.add(Double.parseDouble(m.group(2)));
        }
        assertThat(peakMb).hasSize(30);
        System.out.printf("MaeMemoryTest: peak RSS after epoch 5 %.0f MB, after epoch 29 %.0f MB%n", peakMb.get(5),
                peakMb.get(29));
        assertThat(peakMb.get(29)).as("peak RSS after 120 steps vs after 24 (MB)")
                .isLessThanOrEqualTo(1.10 * peakMb.get(5));
    }

    /** The probe: 30 epochs × 4 steps of MAE on the tiny SAM. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path imgs = MaePretrainingTest.images(dir, 8, 4);
        MaeConfig c = MaePretrainingTest.config(List.of(imgs.toString()), "custom",
                MaePretrainingTest.tinySam().toString(), dir.resolve("run"));
        c = new MaeConfig(c.arch(), c.checkpoint(), c.encoderFrom(), c.inputs(), c.axes(), c.window(),
                c.minForeground(), c.normalize(), c.maskRatio(), c.normPixLoss(), c.decoderDim(), c.decoderDepth(),
                c.decoderHeads(), 30, 2, c.lr(), c.minLr(), 3, c.weightDecay(), c.beta1(), c.beta2(), c.augment(),
                c.seed(), c.outputDir());
        MaePretraining.start(c, dir.resolve("run"), new MaePretraining.Options(1000, 0),
                VolumeFiles::read, new PrintStream(new ByteArrayOutputStream()));
    }
}
