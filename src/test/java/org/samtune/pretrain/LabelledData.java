package org.samtune.pretrain;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Small labelled datasets as {@code prepare} writes them: PNG images and masks, CSV lists and a dataset.yaml.
 * Each slice holds a bright disc (class 1) and, on most slices, a square (class 2) that does not touch it.
 */
public final class LabelledData {
    private LabelledData() {}

    /** Writes {@code train.csv} ({@code nTrain} slices), {@code val.csv} ({@code nVal}) and dataset.yaml. */
    public static Path write(Path dir, int nTrain, int nVal, int size, long seed, String... classNames) throws Exception {
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("masks"));
        Random rng = new Random(seed);
        list(dir, "train", nTrain, size, rng);
        list(dir, "val", nVal, size, rng);
        StringBuilder yaml = new StringBuilder("format: 'finetune-sam 2-D slices: list lines image_rel_path,mask_rel_path'\nclasses:\n  - {index: 0, name: background}\n");
        for (int c = 0; c < classNames.length; c++) {
            yaml.append("  - {index: ").append(c + 1).append(", name: ").append(classNames[c]).append("}\n");
        }
        Files.writeString(dir.resolve("dataset.yaml"), yaml.toString());
        return dir.resolve("train.csv");
    }

    private static void list(Path dir, String name, int n, int size, Random rng) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            BufferedImage mask = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            int r = size / 8 + rng.nextInt(size / 10);
            int cx = r + 2 + rng.nextInt(size / 2 - r - 2);
            int cy = r + 2 + rng.nextInt(size - 2 * r - 4);
            int q = size / 5;
            int qx = size / 2 + 4 + rng.nextInt(size / 2 - q - 6);
            int qy = 2 + rng.nextInt(size - q - 4);
            boolean square = s % 4 != 3;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int label = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r ? 1
                            : square && x >= qx && x < qx + q && y >= qy && y < qy + q ? 2 : 0;
                    int v = 40 + rng.nextInt(30) + (label == 1 ? 150 : label == 2 ? 90 : 0);
                    img.getRaster().setSample(x, y, 0, Math.min(255, v));
                    mask.getRaster().setSample(x, y, 0, label);
                }
            }
            String file = name + "_" + s + ".png";
            ImageIO.write(img, "png", dir.resolve("images").resolve(file).toFile());
            ImageIO.write(mask, "png", dir.resolve("masks").resolve(file).toFile());
            rows.add("images/" + file + ",masks/" + file);
        }
        Files.write(dir.resolve(name + ".csv"), rows);
    }
}
