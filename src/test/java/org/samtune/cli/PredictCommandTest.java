package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.Rgb8;
import org.samtune.data.UInt8Image;
import org.samtune.io.Affine;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;
import org.samtune.io.NiftiDataType;
import org.samtune.io.Volume;
import org.samtune.model.BlockOrder;
import org.samtune.model.PretrainedSam;
import org.samtune.model.Sam;
import org.samtune.inference.SamPredictor;
import org.samtune.testing.Fixtures;

/** {@code samtune predict} in-process with the tiny SAM of the fixtures (img_size 128). */
class PredictCommandTest {
    @TempDir Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static final Path TINY = Fixtures.file("sam-tiny", "tiny_sam.pth");

    static Path checkpointCase(String name) {
        try {
            return Path.of(PredictCommandTest.class.getResource("/checkpoint/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** raw_image.npy of the fixtures (96×128 RGB) as a PNG. */
    Path png() {
        TensorData t = Fixtures.npy("sam-tiny", "raw_image");
        float[] chw = t.toFloats();
        int h = 96;
        int w = 128;
        float[] hwc = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                hwc[3 * i + c] = chw[c * h * w + i];
            }
        }
        Path p = dir.resolve("image.png");
        Images2D.writePng(p, new Image2D(w, h, 3, 8, hwc));
        return p;
    }

    @Test
    void writesMaskLogitsAndOverlayAndPrintsIou() {
        Path img = png();
        Path out = dir.resolve("mask.png");
        Path logits = dir.resolve("logits.npy");
        Path overlay = dir.resolve("overlay.png");
        CliRun r = run("predict", "--checkpoint", TINY.toString(), "--image", img.toString(), "--point", "60,40",
                "--point", "10,10,0", "--box", "20,15,110,80", "--multimask", "--out", out.toString(), "--logits",
                logits.toString(), "--overlay", overlay.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String iouLine = r.out().lines().filter(l -> l.startsWith("iou:")).findFirst().orElseThrow();
        float[] iou = parse(iouLine.substring(4));
        assertThat(iou).hasSize(3);

        TensorData l = Npy.read(logits);
        assertThat(l.shape()).containsExactly(3, 96, 128);
        Image2D mask = Images2D.read(out);
        assertThat(mask.width()).isEqualTo(128);
        assertThat(mask.height()).isEqualTo(96);
        assertThat(mask.channels()).isEqualTo(1);
        Set<Float> values = new HashSet<>();
        for (float v : mask.data()) {
            values.add(v);
        }
        assertThat(values).isSubsetOf(0f, 255f);

        // --out is the mask with the highest printed IoU, thresholded at logit 0
        int best = 0;
        for (int i = 1; i < 3; i++) {
            best = iou[i] > iou[best] ? i : best;
        }
        float[] lv = l.toFloats();
        int plane = 96 * 128;
        for (int i = 0; i < plane; i++) {
            assertThat(mask.data()[i]).isEqualTo(lv[best * plane + i] > 0 ? 255f : 0f);
        }

        // the CLI computes what the Java API computes on the same image and prompts
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = PretrainedSam.load(m, TINY, null, BlockOrder.OFFICIAL);
            try (SamPredictor p = new SamPredictor(sam)) {
                p.setImage(Rgb8.of(Images2D.read(img)));
                SamPredictor.Prediction api = p.predict(new double[] {60, 40, 10, 10}, new int[] {1, 0},
                        new double[] {20, 15, 110, 80}, null, true);
                assertThat(lv).containsExactly(api.masks());
            }
        }

        Image2D ov = Images2D.read(overlay);
        assertThat(ov.channels()).isEqualTo(3);
        assertThat(ov.width()).isEqualTo(128);
        // the prompts are drawn: the foreground point green, the background point red, the box outlined
        assertThat(new float[] {ov.get(60, 40, 0), ov.get(60, 40, 1), ov.get(60, 40, 2)})
                .containsExactly(0f, 200f, 0f);
        assertThat(new float[] {ov.get(10, 10, 0), ov.get(10, 10, 1), ov.get(10, 10, 2)})
                .containsExactly(220f, 0f, 0f);
        assertThat(new float[] {ov.get(20, 50, 0), ov.get(20, 50, 1), ov.get(20, 50, 2)})
                .containsExactly(0f, 255f, 0f);
    }

    @Test
    void singleMaskWithoutMultimask() {
        Path out = dir.resolve("one.png");
        Path logits = dir.resolve("one.npy");
        CliRun r = run("predict", "--checkpoint", TINY.toString(), "--image", png().toString(), "--box",
                "20,15,110,80", "--out", out.toString(), "--logits", logits.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^iou: -?\\d+\\.\\d{6}$");
        assertThat(Npy.read(logits).shape()).containsExactly(1, 96, 128);
    }

    @Test
    void sixteenBitGreyIsScaledMinMax() {
        float[] d = new float[40 * 30];
        for (int i = 0; i < d.length; i++) {
            d[i] = 1000 + 3 * i; // 1000 … 4597: dark if read as 16-bit values / 257
        }
        Path p = dir.resolve("grey16.png");
        Images2D.writePng(p, new Image2D(40, 30, 1, 16, d));
        UInt8Image rgb = Rgb8.of(Images2D.read(p));
        assertThat(rgb.channels()).isEqualTo(3);
        assertThat(rgb.get(0, 0, 0)).isZero();
        assertThat(rgb.get(29, 39, 2)).isEqualTo(255);
        assertThat(rgb.get(15, 0, 1)).isEqualTo((int) Math.floor(255.0 * 3 * 600 / (3 * 1199) + 0.5));
        CliRun r = run("predict", "--checkpoint", TINY.toString(), "--image", p.toString(), "--point", "20,15",
                "--out", dir.resolve("m16.png").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Images2D.read(dir.resolve("m16.png")).width()).isEqualTo(40);
    }

    /** One line on stderr, "samtune: error: …" containing {@code expected}, exit code 2, no output file. */
    void fails(String expected, String... args) {
        CliRun r = run(args);
        System.out.print(r.err());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("samtune: error: ").contains(expected);
        assertThat(dir.resolve("bad.png")).doesNotExist();
    }

    String[] args(String checkpoint, String image, String... more) {
        String[] base = {"predict", "--checkpoint", checkpoint, "--image", image, "--out",
            dir.resolve("bad.png").toString()};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void badInputsGiveOneClearLine() throws Exception {
        String img = png().toString();
        String tiny = TINY.toString();
        fails("no such file", args(tiny, dir.resolve("missing.png").toString(), "--point", "1,1"));
        Path garbage = dir.resolve("garbage.png");
        Files.write(garbage, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
            1, 2, 3});
        fails("garbage.png", args(tiny, garbage.toString(), "--point", "1,1"));
        fails("outside the image", args(tiny, img, "--point", "128,10"));
        fails("outside the image", args(tiny, img, "--point", "-1,10"));
        fails("X0 ≤ X1", args(tiny, img, "--box", "50,10,20,40"));
        fails("LABEL", args(tiny, img, "--point", "5,5,2"));
        fails("checkpoint " + tiny + " is custom but --arch asks for vit_h", args(tiny, img, "--arch", "vit_h",
                "--point", "5,5"));
        Path mobile = Fixtures.file("mobilesam-tiny", "mobilesam_tiny.pth");
        fails("is vit_t but --arch asks for vit_b", args(mobile.toString(), img, "--arch", "vit_b", "--point",
                "5,5"));

        byte[] full = Files.readAllBytes(TINY);
        Path truncated = dir.resolve("truncated.pth");
        Files.write(truncated, Arrays.copyOf(full, full.length / 2));
        fails("truncated.pth", args(truncated.toString(), img, "--point", "5,5"));
        Path corrupted = dir.resolve("corrupted.pth");
        byte[] bad = full.clone();
        for (int i = 0; i < 64; i++) {
            bad[i * 7 + 100] ^= (byte) 0x5a;
        }
        Files.write(corrupted, bad);
        fails("corrupted.pth", args(corrupted.toString(), img, "--point", "5,5"));
        fails("evil_os_system.pth", args(checkpointCase("evil_os_system.pth").toString(), img, "--point", "5,5"));
        fails("net_short_storage.pth", args(checkpointCase("net_short_storage.pth").toString(), img, "--point",
                "5,5"));
    }

    @Test
    void volumeGivesALabelVolumeOnTheInputGrid() {
        int nx = 24;
        int ny = 20;
        int nz = 3;
        float[] v = new float[nx * ny * nz];
        for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    boolean blob = Math.hypot(i - 12, j - 9) < 6 + k;
                    v[i + nx * (j + ny * k)] = blob ? 800 + 10 * i : -50 + j;
                }
            }
        }
        Affine affine = Affine.diagonal(-0.8, 0.8, 2.5);
        Path scan = dir.resolve("scan.nii.gz");
        Nifti.write(scan, new Volume(nx, ny, nz, v, affine), NiftiDataType.FLOAT32);
        Volume source = Nifti.read(scan);

        for (String mode : new String[] {"best-mask", "classes"}) {
            Path out = dir.resolve("pred-" + mode + ".nii.gz");
            CliRun r = run("predict", "--checkpoint", TINY.toString(), "--image", scan.toString(), "--out",
                    out.toString(), "--decoder-output", mode);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("labels: " + out).contains(mode).contains("3 axial slices of 24×20");
            assertThat(r.out()).contains("predict: axial slice 1/3").contains("predict: axial slice 3/3 (100%)");
            Volume pred = Nifti.read(out);
            assertThat(pred.sameGrid(source)).isTrue();
            assertThat(pred.affine()).isEqualTo(source.affine());
            int max = mode.equals("classes") ? 2 : 1;
            for (float x : pred.data()) {
                assertThat(x).isBetween(0f, (float) max).isEqualTo((float) Math.rint(x));
            }
        }

        CliRun sag = run("predict", "--checkpoint", TINY.toString(), "--image", scan.toString(), "--out",
                dir.resolve("sag.nii").toString(), "--axis", "sagittal");
        assertThat(sag.code()).as(sag.err()).isZero();
        assertThat(sag.out()).contains("24 sagittal slices");
        assertThat(Nifti.read(dir.resolve("sag.nii")).sameGrid(source)).isTrue();

        fails("takes no --point", "predict", "--checkpoint", TINY.toString(), "--image", scan.toString(), "--out",
                dir.resolve("x.nii.gz").toString(), "--point", "1,1");
        fails("NIfTI", "predict", "--checkpoint", TINY.toString(), "--image", scan.toString(), "--out",
                dir.resolve("bad.png").toString());
    }

    static float[] parse(String numbers) {
        String[] f = numbers.trim().split("\\s+");
        float[] v = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = Float.parseFloat(f[i]);
        }
        return v;
    }
}
