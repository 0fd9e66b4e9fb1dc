package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.Safetensors;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.cli.Main;
import org.samtune.testing.ChildJvm;

/**
 * Outputs get the mode the umask allows (0666 less the umask for files, 0777 less it for folders), as any program's
 * files do. A JVM cannot change its own umask, so the cases with a chosen umask run in a child process started by
 * a shell that sets it; this process's own umask is read from /proc/self/status.
 */
class UmaskTest {
    @TempDir Path dir;

    /** A whole {@code samtune prepare} (PNGs, lists, dataset.yaml, summary) and each file writer, under 022. */
    @Test
    void underUmask022FilesAre0644AndFoldersAre0755() throws Exception {
        Path out = runUnder("022");
        assertModes(out, "rw-r--r--", "rwxr-xr-x");
    }

    /** Another umask gives another mode: the writers honour the umask, they do not hard-code 0644. */
    @Test
    void underUmask027FilesAre0640() throws Exception {
        Path out = runUnder("027");
        assertModes(out, "rw-r-----", "rwxr-x---");
    }

    @Test
    void inThisProcessFilesFollowItsOwnUmask() throws IOException {
        int umask = processUmask();
        Path f = dir.resolve("sub/own.txt");
        AtomicFiles.writeString(f, "x");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(mode(0666 & ~umask));
        AtomicFiles.writeString(f, "replaced");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(mode(0666 & ~umask));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("own.txt");
        }
    }

    private Path runUnder(String umask) throws Exception {
        Path work = Files.createDirectories(dir.resolve("umask" + umask));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path out = work.resolve("out");
        ChildJvm.Result r = ChildJvm.run(work, umask, Writers.class.getName(), out.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        return out;
    }

    private static void assertModes(Path out, String file, String folder) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(out)) {
            all = s.toList();
        }
        // prepare's PNGs, lists, yaml and summary, plus the other writers' files
        assertThat(all).filteredOn(Files::isRegularFile).hasSizeGreaterThan(10)
                .extracting(p -> p.getFileName().toString())
                .contains("dataset.yaml", "summary.txt", "train.csv", "t.npy", "t.safetensors", "v.nii.gz", "p.png");
        for (Path p : all) {
            String expected = Files.isDirectory(p) ? folder : file;
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                    .isEqualTo(expected);
        }
    }

    /** Reads the umask the kernel reports for this process (Linux 4.7+). */
    static int processUmask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("/proc/self/status has no Umask line");
    }

    private static Set<PosixFilePermission> mode(int bits) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwx";
        for (int i = 8; i >= 0; i--) {
            s.append((bits >> i & 1) == 1 ? rwx.charAt(2 - i % 3) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    /** The child: a real {@code samtune prepare}, then each file writer once, into args[0]. */
    public static final class Writers {
        public static void main(String[] args) throws Exception {
            Path out = Path.of(args[0]);
            Path in = Files.createDirectories(out.getParent().resolve("in"));
            float[] img = new float[16 * 12 * 6];
            float[] lab = new float[img.length];
            for (int i = 0; i < img.length; i++) {
                img[i] = (i * 31) % 200;
                lab[i] = i % 16 > 4 && i % 16 < 10 && (i / 16) % 12 > 3 ? 1 : 0;
            }
            Nifti.write(in.resolve("ct.nii.gz"), new Volume(16, 12, 6, img, Affine.diagonal(1, 1, 2)));
            Nifti.write(in.resolve("seg.nii.gz"), new Volume(16, 12, 6, lab, Affine.diagonal(1, 1, 2)));
            int code = Main.commandLine().execute("prepare", "--image", in.resolve("ct.nii.gz").toString(),
                    "--labels", in.resolve("seg.nii.gz").toString(), "--out", out.resolve("dataset").toString(),
                    "--split", "50,25,25");
            if (code != 0) {
                System.exit(code);
            }
            Path files = out.resolve("files");
            TensorData t = TensorData.ofFloats(new float[] {1, 2, 3}, new long[] {3});
            Npy.write(files.resolve("t.npy"), t);
            Safetensors.write(files.resolve("t.safetensors"), new StateDict(Map.of("t", t), "t"), Map.of());
            Nifti.write(files.resolve("v.nii.gz"), new Volume(2, 2, 2, new float[8], Affine.diagonal(1, 1, 1)));
            Images2D.writePng(files.resolve("p.png"), new Image2D(2, 2, 1, 8, new float[4]));
            AtomicFiles.writeString(files.resolve("deeper/a.txt"), "a");
            System.exit(0);
        }
    }
}
