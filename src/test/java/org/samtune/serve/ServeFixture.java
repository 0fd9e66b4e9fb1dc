package org.samtune.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import org.samtune.io.Affine;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;
import org.samtune.testing.Fixtures;

/** A root folder with a small oblique-free but flipped-axis CT-like volume, and a server on it (tiny SAM). */
final class ServeFixture {
    static final Path TINY_SAM = Fixtures.file("sam-tiny", "tiny_sam.pth");

    private ServeFixture() {}

    /**
     * 40×32×12 voxels, spacing 0.8×0.9×2.5 mm, stored LPS-like (x and y axes flipped in the affine) so that the
     * slicer's reorientation is exercised; a bright ellipse (400 HU) in a −50 HU background with a ramp.
     */
    static Path writeVolume(Path root, String name) throws Exception {
        int nx = 40;
        int ny = 32;
        int nz = 12;
        float[] d = new float[nx * ny * nz];
        for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    double e = Math.pow((i - 22) / 9.0, 2) + Math.pow((j - 14) / 7.0, 2);
                    d[i + nx * (j + ny * k)] = (float) (e < 1 ? 400 - 30 * e : -50 + 2 * i + j + k);
                }
            }
        }
        double[] m = {
            -0.8, 0, 0, 15.5,
            0, -0.9, 0, 12.25,
            0, 0, 2.5, -30,
            0, 0, 0, 1};
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Nifti.write(p, new Volume(nx, ny, nz, d, new Affine(m)));
        return p;
    }

    static SamtuneServer start(Path root, Path checkpoint) {
        SamtuneServer s = new SamtuneServer(new ServeOptions(root, "127.0.0.1", 0, checkpoint, null, 4L << 20, 4, 3));
        s.start();
        return s;
    }
}
