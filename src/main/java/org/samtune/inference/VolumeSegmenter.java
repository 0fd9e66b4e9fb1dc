package org.samtune.inference;

import org.samtune.data.prepare.SliceSegmenter;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.Volume;

/**
 * A volume segmented slice by slice along one axis and stacked back onto the volume's exact grid, with a report
 * after every slice (volume prediction with ViT-B takes minutes to tens of minutes).
 */
public final class VolumeSegmenter {
    /** Told after each slice. */
    @FunctionalInterface
    public interface Progress {
        void sliceDone(int done, int total);
    }

    private VolumeSegmenter() {}

    /**
     * @param voxels the slicer's volume mapped to what the segmenter takes (e.g. 8-bit grey), in source order
     */
    public static Volume segment(VolumeSlicer slicer, float[] voxels, SliceSegmenter segmenter, Progress progress) {
        int n = slicer.sliceCount();
        int w = slicer.width();
        int h = slicer.height();
        int[][] labels = new int[n][];
        for (int s = 0; s < n; s++) {
            labels[s] = segmenter.segment(slicer.slice(voxels, s), w, h);
            if (labels[s] == null || labels[s].length != w * h) {
                throw new IllegalStateException("segmenter returned " + (labels[s] == null ? "null"
                        : labels[s].length + " labels") + " for a " + w + "×" + h + " slice");
            }
            progress.sliceDone(s + 1, n);
        }
        return slicer.stack(labels);
    }
}
