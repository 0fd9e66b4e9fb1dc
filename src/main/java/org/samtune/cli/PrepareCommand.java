package org.samtune.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.data.prepare.ClassMap;
import org.samtune.data.DatasetFolder;
import org.samtune.data.prepare.Grey8;
import org.samtune.data.prepare.LabelNames;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.prepare.SliceDatasetWriter;
import org.samtune.data.prepare.SplitPlanner;
import org.samtune.io.VolumeFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code samtune prepare}: image + label volumes (NIfTI files or DICOM series folders) → a finetune-SAM 2-D
 * dataset (PNG slices, train/val/test lists, dataset.yaml, summary).
 */
@Command(
        name = "prepare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Slice NIfTI / DICOM volumes and their labels into a 2-D training set.",
            "Writes 8-bit image PNGs, class-index mask PNGs, finetune-SAM train/val/test lists without leakage",
            "between neighbouring slices, dataset.yaml and a summary. See docs/prepare.md."
        })
public final class PrepareCommand implements Callable<Integer> {

    static final class Inputs {
        @Option(names = "--image", paramLabel = "IMG", required = true,
                description = "Image volume: NIfTI file, DICOM series folder or .dcm file. Repeat for several cases.")
        List<Path> images = new ArrayList<>();

        @Option(names = "--labels", paramLabel = "LAB", required = true,
                description = "Label volume on the image's grid, one per --image, in the same order.")
        List<Path> labels = new ArrayList<>();

        @Option(names = "--out", paramLabel = "DIR", required = true,
                description = "Output folder: new or empty (see --overwrite).")
        Path out;

        @Option(names = "--overwrite",
                description = {"Replace the dataset a previous prepare wrote in --out: deletes only its lists,",
                    "dataset.yaml, summary.txt and slice PNGs, and names any other file it leaves."})
        boolean overwrite;
    }

    static final class Slicing {
        @Option(names = "--axis", paramLabel = "AXIS", defaultValue = "axial",
                description = "axial | coronal | sagittal, on the RAS-reoriented grid (default: ${DEFAULT-VALUE}).")
        String axis;

        @Option(names = "--classes", paramLabel = "MAP",
                description = {"Label values → classes: 'caudate=71,72;putamen=73,74' or '1,2,3'.",
                    "Values not listed are background. Default: one class per non-zero value."})
        String classes;

        @Option(names = "--label-names", paramLabel = "FILE",
                description = "Names of label values ('index name' lines, e.g. AAL's aal.nii.txt) for dataset.yaml.")
        Path labelNames;

        @Option(names = "--keep-empty",
                description = "Also write slices without any class voxel (default: only slices holding a class).")
        boolean keepEmpty;
    }

    static final class IntensityOptions {
        @Option(names = "--window", paramLabel = "PRESET|L,W",
                description = {"CT window, a preset name or level,width in HU (e.g. brain or 40,80).",
                    "Default: per-volume percentiles 0.5–99.5 mapped min–max to 0..255."})
        String window;
    }

    static final class Splitting {
        @Option(names = "--split", paramLabel = "TR,VA,TE", defaultValue = "70,15,15",
                description = "Train, val, test proportions (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--gap", paramLabel = "N", defaultValue = "0",
                description = "Slices dropped between two slabs of one case (default: ${DEFAULT-VALUE}).")
        int gap;

        @Option(names = "--block", paramLabel = "N", defaultValue = "0",
                description = {"One case: cut its slices into blocks of N and deal the blocks out to the splits,",
                    "so each split spans the whole structure (default 0: three contiguous slabs)."})
        int block;

        @Option(names = "--shots", paramLabel = "K", description = "Also write train_Kshot.csv: K training slices.")
        Integer shots;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
                description = "Seed for case shuffling and the few-shot draw (default: ${DEFAULT-VALUE}).")
        long seed;
    }

    @ArgGroup(validate = false, heading = "Inputs and output%n")
    Inputs inputs = new Inputs();

    @ArgGroup(validate = false, heading = "Slices and classes%n")
    Slicing slicing = new Slicing();

    @ArgGroup(validate = false, heading = "Intensity%n")
    IntensityOptions intensity = new IntensityOptions();

    @ArgGroup(validate = false, heading = "Splits%n")
    Splitting splitting = new Splitting();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (inputs.images.size() != inputs.labels.size()) {
            throw new SamtuneException("prepare: expected one --labels per --image, got " + inputs.images.size()
                    + " --image and " + inputs.labels.size() + " --labels");
        }
        SliceAxis axis = SliceAxis.parse(slicing.axis);
        SplitPlanner.Fractions fractions = SplitPlanner.Fractions.parse(splitting.split);
        Map<Integer, String> names = slicing.labelNames == null ? Map.of() : LabelNames.read(slicing.labelNames);
        Grey8 window = Grey8.parse(intensity.window);
        for (Path left : DatasetFolder.claim(inputs.out, inputs.overwrite)) {
            spec.commandLine().getErr().println("samtune: warning: --overwrite left " + left
                    + " (not written by prepare)");
        }

        List<SliceDatasetWriter.Case> cases = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int c = 0; c < inputs.images.size(); c++) {
            Path img = inputs.images.get(c);
            Path lab = inputs.labels.get(c);
            // volumes are read when needed, so a long list of cases is never all in memory
            cases.add(new SliceDatasetWriter.Case(caseId(img, ids), img.toString(), lab.toString(),
                    () -> VolumeFiles.read(img), () -> VolumeFiles.read(lab)));
        }
        ClassMap classes;
        if (slicing.classes != null) {
            classes = ClassMap.parse(slicing.classes);
        } else {
            Set<Integer> values = new TreeSet<>();
            for (Path lab : inputs.labels) {
                values.addAll(ClassMap.nonZeroValues(VolumeFiles.read(lab).data()));
            }
            classes = ClassMap.fromValueSet(values);
        }
        if (slicing.classes == null && !names.isEmpty()) {
            classes = classes.withNames(names);
        }
        int shots = splitting.shots == null ? 0 : splitting.shots;
        if (splitting.shots != null && shots <= 0) {
            throw new SamtuneException("--shots: expected a positive number of slices, got " + shots);
        }
        SliceDatasetWriter.Options options = new SliceDatasetWriter.Options(axis, classes, window, fractions,
                splitting.gap, shots, splitting.seed, slicing.keepEmpty, names, splitting.block);
        SliceDatasetWriter.Result result = SliceDatasetWriter.write(cases, inputs.out, options);
        result.warnings().forEach(w -> spec.commandLine().getErr().println("samtune: warning: " + w));
        spec.commandLine().getOut().print(result.summary());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String caseId(Path source, Set<String> taken) {
        String name = source.toAbsolutePath().normalize().getFileName().toString()
                .replaceFirst("(?i)(\\.nii\\.gz|\\.nii|\\.dcm)$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
        String id = name;
        for (int k = 2; !taken.add(id); k++) {
            id = name + "_" + k;
        }
        return id;
    }
}
