package org.samtune.cli;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.Npy;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.prepare.Grey8;
import org.samtune.data.Rgb8;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.UInt8Image;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.inference.ClassLabels;
import org.samtune.inference.ClassSegmenter;
import org.samtune.inference.ModelInput;
import org.samtune.inference.Prompts;
import org.samtune.inference.VolumeSegmenter;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;
import org.samtune.io.VolumeFiles;
import org.samtune.model.Architectures;
import org.samtune.model.BlockOrder;
import org.samtune.model.PretrainedSam;
import org.samtune.model.Sam;
import org.samtune.model.nn.Compute;
import org.samtune.inference.SamPredictor;
import org.samtune.inference.SamSliceSegmenter;
import org.samtune.peft.Compat;
import org.samtune.report.MaskOverlay;
import org.samtune.report.TaskProgress;
import org.samtune.train.TrainConfig;
import org.samtune.train.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code samtune predict}: one 2-D image with point/box prompts (SAM's interactive predictor), or a whole volume
 * slice by slice without prompts. See docs/predict.md.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Segment an image from point/box prompts, or a volume slice by slice.",
            "2-D: the official SamPredictor pipeline, or a fine-tuned run (--run) with its own preprocessing.",
            "Volumes (NIfTI, DICOM folder): no prompts, a label volume on the input's grid, progress per slice.",
            "See docs/predict.md."
        })
public final class PredictCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "RUN",
            description = {"A fine-tuned run of `samtune train` instead of --checkpoint: its best checkpoint, base",
                "checkpoint and preprocessing, on a 2-D image or a volume. Output: class indices."})
    Path run;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "SAM / MobileSAM / finetune-SAM weights (.pth or .safetensors).")
    Path checkpoint;

    @Option(names = "--arch", paramLabel = "ARCH",
            description = "vit_b | vit_l | vit_h | vit_t. Default: read from the checkpoint; if given, must match it.")
    String arch;

    @Option(names = "--compat", paramLabel = "MODE", defaultValue = "samtune",
            description = {"samtune (official SAM's ViT block order: Meta's weights, MedSAM) or finetune-sam (the "
                    + "block order finetune-SAM trained with) (default: ${DEFAULT-VALUE}). A --run uses its own."})
    String compat;

    @Option(names = "--image", paramLabel = "IMG", required = true,
            description = {"PNG/JPEG/BMP/TIFF image, or a volume: .nii, .nii.gz, .dcm or a DICOM series folder."})
    Path image;

    @Option(names = "--point", paramLabel = "X,Y[,LABEL]",
            description = "A point in pixels of the original image; LABEL 1 foreground (default), 0 background.")
    List<String> points = new ArrayList<>();

    @Option(names = "--box", paramLabel = "X0,Y0,X1,Y1", description = "A box in pixels of the original image.")
    String box;

    @Option(names = "--multimask", description = "Predict three masks (default: one); --out keeps the best.")
    boolean multimask;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = {"2-D: the best mask as a 0/255 PNG (with --run: class indices 0..classes-1).",
                "Volume: the label volume (.nii or .nii.gz)."})
    Path out;

    @Option(names = "--logits", paramLabel = "FILE.npy",
            description = {"2-D: float32 logits (masks, H, W) at the original size, before the 0 threshold",
                "(with --run: (classes, H, W), whose argmax is --out)."})
    Path logits;

    @Option(names = "--overlay", paramLabel = "FILE.png",
            description = {"2-D: the mask (with --run: each class in its colour) over the image, with the",
                "prompts: foreground points green, background points red, boxes as green outlines."})
    Path overlay;

    @Option(names = "--axis", paramLabel = "AXIS", defaultValue = "axial",
            description = "Volume: axial | coronal | sagittal (default: ${DEFAULT-VALUE}).")
    String axis;

    @Option(names = "--window", paramLabel = "PRESET|L,W",
            description = {"Volume: CT window, as in prepare (preset or level,width in HU).",
                "Default: per-volume percentiles 0.5–99.5 mapped to 0..255."})
    String window;

    @Option(names = "--decoder-output", paramLabel = "MODE",
            description = {"Volume: classes (finetune-SAM: argmax over class channels) or best-mask (plain SAM:",
                "highest-IoU mask without a prompt → label 1). Default: classes unless the decoder has SAM's 3",
                "outputs."})
    String decoderOutput;

    @Option(names = "--image-size", paramLabel = "S",
            description = {"Model input side, a multiple of 16 (vit_b/l/h): a checkpoint made for another size is",
                "converted as finetune-SAM's load_from does. Default: the checkpoint's (with --run: the run's)."})
    Integer imageSize;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        compute.apply();
        boolean volume = VolumeFiles.isVolume(image);
        if (run != null && checkpoint != null) {
            throw new SamtuneException("predict: give --run RUN or --checkpoint CKPT, not both (a run names its own "
                    + "base checkpoint)");
        }
        if (run == null && checkpoint == null) {
            throw new SamtuneException("predict needs --checkpoint CKPT or --run RUN");
        }
        BlockOrder order = Compat.parse(compat, "--compat").quirks().blockOrder();
        if (arch != null) {
            Architectures.forCheckpoint(arch, "--arch").requireSam("predict");
        }
        if (volume) {
            return predictVolume(order);
        }
        return run != null ? predictImageWithRun() : predictImage(order);
    }

    private void checkImageOutputs() {
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new SamtuneException("--out " + out + ": a 2-D mask is written as PNG (name ending in .png)");
        }
        if (overlay != null && !overlay.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new SamtuneException("--overlay " + overlay + ": expected a name ending in .png");
        }
        if (logits != null && !logits.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            throw new SamtuneException("--logits " + logits + ": expected a name ending in .npy");
        }
    }

    /** The --point values as x0, y0, x1, y1, … in original pixels (null without points). */
    private double[] pointCoords(int w, int h) {
        if (points.isEmpty()) {
            return null;
        }
        double[] xy = new double[2 * points.size()];
        for (int i = 0; i < points.size(); i++) {
            double[] p = parsePoint(points.get(i), w, h);
            xy[2 * i] = p[0];
            xy[2 * i + 1] = p[1];
        }
        return xy;
    }

    /** The --point labels (null without points). */
    private int[] pointLabels(int w, int h) {
        if (points.isEmpty()) {
            return null;
        }
        int[] labels = new int[points.size()];
        for (int i = 0; i < points.size(); i++) {
            labels[i] = (int) parsePoint(points.get(i), w, h)[2];
        }
        return labels;
    }

    private int predictImage(BlockOrder order) {
        checkImageOutputs();
        UInt8Image rgb = Rgb8.of(Images2D.read(image));
        int w = rgb.width();
        int h = rgb.height();
        double[] xy = pointCoords(w, h);
        int[] labels = pointLabels(w, h);
        double[] b = box == null ? null : parseBox(box, w, h);

        PrintWriter o = spec.commandLine().getOut();
        try (NDManager manager = Compute.newManager()) {
            Sam sam = PretrainedSam.load(manager, checkpoint, arch, order, imageSize == null ? 0 : imageSize);
            SamPredictor.Prediction p;
            try (SamPredictor predictor = new SamPredictor(sam)) {
                predictor.setImage(rgb);
                p = predictor.predict(xy, labels, b, null, multimask);
            }
            int best = p.best();
            byte[] mask = p.binary(best);
            float[] png = new float[mask.length];
            int area = 0;
            for (int i = 0; i < mask.length; i++) {
                png[i] = mask[i] * 255f;
                area += mask[i];
            }
            if (logits != null) {
                Npy.write(logits, TensorData.ofFloats(p.masks(), p.numMasks(), h, w));
            }
            if (overlay != null) {
                Images2D.writePng(overlay, MaskOverlay.draw(rgb, mask, xy, labels, b));
            }
            Images2D.writePng(out, new Image2D(w, h, 1, 8, png));
            StringBuilder line = new StringBuilder("iou:");
            for (float v : p.iou()) {
                line.append(String.format(Locale.ROOT, " %.6f", v));
            }
            o.println(line);
            o.printf(Locale.ROOT, "mask: %s (mask %d of %d, %d of %d pixels)%n", out, best, p.numMasks(), area,
                    w * h);
            o.flush();
        }
        return 0;
    }

    /**
     * A fine-tuned run on one image: the run's preprocessing, its prompts (required and mapped into the input frame
     * when the run was trained with them), the class logits back at the image size, the argmax.
     */
    private int predictImageWithRun() {
        checkImageOutputs();
        if (multimask) {
            throw new SamtuneException("--multimask: a run's decoder gives one channel per class, there is no mask "
                    + "to choose; leave it out");
        }
        UInt8Image rgb = Rgb8.of(Images2D.read(image));
        int w = rgb.width();
        int h = rgb.height();
        double[] xy = pointCoords(w, h);
        int[] pointLabels = pointLabels(w, h);
        double[] b = box == null ? null : parseBox(box, w, h);
        PrintWriter o = spec.commandLine().getOut();
        try (NDManager manager = Compute.newManager()) {
            TrainedModel.Loaded model = TrainedModel.open(manager, run, "best", null,
                    imageSize == null ? 0 : imageSize);
            requirePromptsOfRun(model.config().promptMode(), xy != null, b != null);
            ModelInput in = model.input(rgb);
            if (xy != null || b != null) {
                in = new ModelInput(in.image(), in.size(), in.validHeight(), in.validWidth(), h, w,
                        Prompts.fromOriginal(xy, pointLabels, b, h, w, in.validHeight(), in.validWidth()));
            }
            ClassSegmenter segmenter = model.segmenter();
            int classes = segmenter.classes();
            float[] classLogits = segmenter.logits(in);
            int[] labels = ClassLabels.argmax(classLogits, classes, h * w);
            if (logits != null) {
                Npy.write(logits, TensorData.ofFloats(classLogits, classes, h, w));
            }
            if (overlay != null) {
                Images2D.writePng(overlay, MaskOverlay.drawLabels(rgb, labels, xy, pointLabels, b));
            }
            float[] png = new float[labels.length];
            long[] count = new long[classes];
            for (int i = 0; i < labels.length; i++) {
                png[i] = labels[i];
                count[labels[i]]++;
            }
            Images2D.writePng(out, new Image2D(w, h, 1, 8, png));
            StringBuilder perClass = new StringBuilder();
            for (int k = 1; k < classes; k++) {
                perClass.append(k == 1 ? "" : ", ").append(k).append(": ").append(count[k]);
            }
            o.printf(Locale.ROOT, "labels: %s (run %s, class indices 0..%d; pixels per class %s of %d)%n", out, run,
                    classes - 1, perClass, w * h);
            o.flush();
        }
        return 0;
    }

    /** A run trained with boxes needs --box, with points --point; an automatic run takes neither. */
    private void requirePromptsOfRun(TrainConfig.PromptMode mode, boolean hasPoints, boolean hasBox) {
        switch (mode) {
            case NONE -> {
                if (hasPoints || hasBox) {
                    throw new SamtuneException("--point/--box: run " + run + " was trained without prompts (one "
                            + "channel per class); it segments the image without them");
                }
            }
            case BOX -> {
                if (!hasBox || hasPoints) {
                    throw new SamtuneException("run " + run + " was trained with box prompts: give one --box "
                            + "X0,Y0,X1,Y1 (and no --point)");
                }
            }
            case POINT -> {
                if (!hasPoints || hasBox) {
                    throw new SamtuneException("run " + run + " was trained with point prompts: give --point X,Y "
                            + "(and no --box)");
                }
            }
        }
    }

    private int predictVolume(BlockOrder order) {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".nii") && !name.endsWith(".nii.gz")) {
            throw new SamtuneException("--out " + out + ": a label volume is written as NIfTI (.nii or .nii.gz)");
        }
        if (!points.isEmpty() || box != null || logits != null || overlay != null || multimask) {
            throw new SamtuneException("predict on a volume (" + image + ") takes no --point, --box, --multimask, "
                    + "--logits or --overlay: slices are segmented without prompts");
        }
        SliceAxis sliceAxis = SliceAxis.parse(axis);
        Grey8 grey = Grey8.parse(window);
        Volume vol = VolumeFiles.read(image);
        PrintWriter o = spec.commandLine().getOut();
        if (run != null) {
            return predictVolumeWithRun(vol, sliceAxis, grey, o);
        }
        try (NDManager manager = Compute.newManager()) {
            Sam sam = PretrainedSam.load(manager, checkpoint, arch, order, imageSize == null ? 0 : imageSize);
            SamSliceSegmenter.Mode mode = decoderOutput == null ? SamSliceSegmenter.defaultMode(sam)
                    : switch (decoderOutput.toLowerCase(Locale.ROOT)) {
                        case "classes" -> SamSliceSegmenter.Mode.CLASSES;
                        case "best-mask", "best_mask" -> SamSliceSegmenter.Mode.BEST_MASK;
                        default -> throw new SamtuneException("--decoder-output: expected classes or best-mask, got '"
                                + decoderOutput + "'");
                    };
            SamSliceSegmenter segmenter = new SamSliceSegmenter(sam, mode);
            float[] voxels = grey.apply(vol.data());
            VolumeSlicer slicer = new VolumeSlicer(vol, sliceAxis);
            Volume labels = VolumeSegmenter.segment(slicer, voxels, segmenter, progress(o, sliceAxis));
            Nifti.writeLabels(out, vol, labels.data());
            int max = 0;
            long nonZero = 0;
            for (float v : labels.data()) {
                max = Math.max(max, (int) v);
                nonZero += v != 0 ? 1 : 0;
            }
            o.printf(Locale.ROOT, "labels: %s (%s, %d %s slices of %d×%d, labels 0..%d of 0..%d, %d non-zero voxels)%n",
                    out, mode == SamSliceSegmenter.Mode.CLASSES ? "classes" : "best-mask", slicer.sliceCount(),
                    sliceAxis.label(), slicer.width(), slicer.height(), max, segmenter.maxLabel(), nonZero);
            o.flush();
        }
        return 0;
    }

    /** A run's model on every slice, with the run's own preprocessing (as `eval --run`). */
    private int predictVolumeWithRun(Volume vol, SliceAxis sliceAxis, Grey8 grey, PrintWriter o) {
        try (NDManager manager = Compute.newManager()) {
            var model = TrainedModel.open(manager, run, "best", null, imageSize == null ? 0 : imageSize);
            if (model.config().promptMode() != TrainConfig.PromptMode.NONE) {
                throw new SamtuneException(run + ": trained with " + model.config().promptMode().id()
                        + " prompts; volume prediction segments without prompts (train with --prompt none)");
            }
            VolumeSlicer slicer = new VolumeSlicer(vol, sliceAxis);
            Volume labels = VolumeSegmenter.segment(slicer, grey.apply(vol.data()),
                    model.segmenter().forSlices(model::input), progress(o, sliceAxis));
            Nifti.writeLabels(out, vol, labels.data());
            long nonZero = 0;
            for (float v : labels.data()) {
                nonZero += v != 0 ? 1 : 0;
            }
            o.printf(Locale.ROOT, "labels: %s (run %s, %d %s slices of %d×%d, classes 0..%d, %d non-zero voxels)%n",
                    out, run, slicer.sliceCount(), sliceAxis.label(), slicer.width(), slicer.height(),
                    model.config().numClasses() - 1, nonZero);
            o.flush();
        }
        return 0;
    }

    /** done/total slices with an ETA: redrawn on a terminal, a line at least every 30 s otherwise. */
    private static VolumeSegmenter.Progress progress(PrintWriter o, SliceAxis axis) {
        TaskProgress p = TaskProgress.of(o, "predict: " + axis.label() + " slice");
        return p::update;
    }

    /** "X,Y" or "X,Y,LABEL" inside a w × h image; returns {x, y, label}. */
    static double[] parsePoint(String text, int w, int h) {
        double[] v = numbers("--point", text, "X,Y[,LABEL]");
        if (v.length != 2 && v.length != 3) {
            throw new SamtuneException("--point '" + text + "': expected X,Y or X,Y,LABEL");
        }
        double label = v.length == 3 ? v[2] : 1;
        if (label != 0 && label != 1) {
            throw new SamtuneException("--point '" + text + "': LABEL must be 1 (foreground) or 0 (background)");
        }
        if (!(v[0] >= 0 && v[0] < w && v[1] >= 0 && v[1] < h)) {
            throw new SamtuneException("--point '" + text + "' is outside the image (" + w + "×" + h
                    + " pixels: 0 ≤ X < " + w + ", 0 ≤ Y < " + h + ")");
        }
        return new double[] {v[0], v[1], label};
    }

    /** "X0,Y0,X1,Y1" with X0 ≤ X1, Y0 ≤ Y1 inside [0, w] × [0, h]. */
    static double[] parseBox(String text, int w, int h) {
        double[] v = numbers("--box", text, "X0,Y0,X1,Y1");
        if (v.length != 4) {
            throw new SamtuneException("--box '" + text + "': expected X0,Y0,X1,Y1");
        }
        if (v[2] < v[0] || v[3] < v[1]) {
            throw new SamtuneException("--box '" + text + "': expected X0 ≤ X1 and Y0 ≤ Y1 (top-left corner first)");
        }
        if (!(v[0] >= 0 && v[1] >= 0 && v[2] <= w && v[3] <= h)) {
            throw new SamtuneException("--box '" + text + "' is outside the image (" + w + "×" + h
                    + " pixels: 0 ≤ X ≤ " + w + ", 0 ≤ Y ≤ " + h + ")");
        }
        return v;
    }

    private static double[] numbers(String option, String text, String form) {
        String[] f = text.split(",", -1);
        double[] v = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            try {
                v[i] = Double.parseDouble(f[i].trim());
            } catch (NumberFormatException e) {
                throw new SamtuneException(option + " '" + text + "': expected numbers " + form);
            }
            if (!Double.isFinite(v[i])) {
                throw new SamtuneException(option + " '" + text + "': expected finite numbers " + form);
            }
        }
        return v;
    }
}
