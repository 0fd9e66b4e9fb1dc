package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.Affine;
import org.samtune.io.Nifti;
import org.samtune.io.NiftiDataType;
import org.samtune.io.Volume;

class EvalCommandTest {

    @TempDir Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** Boxes of label value 5 (and a second class 9 in the truth only) on a 20×18×16 grid, spacing 1.5/1/2 mm. */
    static Volume labels(int x0, boolean withSecondClass, Affine affine) {
        int nx = 20;
        int ny = 18;
        int nz = 16;
        float[] d = new float[nx * ny * nz];
        for (int k = 4; k < 12; k++) {
            for (int j = 4; j < 14; j++) {
                for (int i = x0; i < x0 + 10; i++) {
                    d[i + nx * (j + ny * k)] = 5;
                }
            }
        }
        if (withSecondClass) {
            d[1 + nx * (1 + ny)] = 9;
        }
        return new Volume(nx, ny, nz, d, affine);
    }

    @Test
    void scoresShiftedBoxesFromNiftiFilesAndWritesTheTables() throws Exception {
        Affine affine = Affine.diagonal(1.5, 1.0, 2.0);
        Path truth = dir.resolve("case1_truth.nii.gz");
        Path pred = dir.resolve("case1_pred.nii.gz");
        Nifti.write(truth, labels(4, true, affine), NiftiDataType.UINT8);
        Nifti.write(pred, labels(6, false, affine), NiftiDataType.UINT8);
        Path csv = dir.resolve("out/metrics.csv");
        CliRun r = run("eval", "--pred", pred.toString(), "--truth", truth.toString(), "--classes", "box=5;dot=9",
                "--nsd-mm", "2", "--out", csv.toString(), "--per-slice", "axial");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo(
                "case,slice,class_index,class,dice,iou,hd95_mm,assd_mm,nsd,pred_voxels,truth_voxels");
        // Boxes 10×10×8 shifted by 2 voxels along x: Dice 0.8, IoU 2/3 exactly; classic HD would be 3 mm.
        assertThat(lines.get(1)).startsWith("case1_truth,volume,1,box,0.800000,0.666667,");
        assertThat(lines.get(1)).endsWith(",800,800");
        assertThat(lines.get(2)).isEqualTo("case1_truth,volume,2,dot,0.000000,0.000000,inf,inf,0.000000,0,1");
        // 8 axial slices hold the box; the dot's slice (k = 1) holds class 2 only.
        assertThat(lines.stream().filter(l -> l.matches("case1_truth,\\d+,1,box,.*"))).hasSize(9);
        assertThat(lines.stream().filter(l -> l.startsWith("case1_truth,4,1,box,0.800000,0.666667,3.000000,")))
                .hasSize(1);
        assertThat(r.out()).contains("Mean per class over volumes").contains("box").contains("0.8000");
        assertThat(r.err()).contains("class dot is missing from the prediction");
        assertThat(Files.readString(dir.resolve("out/metrics-means.csv")))
                .startsWith("scope,class_index,class,rows,dice,dice_n,");
    }

    @Test
    void twoCasesAreAveraged() throws Exception {
        Affine affine = Affine.diagonal(1, 1, 1);
        Path t1 = dir.resolve("a.nii.gz");
        Path t2 = dir.resolve("b.nii");
        Nifti.write(t1, labels(4, false, affine), NiftiDataType.UINT8);
        Nifti.write(t2, labels(4, false, affine), NiftiDataType.UINT8);
        Path p2 = dir.resolve("p2.nii.gz");
        Nifti.write(p2, labels(6, false, affine), NiftiDataType.UINT8);
        Path csv = dir.resolve("m.csv");
        CliRun r = run("eval", "--pred", t1.toString(), "--truth", t1.toString(), "--pred", p2.toString(),
                "--truth", t2.toString(), "--out", csv.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        String means = Files.readString(dir.resolve("m-means.csv"));
        // Dice 1.0 and 0.8 → mean 0.9 over 2 cases of class "5".
        assertThat(means).contains("volume,1,5,2,0.900000,2,");
    }

    @Test
    void differentGridsAreAClearError() throws Exception {
        Path truth = dir.resolve("t.nii.gz");
        Path pred = dir.resolve("p.nii.gz");
        Nifti.write(truth, labels(4, false, Affine.diagonal(1, 1, 1)), NiftiDataType.UINT8);
        Nifti.write(pred, labels(4, false, Affine.diagonal(1, 1, 2)), NiftiDataType.UINT8);
        CliRun r = run("eval", "--pred", pred.toString(), "--truth", truth.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("samtune: error: eval: " + pred).contains(truth.toString())
                .contains("not on the same voxel grid");
    }

    @Test
    void unpairedInputsAndBadClassesAreClearErrors() throws Exception {
        Path truth = dir.resolve("t.nii.gz");
        Nifti.write(truth, labels(4, false, Affine.identity()), NiftiDataType.UINT8);
        CliRun r = run("eval", "--truth", truth.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("expected as many --pred as --truth");
        CliRun bad = run("eval", "--pred", truth.toString(), "--truth", truth.toString(), "--classes", "a=1;b=x");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--classes: expected an integer label value, got 'x'");
    }

    @Test
    void realAtlasAgainstAShiftedCopyMatchesTheScipyReference() throws Exception {
        // AAL shifted by +1 voxel along j and +2 along k (zero fill) as the prediction; numbers from
        // src/test/resources/eval/monai_style_reference.py (scipy 1.17.1).
        Volume aal = Nifti.read(Path.of("data/colin27/aal.nii.gz"));
        float[] shifted = new float[aal.data().length];
        int nx = aal.nx();
        int ny = aal.ny();
        for (int k = 2; k < aal.nz(); k++) {
            for (int j = 1; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    shifted[i + nx * (j + ny * k)] = aal.data()[i + nx * (j - 1 + ny * (k - 2))];
                }
            }
        }
        Path pred = dir.resolve("aal_shifted.nii.gz");
        Nifti.write(pred, aal.withData(shifted), NiftiDataType.UINT8);
        Path csv = dir.resolve("aal.csv");
        CliRun r = run("eval", "--pred", pred.toString(), "--truth", "data/colin27/aal.nii.gz", "--classes",
                "caudate=71,72;pallidum=75,76;hippocampus=37,38", "--out", csv.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        List<String> lines = Files.readAllLines(csv);
        double[][] expected = {
            {0.7883249055879152, 0.650607501320655, 2.23606797749979, 1.0058968426069383, 0.9504107981220657},
            {0.7440196735971384, 0.5923816304734781, 2.0, 1.0406096448727773, 0.9556061468412066},
            {0.6828524046434494, 0.5184327155519742, 2.23606797749979, 1.3677595729673713, 0.826382336289866}};
        for (int c = 0; c < 3; c++) {
            String[] f = lines.get(1 + c).split(",");
            for (int m = 0; m < 5; m++) {
                // the CSV keeps 6 decimals
                assertThat(Double.parseDouble(f[4 + m])).as("class %d metric %d", c + 1, m)
                        .isCloseTo(expected[c][m], org.assertj.core.api.Assertions.within(5e-7));
            }
        }
    }

    @Test
    void labelNamesNameTheClassesAndTheMeanRowIsPrintedAndWritten() throws Exception {
        Affine affine = Affine.diagonal(1.5, 1.0, 2.0);
        Path truth = dir.resolve("t.nii.gz");
        Path pred = dir.resolve("p.nii.gz");
        Nifti.write(truth, labels(4, true, affine), NiftiDataType.UINT8);
        Nifti.write(pred, labels(6, true, affine), NiftiDataType.UINT8);
        // the atlas name-file format of data/colin27/aal.nii.txt: 'value name [code]'
        Path names = dir.resolve("names.txt");
        Files.writeString(names, "5 Caudate_L 7001\n9 Putamen_L 7011\n12 Unused_R 9000\n");
        Path csv = dir.resolve("m.csv");
        CliRun r = run("eval", "--pred", pred.toString(), "--truth", truth.toString(), "--label-names",
                names.toString(), "--out", csv.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Caudate_L").contains("Putamen_L").doesNotContain("Unused_R");
        // box Dice 0.8, dot Dice 1 → mean across the two classes 0.9
        assertThat(r.out().lines().filter(l -> l.startsWith("mean (2 classes)"))).singleElement()
                .asString().contains("0.9000");
        List<String> means = Files.readAllLines(dir.resolve("m-means.csv"));
        assertThat(means).contains(means.get(0)).anyMatch(l -> l.startsWith("volume,1,Caudate_L,1,0.800000,1,"))
                .anyMatch(l -> l.startsWith("volume,,mean,2,0.900000,2,"));
        assertThat(Files.readAllLines(csv).get(1)).startsWith("t,volume,1,Caudate_L,");

        // the real atlas list reads (116 AAL names), and named groups keep their own names
        Path aal = Path.of("data/colin27/aal.nii.txt");
        CliRun byValue = run("eval", "--pred", pred.toString(), "--truth", truth.toString(), "--label-names",
                aal.toString(), "--classes", "9");
        assertThat(byValue.code()).as(byValue.err()).isZero();
        assertThat(byValue.out()).contains("Frontal_Mid_Orb_L").doesNotContain("Frontal_Sup_Orb_L");
        CliRun named = run("eval", "--pred", pred.toString(), "--truth", truth.toString(), "--label-names",
                aal.toString(), "--classes", "box=5;dot=9");
        assertThat(named.code()).as(named.err()).isZero();
        assertThat(named.out()).contains("box").contains("dot").doesNotContain("Frontal");

        Path broken = dir.resolve("broken.txt");
        Files.writeString(broken, "5 Caudate_L\nnot-a-number Foo\n");
        CliRun bad = run("eval", "--pred", pred.toString(), "--truth", truth.toString(), "--label-names",
                broken.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).startsWith("samtune: error: ").contains("broken.txt").contains("line 2");
        assertThat(bad.err().lines().count()).isEqualTo(1);
    }
}
