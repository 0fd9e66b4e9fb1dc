package org.samtune.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;

/**
 * A 2-D segmentation dataset from a finetune-SAM list file (spec §3.3–3.4).
 *
 * <p>Construction reads every mask once: it converts labels with the target mode, checks them against the number
 * of classes, checks that image and mask have the same size, and (by default, like the reference's
 * {@code delete_empty_masks=True}) drops slices whose mask has no foreground. Images are decoded on
 * {@link #load(int)}.
 */
public final class SegmentationDataset {
    private final List<SliceRef> slices;
    private final Options options;
    private final int dropped;

    /** What the reference's dataset class is configured with. */
    public record Options(TargetMode targets, int numClasses, boolean dropEmpty) {
        public Options {
            if (numClasses < 2) {
                throw new SamtuneException("num_classes: expected at least 2 (background + one structure), got " + numClasses);
            }
        }
    }

    private SegmentationDataset(List<SliceRef> slices, Options options, int dropped) {
        this.slices = List.copyOf(slices);
        this.options = options;
        this.dropped = dropped;
    }

    public static SegmentationDataset open(Path csv, Path imageFolder, Path maskFolder, Options options) {
        List<SliceRef> kept = new ArrayList<>();
        int dropped = 0;
        for (SliceRef ref : SegmentationCsv.read(csv, imageFolder, maskFolder)) {
            int[] maskSize = new int[2];
            byte[] labels = options.targets().labels(SliceImages.readGrey(ref.mask(), maskSize));
            int[] imageSize = SliceImages.size(ref.image());
            if (imageSize[0] != maskSize[0] || imageSize[1] != maskSize[1]) {
                throw new SamtuneException(ref.where() + ": image " + ref.image() + " is " + imageSize[0] + "x"
                        + imageSize[1] + " but mask " + ref.mask() + " is " + maskSize[0] + "x" + maskSize[1]
                        + "; expected the same size");
            }
            int max = 0;
            for (byte b : labels) {
                max = Math.max(max, b & 0xff);
            }
            if (max >= options.numClasses()) {
                throw new SamtuneException(ref.where() + ": mask " + ref.mask() + " has label " + max + " but num_classes is "
                        + options.numClasses() + " (labels must be 0.." + (options.numClasses() - 1) + " with targets "
                        + options.targets().id() + ")");
            }
            if (options.dropEmpty() && max == 0) {
                dropped++;
                continue;
            }
            kept.add(ref);
        }
        if (kept.isEmpty()) {
            throw new SamtuneException(csv + ": no slices left" + (dropped > 0 ? " after dropping " + dropped
                    + " slices with an empty mask" : " (the list is empty)"));
        }
        return new SegmentationDataset(kept, options, dropped);
    }

    /** The slices whose image file is one of {@code images} (a few-shot draw), in list order. */
    public SegmentationDataset only(java.util.Set<Path> images) {
        List<SliceRef> kept = slices.stream().filter(s -> images.contains(s.image())).toList();
        if (kept.isEmpty()) {
            throw new SamtuneException("few-shot: none of the " + images.size() + " drawn slices has a non-empty "
                    + "mask (the list's other slices were not drawn)");
        }
        return new SegmentationDataset(kept, options, dropped);
    }

    public int size() {
        return slices.size();
    }

    public SliceRef ref(int index) {
        return slices.get(index);
    }

    public List<SliceRef> refs() {
        return slices;
    }

    /** How many slices of the list were dropped for an empty mask. */
    public int droppedEmpty() {
        return dropped;
    }

    public Options options() {
        return options;
    }

    /** Decodes slice {@code index}: RGB image and class labels. */
    public Slice2D load(int index) {
        SliceRef ref = slices.get(index);
        int[] imageSize = new int[2];
        byte[] rgb = SliceImages.readRgb(ref.image(), imageSize);
        int[] maskSize = new int[2];
        byte[] labels = options.targets().labels(SliceImages.readGrey(ref.mask(), maskSize));
        if (imageSize[0] != maskSize[0] || imageSize[1] != maskSize[1]) {
            throw new SamtuneException(ref.where() + ": image and mask sizes differ (" + imageSize[0] + "x" + imageSize[1]
                    + " vs " + maskSize[0] + "x" + maskSize[1] + ")");
        }
        return new Slice2D(ref.name(), imageSize[0], imageSize[1], rgb, labels);
    }
}
