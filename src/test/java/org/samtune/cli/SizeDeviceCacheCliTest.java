package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.testing.Fixtures;

/**
 * The CLI side of issue 10: {@code --image-size} recorded in a run and used by eval / predict, a checkpoint run at
 * another size, {@code --embedding-cache} reused by a second run, and {@code --device} errors.
 */
class SizeDeviceCacheCliTest {
    @TempDir Path dir;

    private List<String> train(Path csv, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--train-list", csv.toString(), "--arch", "compact",
                "--num-classes", "3", "--targets", "multi_all", "--batch", "2", "--epochs", "2", "--seed", "3",
                "--warmup-iters", "2", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void aRunAtAnotherSizeRecordsItAndEvalUsesIt() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
        CliRun r = CliRun.of(train(csv, out, "--image-size", "128", "--tune", "encoder+decoder",
                "--val-list", csv.toString(), "--val-every", "1").toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("config.yaml")).content().contains("imageSize: 128").contains("outSize: 32");
        assertThat(out.resolve("train.log")).content().contains("input 128x128");
        CliRun eval = CliRun.of("eval", "--run", out.toString(), "--data", csv.toString(), "--out",
                dir.resolve("m.csv").toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        // the same run at 64 px: the trained pos_embed (vanilla encoder) is converted on load
        CliRun small = CliRun.of("eval", "--run", out.toString(), "--data", csv.toString(), "--image-size", "64",
                "--low-res", "--out", dir.resolve("m64.csv").toString());
        assertThat(small.code()).as(small.err()).isZero();
        assertThat(dir.resolve("m64.csv")).exists();

        CliRun bad = CliRun.of(train(csv, dir.resolve("bad"), "--image-size", "100").toArray(String[]::new));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo(
                "samtune: error: --image-size: expected a positive multiple of 16 (the patch size), got 100");
        assertThat(dir.resolve("bad")).doesNotExist();
        CliRun tiny = CliRun.of(train(csv, dir.resolve("t"), "--arch", "vit_t", "--image-size", "512")
                .toArray(String[]::new));
        assertThat(tiny.code()).isEqualTo(2);
        assertThat(tiny.err()).contains("vit_t (MobileSAM's TinyViT) runs at 1024 only");
    }

    @Test
    void predictRunsACheckpointAtAnotherSize() throws Exception {
        Path png = dir.resolve("img.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(80, 60,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 60; y++) {
            for (int x = 0; x < 80; x++) {
                img.setRGB(x, y, (x * 3 + y * 5) % 256 * 0x010101);
            }
        }
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        Path ckpt = Fixtures.file("sam-tiny", "tiny_sam.pth");
        for (String size : List.of("64", "256")) {
            Path out = dir.resolve("mask" + size + ".png");
            CliRun r = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--image", png.toString(), "--point",
                    "40,30", "--image-size", size, "--out", out.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(out).exists();
        }
        CliRun bad = CliRun.of("predict", "--checkpoint", ckpt.toString(), "--image", png.toString(), "--point",
                "40,30", "--image-size", "70", "--out", dir.resolve("x.png").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--image-size: expected a positive multiple of 16");
    }

    @Test
    void asecondRunReadsEveryEmbeddingFromTheDiskCache() throws Exception {
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path cache = dir.resolve("cache");
        for (String name : List.of("a", "b")) {
            CliRun r = CliRun.of(train(csv, dir.resolve(name), "--tune", "decoder", "--no-augment",
                    // another run of the same encoder (from scratch the encoder's weights follow the seed, which
                    // is another key; from a checkpoint every seed shares the entries)
                    "--lr", name.equals("a") ? "1e-3" : "2e-3", "--embedding-cache", cache.toString(),
                    "--embedding-cache-size", "64M").toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            assertThat(s.filter(p -> p.toString().endsWith(".emb")).count()).isEqualTo(4);
        }
        assertThat(dir.resolve("a/train.log")).content().contains("4 computed");
        assertThat(dir.resolve("b/train.log")).content().contains("8 read, 0 computed");
        CliRun bad = CliRun.of(train(csv, dir.resolve("c"), "--tune", "decoder", "--embedding-cache",
                cache.toString(), "--embedding-cache-size", "lots").toArray(String[]::new));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--embedding-cache-size: expected a positive size such as 500M or 20G");
    }

    @Test
    void askingForAMissingGpuStopsWithOneLine() throws Exception {
        assumeTrue(ai.djl.engine.Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        Path csv = org.samtune.train.SyntheticDataAccess.write(dir.resolve("data"), "train", 2, 48, 1);
        for (List<String> args : List.of(train(csv, dir.resolve("g"), "--device", "gpu"),
                List.of("bench", "train", "--device", "gpu:1"),
                List.of("eval", "--device", "gpu", "--run", dir.toString(), "--data", csv.toString()))) {
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("samtune: error: --device gpu").contains("no CUDA GPU")
                    .doesNotContain("\n");
        }
        assertThat(dir.resolve("g")).doesNotExist();
    }
}
