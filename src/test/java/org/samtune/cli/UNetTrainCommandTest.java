package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.LoadReport;
import org.samtune.model.unet.UNets;
import org.samtune.train.TrainConfig;

/**
 * {@code train --arch unet-plain | unet-resnet34} end to end (run folder, recipe, resume, eval on the run), the
 * impossible combinations refused in one line, and the ResNet-34 starting weights in torchvision's layout.
 */
class UNetTrainCommandTest {
    @TempDir Path dir;

    /** A --config with a 32² input so the U-Nets train in seconds. */
    private Path config(String arch) {
        TrainConfig.Builder b = TrainConfig.builder().arch(arch).tune(org.samtune.peft.TuningPlan.Tune.ENCODER_DECODER)
                .imageSize(32).outSize(32);
        if (arch.equals(UNets.PLAIN)) {
            b.lr(0.01).weightDecay(3e-5).warmup(false);
        }
        Path p = dir.resolve(arch + ".yaml");
        b.build().write(p);
        return p;
    }

    private List<String> args(Path csv, Path out, String arch, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--config", config(arch).toString(),
                "--train-list", csv.toString(), "--val-list", csv.toString(), "--num-classes", "3", "--targets",
                "multi_all", "--batch", "2", "--epochs", "2", "--val-every", "1", "--seed", "3", "--warmup-iters", "2",
                "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void imageSizeFlagSizesAUNetsInputAndMasksAlike() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 2, 48, 1);
        Path out = dir.resolve("sized");
        CliRun r = CliRun.of(args(csv, out, UNets.PLAIN, "--max-iterations", "1", "--image-size", "64")
                .toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        // a U-Net predicts at its input size (a SAM at a quarter of it)
        assertThat(out.resolve("config.yaml")).content().contains("imageSize: 64").contains("outSize: 64");
    }

    @Test
    void plainUNetTrainsResumesAndEvaluates() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(args(csv, out, UNets.PLAIN, "--max-iterations", "2").toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("config.yaml")).content().contains("arch: unet-plain").contains("imageSize: 32");
        assertThat(out.resolve("train.log")).content().contains("nnU-Net recipe: SGD Nesterov momentum 0.99")
                .contains("poly(0.9) per epoch");
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, TensorData> last = Safetensors.readWithMetadata(out.resolve("checkpoints/last.safetensors"), meta);
        assertThat(meta).containsEntry("arch", "unet-plain");
        assertThat(last).containsKeys("encoder.stages.0.0.convs.0.conv.weight", "decoder.seg_layers.2.bias");
        assertThat(Safetensors.readWithMetadata(out.resolve("checkpoints/resume.safetensors"), new LinkedHashMap<>()))
                .containsKey("optimizer/encoder.stages.0.0.convs.0.conv.weight.momentum_buffer");

        CliRun resumed = CliRun.of("train", "--resume", out.toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("completed 2 epochs");
        assertThat(Files.readAllLines(out.resolve("metrics.csv")).stream().filter(l -> l.startsWith("val")).count())
                .isEqualTo(2);

        CliRun eval = CliRun.of("eval", "--run", out.toString(), "--data", csv.toString(), "--out",
                dir.resolve("m.csv").toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(dir.resolve("m.csv")).content().contains("dice");
        CliRun low = CliRun.of("eval", "--run", out.toString(), "--data", csv.toString(), "--low-res", "--out",
                dir.resolve("low.csv").toString());
        assertThat(low.code()).as(low.err()).isZero();
    }

    @Test
    void resnetUNetTrainsWithFinetuneSamsOptimiser() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(args(csv, out, UNets.RESNET34, "--max-iterations", "2").toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("train.log")).content().contains("finetune-SAM recipe: AdamW");
        assertThat(Safetensors.read(out.resolve("checkpoints/best.safetensors")).tensors())
                .containsKeys("conv1.weight", "layer4.2.bn2.running_var", "up5.weight");
    }

    @Test
    void impossibleCombinationsAreRefusedInOneLine() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 2, 48, 1);
        String[][] cases = {
                {"--method", "adapter", "method"}, {"--method", "lora", "method"},
                {"--prompt", "box", "promptMode"}, {"--tune", "decoder", "tune"}};
        for (String[] c : cases) {
            CliRun r = CliRun.of("train", "--arch", UNets.PLAIN, "--train-list", csv.toString(), c[0], c[1],
                    "--out", dir.resolve("x" + c[1]).toString());
            assertThat(r.code()).as(String.join(" ", c)).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains(c[2]).contains("unet-plain");
            assertThat(dir.resolve("x" + c[1])).doesNotExist();
        }
        CliRun warm = CliRun.of("train", "--arch", UNets.PLAIN, "--train-list", csv.toString(), "--warmup",
                "--out", dir.resolve("w").toString());
        assertThat(warm.code()).isEqualTo(2);
        assertThat(warm.err()).contains("warmup").contains("no warm-up");
    }

    @Test
    void aTorchvisionResNet34StateDictLoadsIntoTheEncoderAndWrongShapesAreRefused() throws Exception {
        // torchvision's resnet34 keys and shapes (values do not matter here): our encoder's tensors plus fc.*
        Map<String, TensorData> tv = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            var net = UNets.build(m, UNets.RESNET34, 32, 2, null, 1).net();
            net.asModule().stateDict().tensors().forEach((k, v) -> {
                if (!k.startsWith("up")) {
                    tv.put(k, v);
                }
            });
        }
        assertThat(tv).containsKeys("conv1.weight", "bn1.num_batches_tracked", "layer2.0.downsample.0.weight",
                "layer4.2.bn2.running_var");
        assertThat(tv.get("conv1.weight").shape()).containsExactly(64, 3, 7, 7);
        tv.put("fc.weight", TensorData.ofFloats(new float[1000 * 512], 1000, 512));
        tv.put("fc.bias", TensorData.ofFloats(new float[1000], 1000));
        Path resnet = dir.resolve("resnet34-fake.safetensors");
        Safetensors.write(resnet, new StateDict(tv, "fake"), Map.of());
        try (NDManager m = NDManager.newBaseManager()) {
            LoadReport report = UNets.build(m, UNets.RESNET34, 32, 2, resnet, 1).report();
            assertThat(report.loaded()).isEqualTo(tv.size() - 2);
            assertThat(report.unexpected()).containsExactly("fc.weight", "fc.bias");
            assertThat(report.missing()).allMatch(k -> k.startsWith("up"));
        }

        tv.put("layer3.0.conv1.weight", TensorData.ofFloats(new float[128 * 128 * 9], 128, 128, 3, 3));
        Path wrong = dir.resolve("resnet18ish.safetensors");
        Safetensors.write(wrong, new StateDict(tv, "fake"), Map.of());
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 2, 48, 1);
        CliRun r = CliRun.of("train", "--arch", UNets.RESNET34, "--checkpoint", wrong.toString(), "--train-list",
                csv.toString(), "--out", dir.resolve("bad").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("resnet18ish.safetensors").contains("layer3.0.conv1.weight")
                .contains("torchvision ResNet-34");
        assertThat(dir.resolve("bad").resolve("checkpoints").resolve("resume.safetensors")).doesNotExist();
    }
}
