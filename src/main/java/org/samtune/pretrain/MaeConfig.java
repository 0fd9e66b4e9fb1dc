package org.samtune.pretrain;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.samtune.SamtuneException;
import org.samtune.model.Architectures;
import org.samtune.train.RunFolder;
import org.samtune.train.SettingsYaml;

/**
 * Every setting of a {@code samtune pretrain mae} run, written to the run folder's config.yaml and read back by
 * {@code --resume}. Defaults are MAE's ({@code main_pretrain.py}, PRETRAIN.md) where they apply; see
 * docs/setups.md for the ones that differ and why.
 *
 * @param arch          vit_b, vit_l, vit_h, vit_t, compact, or custom (a ViT whose shapes are read off the checkpoint)
 * @param checkpoint    starting SAM weights ("" for random initialisation)
 * @param encoderFrom   optional encoder-only checkpoint whose image encoder replaces the starting one ("" none)
 * @param inputs        volumes, DICOM series folders, image folders, images or CSV lists
 * @param axes          axes volumes are sliced along (axial, coronal, sagittal)
 * @param window        volume intensity window as {@code prepare --window} ("" for percentiles)
 * @param minForeground fraction of pixels above a slice's minimum for it to count as not empty
 * @param normalize     sam (ImageNet mean/std) or medsam (min-max to [0, 1])
 * @param maskRatio     fraction of 16-pixel patches hidden per image (MAE 0.75)
 * @param normPixLoss   per-patch normalised pixel targets (MAE's --norm_pix_loss)
 * @param lr            absolute base learning rate (MAE: blr · batch / 256)
 * @param warmupEpochs  linear warm-up before the cosine decay (MAE 40 of 400)
 */
public record MaeConfig(String arch, String checkpoint, String encoderFrom, List<String> inputs, List<String> axes,
                        String window, double minForeground, String normalize, double maskRatio,
                        boolean normPixLoss, int decoderDim, int decoderDepth, int decoderHeads, int epochs,
                        int batchSize, double lr, double minLr, int warmupEpochs, double weightDecay, double beta1,
                        double beta2, boolean augment, long seed, String outputDir) implements RunFolder.Settings {

    /** MAE's base rate for a batch of 256 (PRETRAIN.md: blr 1.5e-4; lr = blr · batch / 256). */
    public static final double MAE_BLR = 1.5e-4;

    public MaeConfig {
        boolean fromCheckpoint = !checkpoint.isEmpty() || !encoderFrom.isEmpty();
        (fromCheckpoint ? Architectures.forCheckpoint(arch, "--arch") : Architectures.get(arch, "--arch"))
                .requireSam("pretrain mae");
        if (inputs == null || inputs.isEmpty()) {
            throw new SamtuneException("pretrain mae: give at least one --images input (volume, DICOM folder, image"
                    + " folder or CSV list)");
        }
        if (!(maskRatio > 0 && maskRatio < 1)) {
            throw new SamtuneException("--mask-ratio: expected a fraction in (0, 1), got " + maskRatio);
        }
        if (!normalize.equals("sam") && !normalize.equals("medsam")) {
            throw new SamtuneException("--normalize: expected sam or medsam, got '" + normalize + "'");
        }
        if (epochs < 1 || batchSize < 1 || warmupEpochs < 0 || warmupEpochs >= epochs) {
            throw new SamtuneException("pretrain mae: expected epochs >= 1, batch >= 1 and 0 <= warm-up epochs < "
                    + "epochs, got epochs " + epochs + ", batch " + batchSize + ", warm-up " + warmupEpochs);
        }
        if (decoderDim < 4 || decoderDim % 4 != 0 || decoderHeads < 1 || decoderDim % decoderHeads != 0
                || decoderDepth < 0) {
            throw new SamtuneException("--decoder-dim/--decoder-heads/--decoder-depth: expected a width divisible by 4"
                    + " and by the heads, depth >= 0; got " + decoderDim + "/" + decoderHeads + "/" + decoderDepth);
        }
        if (!(lr > 0) || !(minLr >= 0) || minLr > lr || !(weightDecay >= 0) || !(beta1 >= 0 && beta1 < 1)
                || !(beta2 >= 0 && beta2 < 1)) {
            throw new SamtuneException("pretrain mae: invalid optimiser settings: lr " + lr + ", min lr " + minLr
                    + ", weight decay " + weightDecay + ", betas " + beta1 + "/" + beta2);
        }
        for (String a : axes) {
            org.samtune.data.prepare.SliceAxis.parse(a);
        }
    }

    /** MAE's defaults for the given data and model; the CLI overrides what the user sets. */
    public static MaeConfig defaults(String arch, String checkpoint, List<String> inputs, String outputDir) {
        int batch = 4;
        return new MaeConfig(arch, checkpoint, "", inputs, List.of("axial"), "", 0.01, "sam", 0.75, true, 512, 2, 16,
                400, batch, MAE_BLR * batch / 256, 0, 40, 0.05, 0.9, 0.95, true, 0, outputDir);
    }

    @Override
    public int metricClasses() {
        return 0;
    }

    @Override
    public String curveTitle() {
        return String.format(Locale.ROOT, "samtune pretrain mae %s (mask %.2f)", arch, maskRatio);
    }

    public String toYaml() {
        return SettingsYaml.toYaml(this);
    }

    @Override
    public void write(Path file) {
        SettingsYaml.write(file, "samtune MAE pretraining run settings (read back by resume)", this);
    }

    public static MaeConfig read(Path file) {
        return SettingsYaml.read(file, MaeConfig.class);
    }
}
