package org.samtune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.testing.Fixtures;

class SegmentationDatasetTest {
    @TempDir
    Path dir;

    private Path images;
    private Path masks;

    private void folders() throws IOException {
        images = Files.createDirectories(dir.resolve("img"));
        masks = Files.createDirectories(dir.resolve("msk"));
    }

    private static void writeGrey(Path file, int w, int h, int[] values) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int i = 0; i < w * h; i++) {
            r.setSample(i % w, i / w, 0, values[i]);
        }
        ImageIO.write(img, "png", file.toFile());
    }

    private static int[] constant(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private Path csv(String content) throws IOException {
        Path p = dir.resolve("train.csv");
        Files.writeString(p, content);
        return p;
    }

    @Test
    void readsListsConvertsTargetsAndDropsEmptySlices() throws IOException {
        folders();
        int[] grey = new int[12];
        for (int i = 0; i < 12; i++) {
            grey[i] = i * 20;
        }
        writeGrey(images.resolve("a.png"), 4, 3, grey);
        writeGrey(images.resolve("b.png"), 4, 3, grey);
        writeGrey(masks.resolve("a.png"), 4, 3, new int[] {0, 0, 1, 2, 0, 0, 2, 2, 0, 0, 0, 0});
        writeGrey(masks.resolve("b.png"), 4, 3, constant(12, 0));
        Path list = csv("a.png,/a.png\n\nb.png,b.png\n");

        SegmentationDataset multi = SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.MULTI_ALL, 3, true));
        assertThat(multi.size()).isEqualTo(1);
        assertThat(multi.droppedEmpty()).isEqualTo(1);
        Slice2D s = multi.load(0);
        assertThat(s.name()).isEqualTo("a.png");
        assertThat(s.labels()).containsExactly(0, 0, 1, 2, 0, 0, 2, 2, 0, 0, 0, 0);
        // grey replicated to RGB, values untouched (no colour-space conversion)
        assertThat(s.rgb()[3 * 5] & 0xff).isEqualTo(100);
        assertThat(s.rgb()[3 * 5 + 1] & 0xff).isEqualTo(100);
        assertThat(s.rgb()[3 * 5 + 2] & 0xff).isEqualTo(100);

        SegmentationDataset binary = SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, false));
        assertThat(binary.size()).isEqualTo(2);
        assertThat(binary.load(0).labels()).containsExactly(0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0);
        assertThat(binary.ref(1).row()).isEqualTo(3);
    }

    @Test
    void readsARealGreyPngWithItsOwnValues() {
        Path png = Fixtures.data("images2d/BrainT1Slice.png");
        int[] size = new int[2];
        byte[] rgb = SliceImages.readRgb(png, size);
        byte[] grey = SliceImages.readGrey(png, new int[2]);
        assertThat(size).containsExactly(181, 217);
        int nonZero = 0;
        for (int i = 0; i < grey.length; i++) {
            assertThat(rgb[3 * i]).isEqualTo(grey[i]);
            assertThat(rgb[3 * i + 2]).isEqualTo(grey[i]);
            nonZero += grey[i] != 0 ? 1 : 0;
        }
        assertThat(nonZero).isGreaterThan(grey.length / 4);
    }

    @Test
    void colourMaskBecomesPilLuma() throws IOException {
        folders();
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
        img.getRaster().setPixel(0, 0, new int[] {255, 0, 0});
        img.getRaster().setPixel(1, 0, new int[] {10, 200, 30});
        Path p = masks.resolve("c.png");
        ImageIO.write(img, "png", p.toFile());
        byte[] l = SliceImages.readGrey(p, new int[2]);
        assertThat(l[0] & 0xff).isEqualTo(76);  // PIL: (255·19595 + 0x8000) >> 16
        assertThat(l[1] & 0xff).isEqualTo((10 * 19595 + 200 * 38470 + 30 * 7471 + 0x8000) >> 16);
    }

    @Test
    void missingFileNamesTheListTheRowAndTheFile() throws IOException {
        folders();
        writeGrey(images.resolve("a.png"), 2, 2, constant(4, 5));
        writeGrey(masks.resolve("a.png"), 2, 2, constant(4, 1));
        Path list = csv("a.png,a.png\nmissing.png,a.png\n");
        assertThatThrownBy(() -> SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, true)))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("train.csv row 2").hasMessageContaining("missing.png").hasMessageContaining("does not exist");
    }

    @Test
    void malformedRowIsReported() throws IOException {
        folders();
        Path list = csv("a.png;a.png\n");
        assertThatThrownBy(() -> SegmentationCsv.read(list, images, masks)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("train.csv row 1").hasMessageContaining("image_path,mask_path");
    }

    @Test
    void labelAboveTheClassCountIsReported() throws IOException {
        folders();
        writeGrey(images.resolve("a.png"), 2, 2, constant(4, 5));
        writeGrey(masks.resolve("a.png"), 2, 2, new int[] {0, 255, 0, 1});
        Path list = csv("a.png,a.png\n");
        assertThatThrownBy(() -> SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.MULTI_ALL, 3, true)))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("row 1").hasMessageContaining("label 255").hasMessageContaining("num_classes is 3");
        // the same mask is fine as a binary target
        assertThat(SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, true)).size()).isEqualTo(1);
    }

    @Test
    void sizeMismatchIsReported() throws IOException {
        folders();
        writeGrey(images.resolve("a.png"), 3, 2, constant(6, 5));
        writeGrey(masks.resolve("a.png"), 2, 2, constant(4, 1));
        Path list = csv("a.png,a.png\n");
        assertThatThrownBy(() -> SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, true)))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("is 3x2 but mask").hasMessageContaining("is 2x2");
    }

    @Test
    void emptyAfterFilteringIsReported() throws IOException {
        folders();
        writeGrey(images.resolve("a.png"), 2, 2, constant(4, 5));
        writeGrey(masks.resolve("a.png"), 2, 2, constant(4, 0));
        Path list = csv("a.png,a.png\n");
        assertThatThrownBy(() -> SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, true)))
                .isInstanceOf(SamtuneException.class)
                .hasMessageContaining("train.csv").hasMessageContaining("no slices left after dropping 1");
        Path emptyList = csv("\n");
        assertThatThrownBy(() -> SegmentationDataset.open(emptyList, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, true)))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("the list is empty");
    }

    @Test
    void notAnImageIsReported() throws IOException {
        folders();
        Files.writeString(images.resolve("a.png"), "not a png");
        writeGrey(masks.resolve("a.png"), 2, 2, constant(4, 1));
        Path list = csv("a.png,a.png\n");
        assertThatThrownBy(() -> SegmentationDataset.open(list, images, masks,
                new SegmentationDataset.Options(TargetMode.COMBINE_ALL, 2, true)))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("a.png");
        assertThatThrownBy(() -> TargetMode.parse("all")).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("targets: expected one of combine_all, multi_all, got 'all'");
    }
}
