package org.samtune.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;
import org.samtune.study.SetupStudyPlan;

/**
 * {@code samtune demo --setup 1|2|3|all}: the study's three setups on the bundled Colin27/AAL data, as ordinary
 * verbs printed before they run (docs/setups.md). Every setup fine-tunes with the demo's recipe on the demo's five
 * subcortical structures; they differ only in the start:
 * <ul>
 *   <li>1: random weights (today's demo);
 *   <li>2: {@code pretrain prompts} on other AAL regions (cortical lobes and gyri, the insula, the cingulum) of the
 *       same atlas, one prompted target per structure, then {@code train --setup 2};
 *   <li>3: {@code pretrain mae} on unlabelled slices (the axial slices of the Colin27 T1 and of the bundled DICOM
 *       MR series), then {@code train --setup 3} with the same recipe;
 *   <li>all: both pretraining runs, then a study crossing the three starts × full data and 5 shots × 3 seeds.
 * </ul>
 */
final class DemoSetups {
    /** Setup 2's pretraining structures: AAL regions other than the demo's, left and right merged. */
    static final String PRETRAIN_CLASSES = "precentral=1,2;frontal_sup=3,4;frontal_mid=7,8;insula=29,30;"
            + "cingulum=31,32,33,34,35,36;occipital=49,50,51,52,53,54;parietal=59,60,61,62;postcentral=57,58;"
            + "temporal_sup=81,82;temporal_mid=85,86";
    /**
     * Pretraining epochs, meant to keep {@code demo --setup 3} (MAE, then the demo's fine-tuning) and
     * {@code demo --setup 2} within 20 minutes on a 2-core machine whose speed varies twofold: with 24 MAE epochs
     * Setup 3 took 22.8 and 26.8 minutes on slow stretches (docs/setups.md), so 16 leave a margin.
     */
    static final int MAE_EPOCHS = 16;
    /**
     * The demo's MAE decoder: 256 wide with 8 heads (MAE's 32-wide heads) instead of MAE's 512 for ViT-L. The
     * compact encoder is only 192 wide; a 512-wide decoder cost 2.5 times the encoder's FLOPs and made Setup 3
     * take 27 minutes. MAE's own ablation (He et al. 2022, Table 1b) loses little at width 256.
     */
    static final int MAE_DECODER_DIM = 256;
    static final int MAE_DECODER_HEADS = 8;
    static final int PROMPT_EPOCHS = 10;
    static final int SHOTS = 5;

    private final DemoCommand demo;
    private final Path colin;
    private final Path dir;

    DemoSetups(DemoCommand demo, Path colin, Path dir) {
        this.demo = demo;
        this.colin = colin;
        this.dir = dir;
    }

    /** Runs setup {@code which} (1, 2, 3 or all) after the demo dataset was prepared in {@code dataset}. */
    int run(String which, Path dataset, long t0) {
        switch (which) {
            case "1" -> {
                return fineTune(dataset, List.of(), t0);
            }
            case "2" -> {
                Path ckpt = promptPretraining();
                if (ckpt == null) {
                    return 1;
                }
                return fineTune(dataset, List.of("--setup", "2", "--checkpoint", ckpt.toString()), t0);
            }
            case "3" -> {
                Path ckpt = maePretraining();
                if (ckpt == null) {
                    return 1;
                }
                // the demo's recipe names --tune and --method: the same as Setups 1 and 2 (--setup 3 alone would
                // pick adapters, which keep a briefly pretrained compact encoder frozen)
                return fineTune(dataset, List.of("--setup", "3", "--checkpoint", ckpt.toString()), t0);
            }
            case "all" -> {
                return comparison(dataset, t0);
            }
            default -> throw new SamtuneException("--setup: expected 1, 2, 3 or all, got '" + which + "'");
        }
    }

    /** Setup 2's first stage; returns its best checkpoint, or null when a step failed. */
    private Path promptPretraining() {
        Path data = dir.resolve("pretrain-dataset");
        Path run = dir.resolve("pretrain-prompts");
        int rc = DemoCommand.step("prepare", "--image", colin.resolve("ch2.nii.gz").toString(),
                "--labels", colin.resolve("aal.nii.gz").toString(), "--out", data.toString(),
                "--axis", "axial", "--classes", PRETRAIN_CLASSES, "--label-names",
                colin.resolve("aal.nii.txt").toString(), "--split", "80,20,0", "--block", "4", "--gap", "1",
                "--seed", Long.toString(demo.seed));
        if (rc != 0) {
            return null;
        }
        List<String> args = new ArrayList<>(List.of("pretrain", "prompts", "--train-list",
                data.resolve("train.csv").toString(), "--val-list", data.resolve("val.csv").toString()));
        args.addAll(start());
        args.addAll(List.of("--prompt", "box", "--normalize", "sam", "--resize", "longest", "--no-augment",
                "--epochs", Integer.toString(demo.pretrainEpochs != null ? demo.pretrainEpochs : PROMPT_EPOCHS),
                "--batch", "4", "--lr", learningRate(), "--warmup", "--warmup-iters", "20", "--val-every", "1",
                "--seed", Long.toString(demo.seed), "--out", run.toString()));
        args.addAll(demo.compute.flags());
        rc = DemoCommand.step(args.toArray(String[]::new));
        return rc == 0 ? run.resolve("checkpoints").resolve("best.safetensors") : null;
    }

    /** Setup 3's first stage; returns its checkpoint, or null when it failed. */
    private Path maePretraining() {
        Path run = dir.resolve("pretrain-mae");
        List<String> args = new ArrayList<>(List.of("pretrain", "mae", "--images",
                colin.resolve("ch2.nii.gz").toString()));
        Path dicom = DemoCommand.home().resolve("data").resolve("dicom").resolve("mr-series");
        if (Files.isDirectory(dicom)) {
            args.addAll(List.of("--images", dicom.toString()));
        }
        args.addAll(start());
        // axial as the task's slices (coronal and sagittal cuts of the 5 mm DICOM series would be 20 pixels high)
        args.addAll(List.of("--decoder-dim", Integer.toString(MAE_DECODER_DIM), "--decoder-heads",
                Integer.toString(MAE_DECODER_HEADS)));
        args.addAll(List.of("--axis", "axial", "--epochs",
                Integer.toString(demo.pretrainEpochs != null ? demo.pretrainEpochs : MAE_EPOCHS), "--batch", "4",
                "--lr", learningRate(), "--seed", Long.toString(demo.seed), "--out", run.toString()));
        args.addAll(demo.compute.flags());
        int rc = DemoCommand.step(args.toArray(String[]::new));
        return rc == 0 ? run.resolve("checkpoints").resolve("last.safetensors") : null;
    }

    /**
     * Both pretraining stages' learning rate. A random start needs the demo's fine-tuning rate: MAE's scaling rule
     * (1.5e-4 · batch / 256) gives 2.3e-6 at batch 4, which leaves a random encoder where it started, and MedSAM's
     * 1e-4 is meant for continuing SAM's weights, which is what a {@code --checkpoint} start gets.
     */
    private String learningRate() {
        return demo.checkpoint == null ? "1e-3" : "1e-4";
    }

    /** The compact model from random weights, or the user's checkpoint. */
    private List<String> start() {
        return demo.checkpoint == null ? List.of("--arch", "compact")
                : List.of("--checkpoint", demo.checkpoint.toString());
    }

    private int fineTune(Path dataset, List<String> setupFlags, long t0) {
        Path run = dir.resolve("run");
        List<String> train = new ArrayList<>(List.of("train", "--train-list", dataset.resolve("train.csv").toString(),
                "--val-list", dataset.resolve("val.csv").toString(), "--targets", "multi_all",
                "--num-classes", "6", "--out", run.toString(), "--seed", Long.toString(demo.seed)));
        train.addAll(setupFlags);
        train.addAll(demo.recipe(!setupFlags.isEmpty()));
        if (demo.shots != null) {
            train.addAll(List.of("--shots", Integer.toString(demo.shots)));
        }
        train.addAll(demo.compute.flags());
        int rc = DemoCommand.step(train.toArray(String[]::new));
        if (rc != 0 && rc != 3) {
            return rc;
        }
        return demo.evaluate(dataset, run, t0);
    }

    /** Both pretraining runs, then the study of the three starts. */
    private int comparison(Path dataset, long t0) {
        Path prompts = promptPretraining();
        if (prompts == null) {
            return 1;
        }
        Path mae = maePretraining();
        if (mae == null) {
            return 1;
        }
        Path plan = dir.resolve("plan.yaml");
        List<Long> seeds = List.of(demo.seed, demo.seed + 1, demo.seed + 2);
        String text = SetupStudyPlan.text(dir.relativize(dataset).toString(), dir.relativize(prompts).toString(),
                dir.relativize(mae).toString(), demo.epochs != null ? demo.epochs : SetupStudyPlan.EPOCHS, seeds, SHOTS);
        AtomicFiles.writeString(plan, text);
        System.out.println();
        System.out.println("# " + plan + ":");
        System.out.print(text);
        List<String> study = new ArrayList<>(List.of("study", "--plan", plan.toString(), "--out",
                dir.resolve("study").toString()));
        study.addAll(demo.compute.flags());
        int rc = DemoCommand.step(study.toArray(String[]::new));
        System.out.printf("demo comparison finished in %.1f min: %s%n", (System.nanoTime() - t0) / 60e9,
                dir.resolve("study").resolve("report.html"));
        return rc;
    }
}
