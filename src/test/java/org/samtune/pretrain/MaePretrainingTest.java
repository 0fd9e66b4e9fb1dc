package org.samtune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.io.VolumeFiles;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.testing.Fixtures;

/**
 * {@code pretrain mae} end to end on the tiny SAM (128² input, 8×8 embedding grid): a resumed run equals the
 * uninterrupted one bit for bit, the prompt encoder and mask decoder leave exactly as they came, the encoder learns,
 * and bad input stops with one line naming the culprit and leaves nothing that blocks a retry.
 */
class MaePretrainingTest {
    @TempDir Path dir;

    static Path tinySam() {
        return Fixtures.file("sam-tiny", "tiny_sam.pth");
    }

    /** {@code n} grey PNGs of random blobs on black, different sizes. */
    static Path images(Path dir, int n, long seed) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("unlabelled"));
        Random rng = new Random(seed);
        for (int i = 0; i < n; i++) {
            int w = 40 + rng.nextInt(30);
            int h = 40 + rng.nextInt(30);
            float[] px = new float[w * h];
            for (int b = 0; b < 4; b++) {
                int cx = rng.nextInt(w);
                int cy = rng.nextInt(h);
                int r = 4 + rng.nextInt(10);
                float v = 60 + rng.nextInt(190);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                            px[y * w + x] = v;
                        }
                    }
                }
            }
            Images2D.writePng(folder.resolve(String.format("img%02d.png", i)), new Image2D(w, h, 1, 8, px));
        }
        return folder;
    }

    static MaeConfig config(List<String> inputs, String arch, String checkpoint, Path out) {
        MaeConfig d = MaeConfig.defaults(arch, checkpoint, inputs, out.toString());
        return new MaeConfig(arch, checkpoint, "", inputs, d.axes(), "", d.minForeground(), "sam", 0.75, true, 16, 1, 2,
                3, 2, 1e-3, 1e-5, 1, 0.05, 0.9, 0.95, true, 5, out.toString());
    }

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void resumedRunEqualsUninterruptedAndOnlyTheEncoderChanges() throws Exception {
        Path imgs = images(dir, 7, 1);
        MaeConfig whole = config(List.of(imgs.toString()), "custom", tinySam().toString(), dir.resolve("a"));
        MaePretraining.Outcome a = MaePretraining.start(whole, dir.resolve("a"), new MaePretraining.Options(2, 0),
                VolumeFiles::read, QUIET);
        // 7 images, batch 2: 3 iterations per epoch (MAE drops the last incomplete batch), 3 epochs
        assertThat(a.iterations()).isEqualTo(9);

        MaeConfig cut = config(List.of(imgs.toString()), "custom", tinySam().toString(), dir.resolve("b"));
        MaePretraining.start(cut, dir.resolve("b"), new MaePretraining.Options(2, 4), VolumeFiles::read,
                QUIET);
        // what kill -9 leaves: a resume checkpoint from iteration 4 and metric rows written after it
        Files.writeString(dir.resolve("b/metrics.csv"), "train,1,4,9.9,nan,nan,0.1,,\n",
                java.nio.file.StandardOpenOption.APPEND);
        MaePretraining.Outcome b = MaePretraining.resume(dir.resolve("b"), new MaePretraining.Options(2, 0), QUIET);
        assertThat(b.iterations()).isEqualTo(9);

        Map<String, TensorData> wa = Safetensors.read(a.checkpoint()).tensors();
        Map<String, TensorData> wb = Safetensors.read(b.checkpoint()).tensors();
        assertThat(wb.keySet()).isEqualTo(wa.keySet());
        for (String k : wa.keySet()) {
            assertThat(wb.get(k).data()).as(k).isEqualTo(wa.get(k).data());
        }
        assertThat(Files.readAllLines(dir.resolve("b/metrics.csv")))
                .isEqualTo(Files.readAllLines(dir.resolve("a/metrics.csv")));

        // SAM layout: every key of the starting checkpoint; prompt encoder and mask decoder bit for bit the start's
        StateDict start = Checkpoints.load(tinySam());
        assertThat(wa.keySet()).containsExactlyInAnyOrderElementsOf(start.keys());
        int encoderChanged = 0;
        for (String k : start.keys()) {
            float[] before = start.get(k).toFloats();
            float[] after = wa.get(k).toFloats();
            if (k.startsWith("image_encoder.")) {
                encoderChanged += java.util.Arrays.equals(before, after) ? 0 : 1;
            } else {
                assertThat(after).as(k + " (frozen)").containsExactly(before);
            }
        }
        assertThat(encoderChanged).as("encoder tensors updated").isGreaterThan(10);
        // the output starts fine-tuning like any SAM checkpoint
        assertThat(org.samtune.model.SamModels.detectArch(Checkpoints.load(a.checkpoint()))).isEqualTo("custom");
        assertThat(Files.readString(dir.resolve("a/config.yaml"))).contains("maskRatio: 0.75");
        assertThat(Files.exists(dir.resolve("a/training-curve.png"))).isTrue();
    }

    @Test
    void noImagesFoundLeavesNothingBehind() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("blank"));
        Images2D.writePng(empty.resolve("black.png"), new Image2D(30, 30, 1, 8, new float[900]));
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> MaePretraining.start(config(List.of(empty.toString()), "custom",
                tinySam().toString(), run), run, MaePretraining.Options.defaults(), VolumeFiles::read,
                QUIET)).isInstanceOf(SamtuneException.class).hasMessageContaining("no images found")
                .hasMessageContaining("empty");
        assertThat(Files.exists(run.resolve("config.yaml"))).isFalse();
        assertThat(Files.exists(run.resolve("slices.partial"))).isFalse();
    }

    @Test
    void unreadableVolumeAmongManyIsNamed() throws Exception {
        Path imgs = images(dir, 3, 2);
        Path bad = dir.resolve("scan07.nii.gz");
        Files.write(bad, new byte[] {31, -117, 8, 0, 1, 2, 3});
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> MaePretraining.start(config(List.of(imgs.toString(), bad.toString(),
                imgs.toString()), "custom", tinySam().toString(), run), run, MaePretraining.Options.defaults(),
                VolumeFiles::read, QUIET)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("input 2 of 3").hasMessageContaining("scan07.nii.gz");
        assertThat(Files.exists(run.resolve("config.yaml"))).isFalse();
        assertThat(Files.exists(run.resolve("slices.partial"))).isFalse();
    }

    @Test
    void checkpointWhoseEncoderDoesNotFitTheArchIsRefused() throws Exception {
        Path imgs = images(dir, 3, 3);
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> MaePretraining.start(config(List.of(imgs.toString()), "compact",
                tinySam().toString(), run), run, MaePretraining.Options.defaults(), VolumeFiles::read,
                QUIET)).isInstanceOf(SamtuneException.class).hasMessageContaining("tiny_sam.pth")
                .hasMessageContaining("image encoder does not fit --arch compact");
        assertThat(Files.exists(run.resolve("config.yaml"))).isFalse();
    }
}
