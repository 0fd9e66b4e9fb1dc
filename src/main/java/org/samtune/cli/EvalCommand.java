package org.samtune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.data.prepare.ClassMap;
import org.samtune.data.prepare.LabelNames;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.eval.MetricOptions;
import org.samtune.eval.MetricsTable;
import org.samtune.eval.VolumePairs;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code samtune eval}: Dice, IoU, HD95, ASSD and NSD per class, per case (and optionally per slice), with means
 * over cases. Inputs come in groups so other input modes (e.g. a 2-D run on a test list) can be added beside the
 * volume mode.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Score a run on a test list, or predicted label volumes against ground truth.",
            "Per class: Dice, IoU, HD95, ASSD and normalised surface Dice (MONAI's definitions, distances in mm",
            "from the voxel spacing). See docs/metrics.md."
        })
public final class EvalCommand implements Callable<Integer> {

    /** Volume mode: pairs of label volumes. */
    static final class VolumeInputs {
        @Option(names = "--pred", paramLabel = "PRED.nii.gz",
                description = "Predicted label volume (NIfTI). Repeat --pred/--truth for several cases.")
        List<Path> pred = new ArrayList<>();

        @Option(names = "--truth", paramLabel = "TRUTH.nii.gz",
                description = "Ground-truth label volume on the same grid, one per --pred, in the same order.")
        List<Path> truth = new ArrayList<>();
    }

    /** How labels become classes and how metrics are computed. */
    static final class MetricSettings {
        @Option(names = "--classes", paramLabel = "MAP",
                description = {"Classes: '1,2,3' (label values) or 'name=v,v;name=v' (named groups of values).",
                    "Default: every non-zero value found."})
        String classes;

        @Option(names = "--label-names", paramLabel = "FILE",
                description = {"Volume mode: names of label values, one 'value name' line each (the atlas",
                    "name-file format, e.g. AAL's aal.nii.txt), for classes not named in --classes."})
        Path labelNames;

        @Option(names = "--nsd-mm", paramLabel = "MM", defaultValue = "2",
                description = "Tolerance of the normalised surface Dice in mm (default: ${DEFAULT-VALUE}).")
        double nsdMm;

        @Option(names = "--count-empty",
                description = {"Score a class absent from the ground truth (MONAI ignore_empty=False):",
                    "Dice/IoU 1 if also absent from the prediction, else 0. Default: NaN, left out of means."})
        boolean countEmpty;

        @Option(names = "--per-slice", paramLabel = "AXIS",
                description = "Also score every axial|coronal|sagittal slice holding a class (2-D metrics).")
        String perSlice;
    }

    /** Where results go. */
    static final class Outputs {
        @Option(names = "--out", paramLabel = "metrics.csv",
                description = "Write one row per case/slice and class; the means go to <name>-means.csv.")
        Path out;
    }

    /** Run mode: a fine-tuned model on a 2-D test list. */
    static final class RunInputs {
        @Option(names = "--run", paramLabel = "RUN", description = "Run folder of `samtune train` to evaluate.")
        Path run;

        @Option(names = "--data", paramLabel = "test.csv", description = "Test list (image,mask per line, as for training).")
        Path data;

        @Option(names = "--image-folder", paramLabel = "DIR", description = "Root of the list's paths (default: the list's folder).")
        Path imageFolder;

        @Option(names = "--mask-folder", paramLabel = "DIR", description = "Root of the mask paths (default: the image folder).")
        Path maskFolder;

        @Option(names = "--weights", paramLabel = "best|last", defaultValue = "best",
                description = "Which checkpoint of the run (default: ${DEFAULT-VALUE}).")
        String weights;

        @Option(names = "--base", paramLabel = "CKPT", description = "The base checkpoint, if it moved since training.")
        Path base;

        @Option(names = "--low-res", description = "Score at the decoder's output size (finetune-SAM's 256²) instead of each image's original size.")
        boolean lowRes;

        @Option(names = "--keep-empty", description = "Also score test slices with an empty mask (finetune-SAM drops them).")
        boolean keepEmpty;
    }

    @ArgGroup(validate = false, heading = "Volume mode%n")
    VolumeInputs volumes = new VolumeInputs();

    @ArgGroup(validate = false, heading = "Run mode (2-D)%n")
    RunInputs runInputs = new RunInputs();

    @ArgGroup(validate = false, heading = "Classes and metrics%n")
    MetricSettings settings = new MetricSettings();

    @ArgGroup(validate = false, heading = "Output%n")
    Outputs outputs = new Outputs();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (runInputs.run != null || runInputs.data != null) {
            if (settings.labelNames != null) {
                throw new SamtuneException("--label-names names label values of volumes (--pred/--truth); a run's "
                        + "classes are named by the dataset.yaml beside its lists");
            }
            return evaluateRun(out);
        }
        MetricOptions options = MetricOptions.DEFAULT.withNsdToleranceMm(settings.nsdMm)
                .withIgnoreEmpty(!settings.countEmpty);
        SliceAxis axis = settings.perSlice == null ? null : SliceAxis.parse(settings.perSlice);
        ClassMap classes = settings.classes == null ? null : ClassMap.parse(settings.classes);
        Map<Integer, String> names = settings.labelNames == null ? Map.of() : LabelNames.read(settings.labelNames);
        MetricsTable table = VolumePairs.evaluate(volumes.pred, volumes.truth, classes, names, options, axis,
                w -> err.println("warning: " + w));
        err.flush();
        out.print(table.summary());
        if (outputs.out != null) {
            table.writeCsv(outputs.out);
            Path means = meansPath(outputs.out);
            table.writeMeansCsv(means);
            out.println("wrote " + outputs.out + " and " + means);
        }
        out.flush();
        return 0;
    }

    private int evaluateRun(PrintWriter out) {
        if (runInputs.run == null || runInputs.data == null) {
            throw new SamtuneException("eval: run mode needs both --run RUN and --data test.csv");
        }
        MetricOptions options = MetricOptions.DEFAULT.withNsdToleranceMm(settings.nsdMm)
                .withIgnoreEmpty(!settings.countEmpty);
        Path images = runInputs.imageFolder != null ? runInputs.imageFolder
                : runInputs.data.toAbsolutePath().getParent();
        Path masks = runInputs.maskFolder != null ? runInputs.maskFolder : images;
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            var model = org.samtune.train.TrainedModel.open(manager, runInputs.run, runInputs.weights, runInputs.base);
            var result = org.samtune.eval.RunEvaluator.evaluate(model, new org.samtune.eval.RunEvaluator.Options(
                    runInputs.data, images, masks, runInputs.lowRes, runInputs.keepEmpty, options));
            out.println("evaluated " + result.images() + " images of " + runInputs.data + " with " + model.weights()
                    + (runInputs.lowRes ? " at the decoder's output size" : " at original resolution"));
            out.print(result.table().summary());
            Path csv = outputs.out != null ? outputs.out : runInputs.run.resolve("eval-" + stem(runInputs.data) + ".csv");
            result.table().writeCsv(csv);
            Path means = meansPath(csv);
            result.table().writeMeansCsv(means);
            out.println("wrote " + csv + " and " + means);
        }
        out.flush();
        return 0;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static Path meansPath(Path out) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return out.resolveSibling(stem + "-means.csv");
    }
}
