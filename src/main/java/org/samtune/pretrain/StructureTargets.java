package org.samtune.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.samtune.SamtuneException;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.SliceImages;
import org.samtune.data.SliceRef;
import org.samtune.data.Slice2D;
import org.samtune.data.TargetMode;
import org.samtune.train.SamplePipeline;

/**
 * The binary targets of one labelled dataset, MedSAM-style: every structure (class index) present in a slice is
 * its own target, the rest of the slice is background, and its prompt (a box or points, {@code train --prompt}'s
 * sampler and jitter) is drawn from that structure alone; a slice with three structures gives three targets. The
 * masks are read once when the dataset is opened; images are decoded when a target is prepared.
 */
public final class StructureTargets {
    private final String name;
    private final SegmentationDataset slices;
    private final List<String> classNames;
    // target t is class classOf[t] of slice sliceOf[t]
    private final int[] sliceOf;
    private final int[] classOf;

    private StructureTargets(String name, SegmentationDataset slices, List<String> classNames, int[] sliceOf,
                             int[] classOf) {
        this.name = name;
        this.slices = slices;
        this.classNames = classNames;
        this.sliceOf = sliceOf;
        this.classOf = classOf;
    }

    /**
     * Opens {@code list} (paths relative to its folder) with the classes {@code classNames} declares (background
     * first): a mask value outside them stops with one line naming the list, the mask and the dataset.yaml.
     */
    public static StructureTargets open(String name, java.nio.file.Path list, List<String> classNames,
                                        java.nio.file.Path datasetYaml) {
        SegmentationDataset ds;
        try {
            java.nio.file.Path home = list.toAbsolutePath().getParent();
            ds = SegmentationDataset.open(list, home, home,
                    new SegmentationDataset.Options(TargetMode.MULTI_ALL, classNames.size(), true));
        } catch (SamtuneException e) {
            throw new SamtuneException(e.getMessage() + " (" + datasetYaml + " declares " + classNames.size()
                    + " classes: " + String.join(", ", classNames) + ")", e);
        }
        List<Integer> sliceList = new ArrayList<>();
        List<Integer> classList = new ArrayList<>();
        for (int s = 0; s < ds.size(); s++) {
            SliceRef ref = ds.ref(s);
            byte[] labels = SliceImages.readGrey(ref.mask(), new int[2]);
            boolean[] present = new boolean[classNames.size()];
            for (byte b : labels) {
                present[b & 0xff] = true;
            }
            for (int c = 1; c < present.length; c++) {
                if (present[c]) {
                    sliceList.add(s);
                    classList.add(c);
                }
            }
        }
        return new StructureTargets(name, ds, classNames, sliceList.stream().mapToInt(Integer::intValue).toArray(),
                classList.stream().mapToInt(Integer::intValue).toArray());
    }

    public String name() {
        return name;
    }

    /** Targets: (slice, structure) pairs. */
    public int size() {
        return sliceOf.length;
    }

    /** Slices with at least one structure. */
    public int slices() {
        return slices.size();
    }

    /** The list row and the class of target {@code t}, for tests and logs. */
    public SliceRef ref(int t) {
        return slices.ref(sliceOf[t]);
    }

    public int classOf(int t) {
        return classOf[t];
    }

    public String className(int t) {
        return classNames.get(classOf[t]);
    }

    /** Target {@code t} as a binary slice: its structure 1, everything else 0. */
    public Slice2D binary(int t) {
        Slice2D s = slices.load(sliceOf[t]);
        byte[] labels = s.labels();
        byte[] out = new byte[labels.length];
        byte c = (byte) classOf[t];
        for (int i = 0; i < labels.length; i++) {
            out[i] = (byte) (labels[i] == c ? 1 : 0);
        }
        // the name seeds validation's prompts: each structure of a slice gets its own
        return new Slice2D(s.name() + "#" + classNames.get(classOf[t]), s.width(), s.height(), s.rgb(), out);
    }

    /** Target {@code t} through {@code pipeline} (augmented and prompted with {@code rng} when training). */
    public SamplePipeline.Sample sample(SamplePipeline pipeline, int t, boolean train, Random rng) {
        return pipeline.prepare(binary(t), train, rng);
    }
}
