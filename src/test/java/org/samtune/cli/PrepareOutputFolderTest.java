package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.io.Affine;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;

/** {@code prepare} never mixes an old dataset's slices into a new one, and says when a class has no voxels. */
class PrepareOutputFolderTest {
    @TempDir Path dir;
    Path image;
    Path labels;

    @BeforeEach
    void volumes() {
        int nx = 20;
        int ny = 16;
        int nz = 12;
        float[] img = new float[nx * ny * nz];
        float[] lab = new float[img.length];
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    int i = x + nx * (y + ny * z);
                    img[i] = (x * 13 + y * 7 + z * 3) % 211;
                    lab[i] = x > 4 && x < 12 && y > 3 && y < 10 ? 1 : x > 13 && y > 10 ? 2 : 0;
                }
            }
        }
        image = dir.resolve("ct.nii.gz");
        labels = dir.resolve("seg.nii.gz");
        Nifti.write(image, new Volume(nx, ny, nz, img, Affine.diagonal(1, 1, 2)));
        Nifti.write(labels, new Volume(nx, ny, nz, lab, Affine.diagonal(1, 1, 2)));
    }

    private CliRun prepare(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("prepare", "--image", image.toString(), "--labels",
                labels.toString(), "--out", out.toString()));
        a.addAll(List.of(extra));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void aFolderWithFilesIsRefusedAndLeftAlone() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun r = prepare(out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).singleElement().asString()
                .startsWith("samtune: error: --out " + out + ": folder is not empty (1 entry: notes.txt)")
                .contains("--overwrite");
        assertThat(files(out)).containsExactly("notes.txt");
    }

    @Test
    void overwriteReplacesAPreviousDatasetAndKeepsOtherFiles() throws IOException {
        Path out = dir.resolve("out");
        assertThat(prepare(out, "--axis", "axial", "--shots", "2").code()).isZero();
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.writeString(out.resolve("images/README"), "mine too");
        Set<String> before = files(out);
        assertThat(before).anyMatch(f -> f.contains("_axial_")).contains("train_2shot.csv");

        CliRun again = prepare(out, "--axis", "coronal");
        assertThat(again.code()).isEqualTo(2);
        assertThat(files(out)).isEqualTo(before);

        CliRun r = prepare(out, "--axis", "coronal", "--overwrite");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("samtune: warning: --overwrite left " + out.resolve("images/README"))
                .contains("--overwrite left " + out.resolve("notes.txt"));
        // Every PNG on disk is named by a list, and every list line names a PNG on disk.
        Set<String> listed = new HashSet<>();
        for (String list : List.of("train.csv", "val.csv", "test.csv")) {
            for (String line : Files.readAllLines(out.resolve(list))) {
                listed.addAll(List.of(line.split(",")));
            }
        }
        Set<String> pngs = new HashSet<>(files(out));
        pngs.removeIf(f -> !f.endsWith(".png"));
        assertThat(pngs).isNotEmpty().isEqualTo(listed).allMatch(f -> f.contains("_coronal_"));
        assertThat(files(out)).contains("notes.txt", "images/README").doesNotContain("train_2shot.csv");
    }

    @Test
    void overwriteRefusesAFolderThatIsNotADataset() throws IOException {
        Path out = Files.createDirectories(dir.resolve("home"));
        Files.writeString(out.resolve("thesis.tex"), "years of work");
        Files.writeString(out.resolve("train.csv"), "a,b\n");
        CliRun r = prepare(out, "--overwrite");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("has no dataset.yaml").contains("thesis.tex");
        assertThat(files(out)).containsExactlyInAnyOrder("thesis.tex", "train.csv");
    }

    /** A prepare that died while writing slices left no dataset.yaml: --overwrite still lets the retry run. */
    @Test
    void overwriteCleansAnInterruptedPrepare() throws IOException {
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("images"));
        Files.createDirectories(out.resolve("masks"));
        Files.writeString(out.resolve("images/ct_axial_003.png"), "stale");
        Files.writeString(out.resolve("masks/.ct_axial_004.png.k2j3.tmp"), "half");
        assertThat(prepare(out).code()).isEqualTo(2);
        CliRun r = prepare(out, "--overwrite");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(files(out)).doesNotContain("masks/.ct_axial_004.png.k2j3.tmp").contains("dataset.yaml");
    }

    @Test
    void aClassWithoutVoxelsIsNamedInAWarning() throws IOException {
        Path out = dir.resolve("out");
        CliRun r = prepare(out, "--classes", "organ=1;ghost=7,9;lesion=2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err().strip().lines()).singleElement().asString()
                .startsWith("samtune: warning: class 'ghost' (label values 7,9) has no voxels in the labels");
        assertThat(out.resolve("summary.txt")).content().contains("warning: class 'ghost'");
        assertThat(out.resolve("dataset.yaml")).content().contains("name: ghost");
    }

    private static Set<String> files(Path out) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            Set<String> r = new HashSet<>();
            s.filter(Files::isRegularFile).forEach(p -> r.add(out.relativize(p).toString()));
            return r;
        }
    }
}
