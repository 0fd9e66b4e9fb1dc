package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.TensorData;
import picocli.CommandLine;

/** {@code samtune train} end to end: run folder contents, bad input, divergence, and resume after kill -9. */
class TrainCommandTest {
    @TempDir Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private List<String> baseArgs(Path csv, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--train-list", csv.toString(), "--val-list",
                csv.toString(), "--arch", "compact", "--tune", "encoder+decoder", "--method", "adapter",
                "--encoder-blocks", "0,1", "--num-classes", "3", "--targets", "multi_all", "--batch", "2",
                "--epochs", "2", "--val-every", "1", "--seed", "3", "--warmup-iters", "2", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void writesTheRunFolder() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
        CliRun r = run(baseArgs(csv, out).toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("config.yaml")).content().contains("arch: compact").contains("method: adapter");
        assertThat(out.resolve("metrics.csv")).exists();
        assertThat(Files.readAllLines(out.resolve("metrics.csv")).size()).isGreaterThan(4);
        assertThat(out.resolve("training-curve.png")).exists();
        assertThat(out.resolve("train.log")).content().contains("plan:");
        Map<String, String> meta = new HashMap<>();
        Map<String, TensorData> best = Safetensors.readWithMetadata(out.resolve("checkpoints/best.safetensors"), meta);
        assertThat(meta).containsKeys("base_sha256", "plan", "config_yaml");
        assertThat(best.keySet()).anyMatch(k -> k.contains("Space_Adapter"));
        assertThat(out.resolve("checkpoints/last.safetensors")).exists();
        assertThat(out.resolve("checkpoints/resume.safetensors")).exists();

        CliRun again = run(baseArgs(csv, out).toArray(String[]::new));
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a run");

        // the run evaluates on a list, and segments a volume into the volume's own grid
        CliRun eval = run("eval", "--run", out.toString(), "--data", csv.toString(), "--out",
                dir.resolve("m.csv").toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(dir.resolve("m.csv")).exists();
        float[] voxels = new float[40 * 36 * 3];
        for (int i = 0; i < voxels.length; i++) {
            voxels[i] = (i * 7919) % 255;
        }
        org.samtune.io.Volume vol = new org.samtune.io.Volume(40, 36, 3, voxels,
                org.samtune.io.Affine.diagonal(0.8, 0.8, 2.0));
        Path nii = dir.resolve("vol.nii.gz");
        org.samtune.io.Nifti.write(nii, vol);
        Path pred = dir.resolve("pred.nii.gz");
        StringWriter predOut = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(predOut, true));
        cl.setErr(new PrintWriter(predOut, true));
        assertThat(cl.execute("predict", "--run", out.toString(), "--image", nii.toString(), "--out",
                pred.toString())).as(predOut.toString()).isZero();
        org.samtune.io.Volume labels = org.samtune.io.Nifti.read(pred);
        assertThat(labels.sameGrid(org.samtune.io.Nifti.read(nii))).isTrue();
        for (float v : labels.data()) {
            assertThat(v).isBetween(0f, 2f);
        }
    }

    @Test
    void badInputGivesOneClearLine() throws Exception {
        Path data = dir.resolve("data");
        Path csv = org.samtune.train.SyntheticDataAccess.write(data, "train", 2, 32, 1);
        Files.writeString(csv, Files.readString(csv) + "images/missing.png,masks/missing.png\n");
        CliRun r = run(baseArgs(csv, dir.resolve("run")).toArray(String[]::new));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("samtune: error:").contains("missing.png").contains("row 3")
                .doesNotContain("\tat ");

        Path csv2 = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data2"), "train", 2, 32, 1);
        CliRun r2 = run(baseArgs(csv2, dir.resolve("run2"), "--num-classes", "2").toArray(String[]::new));
        assertThat(r2.code()).isEqualTo(2);
        assertThat(r2.err()).contains("label 2").contains("num_classes is 2");

        CliRun r3 = run("train", "--resume", dir.resolve("nothing").toString());
        assertThat(r3.code()).isEqualTo(2);
        assertThat(r3.err()).contains("nothing to resume");
    }

    @Test
    void divergenceStopsAndSaysWhere() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
        CliRun r = run(baseArgs(csv, out, "--lr", "1e30", "--no-warmup", "--checkpoint-every", "1",
                "--method", "vanilla").toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out()).contains("non-finite");
        assertThat(out.resolve("train.log")).content().contains("loss became");
    }

    /**
     * kill -9 of a real training process at an arbitrary point, then {@code train --resume}: the weights after the
     * last iteration equal those of an uninterrupted run with the same seed, to the bit.
     */
    @Test
    void resumeAfterKillNineEqualsUninterruptedRun() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 6, 48, 1);
        String[] common = {"--epochs", "3", "--checkpoint-every", "1", "--method", "adapter"};
        Path straight = dir.resolve("straight");
        Process p = launch(baseArgs(csv, straight, common));
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();

        Path killed = dir.resolve("killed");
        Process k = launch(baseArgs(csv, killed, common));
        Path resumeFile = killed.resolve("checkpoints/resume.safetensors");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline && k.isAlive()) {
            if (Files.exists(resumeFile) && iteration(resumeFile) >= 3) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(k.isAlive()).as("the run was still going when killed").isTrue();
        k.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        k.waitFor();
        Process r = launch(List.of("train", "--resume", killed.toString()));
        assertThat(r.waitFor(15, TimeUnit.MINUTES)).isTrue();
        assertThat(r.exitValue()).isZero();

        Map<String, TensorData> a = Safetensors.read(straight.resolve("checkpoints/last.safetensors")).tensors();
        Map<String, TensorData> b = Safetensors.read(killed.resolve("checkpoints/last.safetensors")).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String key : a.keySet()) {
            assertThat(b.get(key).data()).as(key).isEqualTo(a.get(key).data());
        }
        assertThat(Files.readAllLines(killed.resolve("metrics.csv")))
                .isEqualTo(Files.readAllLines(straight.resolve("metrics.csv")));
    }

    private static long iteration(Path resume) {
        try {
            Map<String, String> meta = new HashMap<>();
            Safetensors.readWithMetadata(resume, meta);
            return Long.parseLong(meta.getOrDefault("iteration", "0"));
        } catch (RuntimeException e) {
            return 0; // being replaced at this moment
        }
    }

    private Process launch(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log-" + System.nanoTime()).toFile()).start();
    }

    @Test
    void fewShotRunRecordsItsSlicesAndRefusesTooMany() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path tooMany = dir.resolve("too-many");
        CliRun bad = run(baseArgs(csv, tooMany, "--shots", "9").toArray(String[]::new));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--shots: expected 1..4 (the slices in " + csv + "), got 9");
        assertThat(tooMany.resolve("config.yaml")).doesNotExist();

        Path out = dir.resolve("two-shot");
        CliRun r = run(baseArgs(csv, out, "--shots", "2", "--epochs", "1").toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        List<String> drawn = Files.readAllLines(out.resolve("train_2shot.csv"));
        assertThat(drawn).hasSize(2).isSubsetOf(Files.readAllLines(csv));
        assertThat(out.resolve("config.yaml")).content().contains("shots: 2");
        assertThat(out.resolve("train.log")).content().contains("few-shot: 2 training slices");
        assertThat(r.out()).contains("2 training /");
    }
}
