package org.samtune.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.Slice2D;
import org.samtune.inference.ClassSegmenter;
import org.samtune.train.SamplePipeline;
import org.samtune.train.TrainConfig;
import org.samtune.train.TrainedModel;

/**
 * Scores a fine-tuned model on a 2-D test list: per image and class, Dice, IoU, HD95, ASSD and NSD (pixels as
 * 1 mm). By default at each image's original resolution — the decoder's low-res logits are upsampled, cropped and
 * resized back as SAM's postprocessing does before the argmax — or, as finetune-SAM reports, at the decoder's
 * output size (256² for SAM) against the ground truth brought to that size.
 */
public final class RunEvaluator {
    private RunEvaluator() {}

    /**
     * @param lowRes       score at the decoder's output size (finetune-SAM) instead of the original size
     * @param keepEmpty    also score slices whose ground truth is empty (finetune-SAM drops them)
     */
    public record Options(Path testList, Path imageFolder, Path maskFolder, boolean lowRes, boolean keepEmpty,
                          MetricOptions metrics) {}

    /** The scores of the foreground classes 1..n and every class name (index = class; 0 is background). */
    public record Result(MetricsTable table, List<String> classNames, int images) {}

    public static Result evaluate(TrainedModel.Loaded model, Options o) {
        var c = model.config();
        SegmentationDataset data = SegmentationDataset.open(o.testList(), o.imageFolder(), o.maskFolder(),
                new SegmentationDataset.Options(c.targetMode(), c.numClasses(), !o.keepEmpty()));
        List<String> names = c.classNames();
        MetricsTable table = new MetricsTable();
        SamplePipeline pipe = model.pipeline();
        ClassSegmenter segmenter = model.segmenter();
        for (int i = 0; i < data.size(); i++) {
            Slice2D slice = data.load(i);
            SamplePipeline.Sample s = pipe.prepare(slice, false, null);
            int[] pred;
            int[] truth;
            int w;
            int h;
            if (o.lowRes()) {
                w = pipe.lowResSize();
                h = pipe.lowResSize();
                pred = segmenter.segmentLowRes(s.input());
                truth = s.lowRes();
            } else {
                w = slice.width();
                h = slice.height();
                pred = segmenter.segment(s.input());
                truth = pipe.prompts() != TrainConfig.PromptMode.NONE ? promptedTruth(s, slice) : labels(slice);
            }
            List<ClassMetrics> metrics = new ArrayList<>();
            for (int k = 1; k < c.numClasses(); k++) {
                boolean[] pk = new boolean[w * h];
                boolean[] tk = new boolean[w * h];
                for (int p = 0; p < w * h; p++) {
                    pk[p] = pred[p] == k;
                    tk[p] = truth[p] == k;
                }
                metrics.add(SegmentationMetrics.compute(pk, tk, new int[] {w, h}, new double[] {1, 1}, o.metrics()));
            }
            table.addAll(slice.name(), 0, names.subList(1, names.size()), metrics);
        }
        return new Result(table, names, data.size());
    }

    /**
     * With prompts the target is the union of the prompted components, found at the model's input size; brought
     * back to the original size with the same crop-and-resize as the logits (nearest).
     */
    private static int[] promptedTruth(SamplePipeline.Sample s, Slice2D slice) {
        int size = (int) Math.round(Math.sqrt(s.labels().length));
        int h = slice.height();
        int w = slice.width();
        int[] out = new int[h * w];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(s.validHeight() - 1, (int) ((y + 0.5) * s.validHeight() / h));
            for (int x = 0; x < w; x++) {
                int sx = Math.min(s.validWidth() - 1, (int) ((x + 0.5) * s.validWidth() / w));
                out[y * w + x] = s.labels()[sy * size + sx] & 0xff;
            }
        }
        return out;
    }

    private static int[] labels(Slice2D slice) {
        int[] out = new int[slice.labels().length];
        for (int p = 0; p < out.length; p++) {
            out[p] = slice.labels()[p] & 0xff;
        }
        return out;
    }

}
