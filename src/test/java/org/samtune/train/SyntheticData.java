package org.samtune.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small labelled PNG datasets for training tests: bright discs (class 1) and squares (class 2) on noise. */
final class SyntheticData {
    private SyntheticData() {}

    /** Writes {@code n} image/mask pairs of size × size and a finetune-SAM CSV list; returns the CSV. */
    static Path write(Path dir, String listName, int n, int size, long seed) throws IOException {
        Path images = dir.resolve("images");
        Path masks = dir.resolve("masks");
        Files.createDirectories(images);
        Files.createDirectories(masks);
        Random rng = new Random(seed);
        List<String> rows = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            int cx = size / 4 + rng.nextInt(size / 2);
            int cy = size / 4 + rng.nextInt(size / 2);
            int r = size / 8 + rng.nextInt(size / 8);
            int qx = rng.nextInt(size - size / 5);
            int qy = rng.nextInt(size - size / 5);
            int q = size / 6;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int label = 0;
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                        label = 1;
                    } else if (x >= qx && x < qx + q && y >= qy && y < qy + q) {
                        label = 2;
                    }
                    int v = 40 + rng.nextInt(30) + (label == 1 ? 150 : label == 2 ? 90 : 0);
                    img.getRaster().setSample(x, y, 0, Math.min(255, v));
                    mask.getRaster().setSample(x, y, 0, label);
                }
            }
            String name = listName + "_" + s + ".png";
            ImageIO.write(img, "png", images.resolve(name).toFile());
            ImageIO.write(mask, "png", masks.resolve(name).toFile());
            rows.add("images/" + name + ",masks/" + name);
        }
        Path csv = dir.resolve(listName + ".csv");
        Files.write(csv, rows);
        return csv;
    }
}
