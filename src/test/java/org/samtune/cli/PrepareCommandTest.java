package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.Affine;
import org.samtune.io.Nifti;
import org.samtune.io.NiftiDataType;
import org.samtune.io.Volume;

class PrepareCommandTest {

    private static final Path COLIN = Path.of("data/colin27");
    private static final String SUBCORTICAL =
            "caudate=71,72;putamen=73,74;pallidum=75,76;thalamus=77,78;hippocampus=37,38";

    @TempDir Path dir;

    static int sliceIndex(String line) {
        String img = line.split(",")[0];
        return Integer.parseInt(img.substring(img.length() - 7, img.length() - 4));
    }

    @Test
    void colin27WithAalSubcorticalClassesInOneCommand() throws Exception {
        Path out = dir.resolve("colin");
        CliRun r = CliRun.of("prepare", "--image", COLIN.resolve("ch2.nii.gz").toString(),
                "--labels", COLIN.resolve("aal.nii.gz").toString(), "--out", out.toString(), "--classes",
                SUBCORTICAL, "--label-names", COLIN.resolve("aal.nii.txt").toString(), "--shots", "5",
                "--seed", "3");
        assertThat(r.code()).as(r.err()).isEqualTo(0);

        // 54 axial slices hold one of the classes (k = 44..97, counted independently with numpy): 70/15/15.
        List<String> train = Files.readAllLines(out.resolve("train.csv"));
        List<String> val = Files.readAllLines(out.resolve("val.csv"));
        List<String> test = Files.readAllLines(out.resolve("test.csv"));
        assertThat(train).hasSize(38);
        assertThat(val).hasSize(8);
        assertThat(test).hasSize(8);
        List<String> all = new ArrayList<>(train);
        all.addAll(val);
        all.addAll(test);
        for (String line : all) {
            assertThat(line).matches("images/ch2_axial_\\d{3}\\.png,masks/ch2_axial_\\d{3}\\.png");
            String[] f = line.split(",");
            assertThat(f[0].substring(7)).isEqualTo(f[1].substring(6));
            assertThat(out.resolve(f[0])).isRegularFile();
            assertThat(out.resolve(f[1])).isRegularFile();
        }
        Set<Integer> seen = new HashSet<>();
        for (String line : all) {
            assertThat(seen.add(sliceIndex(line))).as("slice in two splits: %s", line).isTrue();
        }
        assertThat(seen).hasSize(54).contains(44, 97);
        // Contiguous slabs: every train slice below every val slice below every test slice.
        int trainMax = train.stream().mapToInt(PrepareCommandTest::sliceIndex).max().orElseThrow();
        int valMin = val.stream().mapToInt(PrepareCommandTest::sliceIndex).min().orElseThrow();
        int valMax = val.stream().mapToInt(PrepareCommandTest::sliceIndex).max().orElseThrow();
        int testMin = test.stream().mapToInt(PrepareCommandTest::sliceIndex).min().orElseThrow();
        assertThat(trainMax).isEqualTo(81);
        assertThat(valMin).isEqualTo(82);
        assertThat(valMax).isEqualTo(89);
        assertThat(testMin).isEqualTo(90);
        List<String> shots = Files.readAllLines(out.resolve("train_5shot.csv"));
        assertThat(shots).hasSize(5).doesNotHaveDuplicates();
        assertThat(train).containsAll(shots);

        // Slice k = 60: mask pixel = class index; image = percentile (0.5 → 0, 99.5 → 178) min–max to 8 bits.
        // Expected numbers from numpy on the same files (rows top = anterior, columns = i).
        BufferedImage mask = ImageIO.read(out.resolve("masks/ch2_axial_060.png").toFile());
        BufferedImage img = ImageIO.read(out.resolve("images/ch2_axial_060.png").toFile());
        assertThat(mask.getWidth()).isEqualTo(181);
        assertThat(mask.getHeight()).isEqualTo(217);
        long[] hist = new long[256];
        long sum = 0;
        for (int y = 0; y < 217; y++) {
            for (int x = 0; x < 181; x++) {
                hist[mask.getRaster().getSample(x, y, 0)]++;
                sum += img.getRaster().getSample(x, y, 0);
            }
        }
        assertThat(hist[0]).isEqualTo(38340);
        assertThat(hist[1]).isEqualTo(150);
        assertThat(hist[5]).isEqualTo(787);
        assertThat(hist[2] + hist[3] + hist[4]).isZero();
        assertThat(sum).isEqualTo(3392695);
        assertThat(img.getRaster().getSample(90, 100, 0)).isEqualTo(64);
        assertThat(img.getRaster().getSample(60, 50, 0)).isEqualTo(125);

        JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(out.resolve("dataset.yaml").toFile());
        assertThat(yaml.get("axis").asText()).isEqualTo("axial");
        assertThat(yaml.get("classes")).hasSize(6);
        assertThat(yaml.get("classes").get(5).get("name").asText()).isEqualTo("hippocampus");
        assertThat(yaml.get("classes").get(5).get("source_names").get(0).asText()).isEqualTo("Hippocampus_L");
        JsonNode c = yaml.get("cases").get(0);
        assertThat(c.get("geometry").get("spacing_mm").get(0).asDouble()).isEqualTo(1.0);
        assertThat(c.get("geometry").get("affine").get(0).get(3).asDouble()).isEqualTo(-90.0);
        assertThat(c.get("slices").get("val")).hasSize(8);
        assertThat(c.get("voxels_per_class").get("caudate").asLong()).isEqualTo(15623);
        assertThat(c.get("voxels_per_class").get("pallidum").asLong()).isEqualTo(4473);
        assertThat(r.out()).contains("prepared 54 axial slices").contains("train      38");
        assertThat(Files.readString(out.resolve("summary.txt"))).isEqualTo(r.out());
    }

    /** A small case: a 12×10×8 grid, a bright box of label 3 in slices k = 2..5. */
    private Path[] smallCase(String name, Affine affine, int shift) throws Exception {
        int nx = 12;
        int ny = 10;
        int nz = 8;
        float[] img = new float[nx * ny * nz];
        float[] lab = new float[img.length];
        for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    int idx = i + nx * (j + ny * k);
                    img[idx] = -1000 + 10 * i + shift;
                    if (k >= 2 && k <= 5 && i >= 3 && i < 8 && j >= 2 && j < 7) {
                        lab[idx] = 3;
                        img[idx] = 60;
                    }
                }
            }
        }
        Path im = dir.resolve(name + "_ct.nii.gz");
        Path lb = dir.resolve(name + "_seg.nii.gz");
        Nifti.write(im, new Volume(nx, ny, nz, img, affine), NiftiDataType.INT16);
        Nifti.write(lb, new Volume(nx, ny, nz, lab, affine), NiftiDataType.UINT8);
        return new Path[] {im, lb};
    }

    @Test
    void severalCasesAreSplitAsWholeCasesWithACtWindow() throws Exception {
        List<String> args = new ArrayList<>(List.of("prepare", "--out", dir.resolve("multi").toString(),
                "--window", "brain", "--split", "50,25,25", "--seed", "11"));
        for (int c = 0; c < 4; c++) {
            Path[] p = smallCase("case" + c, Affine.diagonal(0.7, 0.7, 3), c);
            args.addAll(List.of("--image", p[0].toString(), "--labels", p[1].toString()));
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        Path out = dir.resolve("multi");
        Set<String> casesSeen = new HashSet<>();
        int total = 0;
        for (String split : List.of("train", "val", "test")) {
            List<String> lines = Files.readAllLines(out.resolve(split + ".csv"));
            Set<String> cases = new HashSet<>();
            for (String l : lines) {
                cases.add(l.substring("images/".length(), l.indexOf("_ct_axial_")));
            }
            assertThat(lines).hasSize(4 * cases.size()); // every labelled slice (k = 2..5) of each of its cases
            for (String cs : cases) {
                assertThat(casesSeen.add(cs)).as("case %s in two splits", cs).isTrue();
            }
            assertThat(cases).hasSize(split.equals("train") ? 2 : 1);
            total += lines.size();
        }
        assertThat(total).isEqualTo(16);
        // Brain window 40/80: HU 60 → (60 − 0)/80 · 255 = 191.25 → 191; −1000 → 0.
        BufferedImage img = ImageIO.read(out.resolve("images/case0_ct_axial_003.png").toFile());
        BufferedImage mask = ImageIO.read(out.resolve("masks/case0_ct_axial_003.png").toFile());
        // Row y = 9 − j, column x = i: voxel (i = 4, j = 3) is inside the box.
        assertThat(img.getRaster().getSample(4, 6, 0)).isEqualTo(191);
        assertThat(mask.getRaster().getSample(4, 6, 0)).isEqualTo(1);
        assertThat(img.getRaster().getSample(0, 0, 0)).isEqualTo(0);
        assertThat(mask.getRaster().getSample(0, 0, 0)).isEqualTo(0);
        assertThat(r.out()).contains("splits by whole case");
    }

    @Test
    void aDicomSeriesFolderWithNiftiLabelsOnItsGrid() throws Exception {
        Path series = Path.of("data/dicom/mr-series");
        Volume mr = org.samtune.io.Dicom.readSeries(series);
        float[] lab = new float[mr.data().length];
        float max = 0;
        for (float v : mr.data()) {
            max = Math.max(max, v);
        }
        for (int i = 0; i < lab.length; i++) {
            lab[i] = mr.data()[i] > 0.3f * max ? 1 : 0;
        }
        Path labels = dir.resolve("mr_labels.nii.gz");
        Nifti.write(labels, new Volume(mr.nx(), mr.ny(), mr.nz(), lab, mr.affine()), NiftiDataType.UINT8);
        CliRun r = CliRun.of("prepare", "--image", series.toString(), "--labels",
                labels.toString(), "--out", dir.resolve("mr").toString(), "--axis", "axial", "--keep-empty");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        // 20 axial slices of 256×256 (the series is axial, so its slice axis is the file's k).
        int lines = 0;
        for (String split : List.of("train", "val", "test")) {
            for (String line : Files.readAllLines(dir.resolve("mr").resolve(split + ".csv"))) {
                assertThat(line).matches("images/mr-series_axial_0\\d\\d\\.png,masks/mr-series_axial_0\\d\\d\\.png");
                lines++;
            }
        }
        assertThat(lines).isEqualTo(20);
        assertThat(Files.readAllLines(dir.resolve("mr/train.csv"))).hasSize(14);
        BufferedImage mask = ImageIO.read(dir.resolve("mr/masks/mr-series_axial_010.png").toFile());
        assertThat(mask.getWidth()).isEqualTo(256);
        assertThat(mask.getHeight()).isEqualTo(256);
        JsonNode yaml = new ObjectMapper(new YAMLFactory()).readTree(dir.resolve("mr/dataset.yaml").toFile());
        assertThat(yaml.get("cases").get(0).get("geometry").get("slice_axis_in_file").asText()).isEqualTo("k");
    }

    @Test
    void aGapLeavesSlicesOutBetweenSlabs() throws Exception {
        Path[] p = smallCase("gap", Affine.identity(), 0);
        CliRun r = CliRun.of("prepare", "--image", p[0].toString(), "--labels",
                p[1].toString(), "--out", dir.resolve("g").toString(), "--keep-empty", "--split", "60,20,20",
                "--gap", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        // 8 slices, 2 gaps → 6 usable: 4 / 1 / 1 → train 0..3, gap 4, val 5, gap 6, test 7.
        assertThat(Files.readAllLines(dir.resolve("g/train.csv")).stream().map(PrepareCommandTest::sliceIndex))
                .containsExactly(0, 1, 2, 3);
        assertThat(Files.readAllLines(dir.resolve("g/val.csv")).stream().map(PrepareCommandTest::sliceIndex))
                .containsExactly(5);
        assertThat(Files.readAllLines(dir.resolve("g/test.csv")).stream().map(PrepareCommandTest::sliceIndex))
                .containsExactly(7);
    }

    @Test
    void labelsOnAnotherGridAreAClearError() throws Exception {
        Path[] a = smallCase("a", Affine.identity(), 0);
        Path[] b = smallCase("b", Affine.diagonal(1, 1, 2), 0);
        CliRun r = CliRun.of("prepare", "--image", a[0].toString(), "--labels",
                b[1].toString(), "--out", dir.resolve("x").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("samtune: error: prepare: image " + a[0]).contains(b[1].toString())
                .contains("not on the same voxel grid");
    }

    @Test
    void badOptionsAreClearErrors() throws Exception {
        Path[] a = smallCase("a", Affine.identity(), 0);
        String[] base = {"prepare", "--image", a[0].toString(), "--labels", a[1].toString(), "--out",
            dir.resolve("y").toString()};
        assertThat(errorOf(base, "--split", "70,30")).contains("--split: expected TRAIN,VAL,TEST");
        assertThat(errorOf(base, "--window", "40")).contains("--window: CT window '40' is unknown");
        assertThat(errorOf(base, "--axis", "oblique")).contains("--axis: expected axial, coronal or sagittal");
        assertThat(errorOf(base, "--classes", "x=1;y=1")).contains("label value 1 is in both 'x' and 'y'");
        assertThat(errorOf(base, "--classes", "x=9")).contains("holds none of the classes [x]");
        assertThat(errorOf(base, "--shots", "99")).contains("--shots: expected 1..");
    }

    private static String errorOf(String[] base, String... more) {
        List<String> args = new ArrayList<>(List.of(base));
        args.addAll(List.of(more));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        return r.err();
    }
}
