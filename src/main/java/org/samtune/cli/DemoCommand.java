package org.samtune.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code samtune demo}: the whole job on the bundled data, as three ordinary verbs — prepare a five-structure
 * brain dataset from the Colin27 MRI and its AAL atlas, train, and evaluate on the held-out slices.
 *
 * <p>Without a checkpoint it trains the compact SAM-architecture model from random weights (no pretrained weights
 * exist offline). With {@code --checkpoint sam_vit_b_01ec64.pth} (or {@code mobile_sam.pt}) it starts from real
 * SAM and uses the study's best recipe: adapters in encoder and decoder.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole job on the bundled brain MRI: prepare, train, evaluate.",
                "Prepares the Colin27 + AAL dataset (caudate, putamen, pallidum, thalamus, hippocampus), trains, and",
                "evaluates on held-out axial slices. Each step is printed as the samtune command it runs."})
public final class DemoCommand implements Callable<Integer> {

    static final String CLASSES = "caudate=71,72;putamen=73,74;pallidum=75,76;thalamus=77,78;hippocampus=37,38";
    /** Training epochs of the compact model. */
    static final int EPOCHS = 150;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "demo folder (default: runs/demo-<time>)")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "start from real SAM weights (study's best recipe: adapters in encoder and decoder)")
    Path checkpoint;

    @Option(names = "--epochs", description = "training epochs (default 150 for the compact model, 20 from a checkpoint, 60 per cell with --study or --setup all)")
    Integer epochs;

    @Option(names = "--data", paramLabel = "DIR", description = "folder with ch2.nii.gz, aal.nii.gz, aal.nii.txt (default: the bundled data/colin27)")
    Path data;

    @Option(names = "--seed", defaultValue = "0", description = "seed (default ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Option(names = "--study", description = "instead of one run: a small study (compact SAM strategies and the U-Nets, 2 seeds) with its report")
    boolean study;

    @Option(names = "--setup", paramLabel = "1|2|3|all", description = {"the study's start (docs/setups.md): 1 random weights (the default demo), 2 pretrain prompts on other AAL regions first, 3 pretrain mae on unlabelled slices first;",
            "all: both pretraining runs, then a study of the three starts x full data and 5 shots x 3 seeds with its report"})
    String setup;

    @Option(names = "--shots", paramLabel = "K", description = "fine-tune on K training slices (train --shots)")
    Integer shots;

    @Option(names = "--pretrain-epochs", paramLabel = "N", description = "epochs of the pretraining run of --setup 2"
            + " or 3 (default " + DemoSetups.PROMPT_EPOCHS + " for prompts, " + DemoSetups.MAE_EPOCHS + " for mae)")
    Integer pretrainEpochs;

    @Override
    public Integer call() {
        if (setup != null && !List.of("1", "2", "3", "all").contains(setup)) {
            throw new SamtuneException("--setup: expected 1, 2, 3 or all, got '" + setup + "'");
        }
        if (setup != null && study) {
            throw new SamtuneException("--setup and --study: choose one (--setup all runs the setups' study)");
        }
        compute.apply();
        Path colin = data != null ? data : home().resolve("data").resolve("colin27");
        for (String f : List.of("ch2.nii.gz", "aal.nii.gz", "aal.nii.txt")) {
            if (!Files.isRegularFile(colin.resolve(f))) {
                throw new SamtuneException(colin.resolve(f) + ": demo data not found (pass --data DIR)");
            }
        }
        Path dir = out != null ? out : Path.of("runs", "demo-" + java.time.LocalDateTime.now().format(
                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd_HHmmss")));
        Path dataset = dir.resolve("dataset");
        Path run = dir.resolve("run");
        long t0 = System.nanoTime();

        List<String> prepare = new ArrayList<>(List.of("prepare", "--image", colin.resolve("ch2.nii.gz").toString(),
                "--labels", colin.resolve("aal.nii.gz").toString(), "--out", dataset.toString(),
                "--axis", "axial", "--classes", CLASSES, "--label-names", colin.resolve("aal.nii.txt").toString(),
                "--split", "60,20,20", "--block", "4", "--gap", "1", "--seed", Long.toString(seed)));
        if ("all".equals(setup)) {
            prepare.addAll(List.of("--shots", Integer.toString(DemoSetups.SHOTS))); // the comparison's 5-shot column
        }
        int rc = step(prepare.toArray(String[]::new));
        if (rc != 0) {
            return rc;
        }
        if (study) {
            Path plan = dir.resolve("plan.yaml");
            String text = org.samtune.study.DemoStudyPlan.text("dataset",
                    epochs != null ? epochs : org.samtune.study.DemoStudyPlan.EPOCHS, seed);
            org.samtune.io.AtomicFiles.writeString(plan, text);
            System.out.println();
            System.out.println("# " + plan + ":");
            System.out.print(text);
            List<String> studyArgs = new ArrayList<>(List.of("study", "--plan", plan.toString(), "--out",
                    dir.resolve("study").toString()));
            studyArgs.addAll(compute.flags());
            rc = step(studyArgs.toArray(String[]::new));
            System.out.printf("demo study finished in %.1f min: %s%n", (System.nanoTime() - t0) / 60e9,
                    dir.resolve("study").resolve("report.html"));
            return rc;
        }
        if (setup != null) {
            return new DemoSetups(this, colin, dir).run(setup, dataset, t0);
        }
        List<String> train = new ArrayList<>(List.of("train", "--train-list", dataset.resolve("train.csv").toString(),
                "--val-list", dataset.resolve("val.csv").toString(), "--targets", "multi_all",
                "--num-classes", "6", "--out", run.toString(), "--seed", Long.toString(seed)));
        train.addAll(recipe(false));
        train.addAll(compute.flags());
        rc = step(train.toArray(String[]::new));
        if (rc != 0 && rc != 3) {
            return rc;
        }
        return evaluate(dataset, run, t0);
    }

    /**
     * The fine-tuning recipe: the compact model from random weights (or, with {@code pretrained}, from the
     * pretraining run's checkpoint that the caller passes), else the study's best from the user's checkpoint.
     */
    List<String> recipe(boolean pretrained) {
        if (checkpoint == null) {
            return List.of("--arch", "compact", "--tune", "encoder+decoder", "--method", "vanilla",
                    "--epochs", Integer.toString(epochs != null ? epochs : EPOCHS), "--batch", "4", "--lr", "1e-3",
                    "--warmup-iters", "20", "--val-every", "5", "--patience", "40", "--no-augment",
                    "--resize", "longest");
        }
        List<String> r = new ArrayList<>(pretrained ? List.of() : List.of("--checkpoint", checkpoint.toString()));
        r.addAll(List.of("--tune", "encoder+decoder", "--method", "adapter", "--encoder-blocks", "all", "--epochs",
                Integer.toString(epochs != null ? epochs : 20), "--batch", "2", "--val-every", "2"));
        return r;
    }

    /** Scores the run on the test slices. */
    int evaluate(Path dataset, Path run, long t0) {
        Path dir = run.getParent();
        int rc;
        List<String> eval = new ArrayList<>(List.of("eval", "--run", run.toString(), "--data",
                dataset.resolve("test.csv").toString(), "--out", dir.resolve("test-metrics.csv").toString()));
        eval.addAll(compute.flags());
        rc = step(eval.toArray(String[]::new));
        System.out.printf("demo finished in %.1f min: dataset %s, run %s, test metrics %s%n",
                (System.nanoTime() - t0) / 60e9, dataset, run, dir.resolve("test-metrics.csv"));
        return rc;
    }

    static int step(String... args) {
        System.out.println();
        System.out.println("$ samtune " + String.join(" ", quoteAll(args)));
        CommandLine cl = Main.commandLine();
        return cl.execute(args);
    }

    private static List<String> quoteAll(String[] args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.matches("[A-Za-z0-9_./,=+-]+") ? a : "'" + a + "'");
        }
        return out;
    }

    /** The samtune checkout (set by the launcher), else the working directory. */
    static Path home() {
        String h = System.getProperty("samtune.home");
        return h != null ? Path.of(h) : Path.of("").toAbsolutePath();
    }
}
