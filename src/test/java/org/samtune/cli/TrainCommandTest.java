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

    /**
     * A start that fails, before or after the run folder was made, leaves nothing that blocks running the same
     * command again; --resume of a folder without a checkpoint says there is nothing to resume.
     */
    @Test
    void failedStartLeavesNothingThatBlocksTheRetry() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
        // label 2 with 2 classes: refused while checking the data, before anything is written
        CliRun bad = run(baseArgs(csv, out, "--num-classes", "2").toArray(String[]::new));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(out).doesNotExist();

        // an image whose header reads but whose pixels do not: fails in the first iteration, after the folder was made
        Path image = dir.resolve("data/images/train_2.png");
        byte[] good = Files.readAllBytes(image);
        Files.write(image, java.util.Arrays.copyOf(good, 60));
        CliRun broken = run(baseArgs(csv, out).toArray(String[]::new));
        assertThat(broken.code()).as(broken.out() + broken.err()).isEqualTo(2);
        assertThat(broken.err()).contains("train_2.png");
        assertThat(out).doesNotExist();
        CliRun nothing = run("train", "--resume", out.toString());
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err()).contains("nothing to resume");

        Files.write(image, good);
        CliRun retry = run(baseArgs(csv, out, "--epochs", "1").toArray(String[]::new));
        assertThat(retry.code()).as(retry.err()).isZero();
    }

    /**
     * The dataset.yaml that prepare writes beside the lists settles classes, target mode and names; a flag that
     * contradicts it is an error naming both. The Dice on the console is the one in metrics.csv and train.log, per
     * class by name; epochs count from 1 in both; progress reaches 100 %; the run ends with a summary.
     */
    @Test
    void datasetYamlSettlesClassesAndOneDiceIsReported() throws Exception {
        Path data = dir.resolve("data");
        Path csv = org.samtune.train.SyntheticDataAccess.write(data, "train", 4, 48, 1);
        Files.writeString(data.resolve("dataset.yaml"), """
                format: finetune-sam 2-D slices
                classes:
                - index: 0
                  name: background
                - index: 1
                  name: disc
                  source_values: [1]
                - index: 2
                  name: square
                  source_values: [2]
                """);
        Path out = dir.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--train-list", csv.toString(), "--val-list",
                csv.toString(), "--arch", "compact", "--tune", "encoder+decoder", "--batch", "2", "--epochs", "2",
                "--val-every", "1", "--seed", "3", "--warmup-iters", "2", "--out", out.toString()));
        CliRun r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("config.yaml")).content().contains("numClasses: 3").contains("targets: multi_all")
                .contains("- disc").contains("- square");
        Map<String, String> meta = new HashMap<>();
        Safetensors.readWithMetadata(out.resolve("checkpoints/best.safetensors"), meta);
        assertThat(meta).containsEntry("class_names", "background,disc,square");

        List<org.samtune.report.MetricsCsv.Row> vals = org.samtune.report.MetricsCsv.read(out.resolve("metrics.csv"))
                .stream().filter(row -> !row.isTrain()).toList();
        assertThat(vals).hasSize(2);
        String log = Files.readString(out.resolve("train.log"));
        for (var v : vals) {
            double[] d = v.valDicePerClass();
            assertThat(v.valDice()).as("the foreground mean").isCloseTo((d[1] + d[2]) / 2,
                    org.assertj.core.data.Offset.offset(1e-6));
            String dice = String.format(java.util.Locale.ROOT, "Dice %.4f (disc %.3f, square %.3f)", v.valDice(),
                    d[1], d[2]);
            assertThat(r.out()).contains("epoch " + (v.epoch() + 1) + ": validation loss").contains(dice);
            assertThat(log).contains("epoch " + (v.epoch() + 1) + " validation").contains(dice);
        }
        assertThat(r.out()).contains("epoch 2/2").contains("(100%)").contains("best validation Dice")
                .contains("best checkpoint " + out.resolve("checkpoints/best.safetensors"));

        CliRun contradiction = run(baseArgs(csv, dir.resolve("run2"), "--num-classes", "2", "--targets", "multi_all")
                .toArray(String[]::new));
        assertThat(contradiction.code()).isEqualTo(2);
        assertThat(contradiction.err()).contains("--num-classes 2").contains("dataset.yaml").contains("disc");
    }

    /**
     * Defaults follow the architecture (compact's encoder blocks); an out-of-range block names the flag; a frozen
     * random encoder is warned about.
     */
    @Test
    void defaultsFollowTheArchitectureAndErrorsNameTheFlag() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 2, 48, 1);
        List<String> common = List.of("train", "--train-list", csv.toString(), "--arch", "compact", "--num-classes",
                "3", "--epochs", "1", "--batch", "2", "--max-iterations", "1");
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of("--method", "adapter", "--tune", "encoder+decoder", "--out", dir.resolve("a").toString()));
        CliRun adapter = run(a.toArray(String[]::new));
        assertThat(adapter.code()).as(adapter.err()).isZero();
        assertThat(org.samtune.train.TrainConfig.read(dir.resolve("a/config.yaml")).plan().encoderBlocks())
                .isEqualTo(org.samtune.peft.EncoderBlocks.of(0, 1, 4, 5));

        List<String> b = new ArrayList<>(common);
        b.addAll(List.of("--method", "lora", "--tune", "encoder+decoder", "--encoder-blocks", "0,10", "--out",
                dir.resolve("b").toString()));
        CliRun outOfRange = run(b.toArray(String[]::new));
        assertThat(outOfRange.code()).isEqualTo(2);
        assertThat(outOfRange.err()).contains("--encoder-blocks").contains("block 10 out of range");
        assertThat(dir.resolve("b")).doesNotExist();

        List<String> c = new ArrayList<>(common);
        c.addAll(List.of("--out", dir.resolve("c").toString()));
        CliRun frozenRandom = run(c.toArray(String[]::new));
        assertThat(frozenRandom.code()).as(frozenRandom.err()).isZero();
        assertThat(frozenRandom.out()).contains("warning: no --checkpoint and --tune decoder");
        assertThat(dir.resolve("c/train.log")).content().contains("warning: no --checkpoint");
    }

    /**
     * --compat finetune-sam end to end: the config says so, adapter mode freezes the task heads (fewer trainable
     * parameters than samtune's default), and the validation score is finetune-SAM's mean over every class.
     */
    @Test
    void compatFinetuneSamTrainsEndToEnd() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        CliRun ref = run(baseArgs(csv, dir.resolve("ref"), "--compat", "finetune-sam").toArray(String[]::new));
        assertThat(ref.code()).as(ref.err()).isZero();
        assertThat(dir.resolve("ref/config.yaml")).content().contains("compat: finetune-sam");
        assertThat(ref.out()).contains("(compat finetune-sam)");
        for (var v : org.samtune.report.MetricsCsv.read(dir.resolve("ref/metrics.csv"))) {
            if (!v.isTrain()) {
                double[] d = v.valDicePerClass();
                assertThat(v.valDice()).isCloseTo((d[0] + d[1] + d[2]) / 3, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
        CliRun ours = run(baseArgs(csv, dir.resolve("ours"), "--max-iterations", "1").toArray(String[]::new));
        assertThat(ours.code()).as(ours.err()).isZero();
        assertThat(dir.resolve("ours/config.yaml")).content().contains("compat: samtune");
        assertThat(trainable(ref.out())).isLessThan(trainable(ours.out()));
    }

    private static long trainable(String out) {
        var m = java.util.regex.Pattern.compile("([\\d,]+) of [\\d,]+ parameters train").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
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
        killAndResume(dir.resolve("straight"), dir.resolve("killed"), p -> baseArgs(csv, p, common), 3);
    }

    /**
     * The same on MobileSAM's TinyViT (1024² input, random weights) with LoRA in encoder and decoder (BatchNorm
     * statistics move too), killed mid-epoch; no validation list, to keep the 1024² passes few.
     */
    @Test
    void resumeAfterKillNineEqualsUninterruptedRunTinyViTLora() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        killAndResume(dir.resolve("straight"), dir.resolve("killed"), p -> List.of("train", "--train-list",
                csv.toString(), "--arch", "vit_t", "--tune", "encoder+decoder",
                "--method", "lora", "--num-classes", "3", "--targets", "multi_all", "--batch", "2", "--epochs", "1",
                "--val-every", "1", "--seed", "5", "--warmup-iters", "2", "--checkpoint-every", "1", "--out",
                p.toString()), 1);
    }

    /**
     * kill -9 of a real training process once its resume checkpoint holds {@code killAfter} iterations, then
     * {@code train --resume}: the weights after the last iteration equal those of an uninterrupted run with the same
     * seed, to the bit, and metrics.csv equals the uninterrupted run's line for line.
     */
    private void killAndResume(Path straight, Path killed, java.util.function.Function<Path, List<String>> args,
                               long killAfter) throws Exception {
        Process p = launch(args.apply(straight));
        assertThat(p.waitFor(20, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();

        Process k = launch(args.apply(killed));
        Path resumeFile = killed.resolve("checkpoints/resume.safetensors");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (System.nanoTime() < deadline && k.isAlive()) {
            if (Files.exists(resumeFile) && iteration(resumeFile) >= killAfter) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(k.isAlive()).as("the run was still going when killed").isTrue();
        long at = iteration(resumeFile);
        k.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        k.waitFor();
        Path resumeLog = dir.resolve("resume-" + killed.getFileName() + ".log");
        Process r = launch(List.of("train", "--resume", killed.toString()), resumeLog);
        assertThat(r.waitFor(20, TimeUnit.MINUTES)).isTrue();
        assertThat(r.exitValue()).as(Files.readString(resumeLog)).isZero();
        assertThat(Files.readString(resumeLog)).contains("resumed at iteration");

        Map<String, TensorData> a = Safetensors.read(straight.resolve("checkpoints/last.safetensors")).tensors();
        Map<String, TensorData> b = Safetensors.read(killed.resolve("checkpoints/last.safetensors")).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        List<String> differing = a.keySet().stream().filter(key -> !a.get(key).data().equals(b.get(key).data()))
                .toList();
        if (!differing.isEmpty()) {
            // rare and not reproduced yet: keep both runs for a diff instead of losing them with the temp folder
            Path kept = Path.of("target", "failed-resume-" + System.currentTimeMillis());
            copyTree(dir, kept);
            assertThat(differing).as("tensors that differ after a resume at iteration " + at + " of "
                    + a.size() + " (runs kept in " + kept.toAbsolutePath() + ")").isEmpty();
        }
        assertThat(Files.readAllLines(killed.resolve("metrics.csv")))
                .isEqualTo(Files.readAllLines(straight.resolve("metrics.csv")));
        // optimiser settings in a fixed order: the resume checkpoints' metadata agree
        Map<String, String> ma = new HashMap<>();
        Map<String, String> mb = new HashMap<>();
        Safetensors.readWithMetadata(straight.resolve("checkpoints/resume.safetensors"), ma);
        Safetensors.readWithMetadata(resumeFile, mb);
        assertThat(mb.get("optimizer_hyperparameters")).isEqualTo(ma.get("optimizer_hyperparameters"))
                .startsWith("{beta1=");
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

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    private Process launch(List<String> args) throws Exception {
        return launch(args, dir.resolve("log-" + System.nanoTime()));
    }

    private Process launch(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
