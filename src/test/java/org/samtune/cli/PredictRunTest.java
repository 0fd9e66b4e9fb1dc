package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Npy;
import org.samtune.data.Rgb8;
import org.samtune.data.Slice2D;
import org.samtune.data.UInt8Image;
import org.samtune.io.Affine;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;
import org.samtune.train.SyntheticDataAccess;
import org.samtune.train.TrainedModel;

/**
 * {@code predict --run} with a tiny fine-tuned run (compact model, one epoch): a 2-D image segmented with the run's
 * preprocessing gives the same labels as the evaluation path, volumes report progress per slice, and misuse is one
 * clear line.
 */
class PredictRunTest {
    @TempDir static Path dir;
    static Path run;
    static Path csv;

    @BeforeAll
    static void train() throws Exception {
        csv = SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        run = dir.resolve("run");
        CliRun r = CliRun.of("train", "--train-list", csv.toString(), "--val-list", csv.toString(), "--arch",
                "compact", "--num-classes", "3", "--targets", "multi_all", "--batch", "2", "--epochs", "1",
                "--val-every", "1", "--seed", "3", "--warmup-iters", "2", "--out", run.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    /** A 60×40 grey PNG (not square: the run's resize and the way back are exercised). */
    static Path image() {
        float[] d = new float[60 * 40];
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                d[y * 60 + x] = Math.hypot(x - 30, y - 20) < 12 ? 210 : 50 + (x * 7 + y * 3) % 30;
            }
        }
        Path p = dir.resolve("image.png");
        Images2D.writePng(p, new Image2D(60, 40, 1, 8, d));
        return p;
    }

    @Test
    void aRunSegmentsA2dImageAsEvalDoes() throws Exception {
        Path img = image();
        Path out = dir.resolve("labels.png");
        Path logits = dir.resolve("logits.npy");
        Path overlay = dir.resolve("overlay.png");
        CliRun r = CliRun.of("predict", "--run", run.toString(), "--image", img.toString(), "--out", out.toString(),
                "--logits", logits.toString(), "--overlay", overlay.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("--checkpoint");
        assertThat(r.out()).contains("labels: " + out).contains("class indices 0..2");
        Image2D labels = Images2D.read(out);
        assertThat(new int[] {labels.width(), labels.height(), labels.channels()}).containsExactly(60, 40, 1);
        assertThat(Npy.read(logits).shape()).containsExactly(3, 40, 60);
        assertThat(Images2D.read(overlay).channels()).isEqualTo(3);

        // the same labels as the evaluation path (TrainedModel.segment on the slice, as eval --run scores it)
        try (NDManager m = NDManager.newBaseManager()) {
            TrainedModel.Loaded model = TrainedModel.open(m, run, "best", null);
            UInt8Image rgb = Rgb8.of(Images2D.read(img));
            int[] expected = model.segment(new Slice2D("image", 60, 40, rgb.pixels(), new byte[60 * 40]));
            for (int i = 0; i < expected.length; i++) {
                assertThat(labels.data()[i]).as("pixel %d", i).isEqualTo((float) expected[i]);
            }
        }
    }

    @Test
    void volumesShowProgressPerSlice() throws Exception {
        float[] voxels = new float[40 * 36 * 3];
        for (int i = 0; i < voxels.length; i++) {
            voxels[i] = (i * 7919) % 255;
        }
        Path nii = dir.resolve("vol.nii.gz");
        Nifti.write(nii, new Volume(40, 36, 3, voxels, Affine.diagonal(0.8, 0.8, 2.0)));
        Path pred = dir.resolve("pred.nii.gz");
        CliRun r = CliRun.of("predict", "--run", run.toString(), "--image", nii.toString(), "--out", pred.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("predict: axial slice 1/3 (33%)  elapsed ")
                && l.contains("ETA "));
        assertThat(lines).anyMatch(l -> l.startsWith("predict: axial slice 3/3 (100%)"));
        assertThat(Nifti.read(pred).sameGrid(Nifti.read(nii))).isTrue();
    }

    /** One line on stderr, "samtune: error: …" containing {@code expected}, exit code 2, no output file. */
    static void fails(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("samtune: error: ").contains(expected);
        assertThat(dir.resolve("bad.png")).doesNotExist();
    }

    @Test
    void misuseIsOneClearLine() {
        String img = image().toString();
        String bad = dir.resolve("bad.png").toString();
        fails("not both", "predict", "--run", run.toString(), "--checkpoint", "x.pth", "--image", img, "--out", bad);
        fails("trained without prompts", "predict", "--run", run.toString(), "--image", img, "--out", bad, "--box",
                "1,1,20,20");
        fails("--multimask", "predict", "--run", run.toString(), "--image", img, "--out", bad, "--multimask");
        fails("needs --checkpoint CKPT or --run RUN", "predict", "--image", img, "--out", bad);
        assertThat(Files.exists(dir.resolve("bad.png"))).isFalse();
    }
}
