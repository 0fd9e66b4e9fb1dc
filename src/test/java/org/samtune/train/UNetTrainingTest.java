package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.data.augment.Augmentation;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.TargetMode;
import org.samtune.model.unet.DenseSegmenter;
import org.samtune.model.unet.PlainConvUNet;
import org.samtune.model.unet.PlainUNetPlan;
import org.samtune.model.unet.ResNet34UNet;

/**
 * Short real trainings of the two U-Net baselines through {@link Trainer} on the synthetic discs-and-squares data
 * TrainerTest uses (6 training slices, 3 classes) at a 32² input (nnU-Net's plan: 4 stages): the loss falls, and
 * validation scores the classes.
 */
class UNetTrainingTest {
    @TempDir Path dir;

    private List<Double> train(DenseSegmenter net, Optimizer opt, LrSchedule schedule, int epochs) throws Exception {
        Path csv = SyntheticData.write(dir, "train", 6, 32, 1);
        Path valCsv = SyntheticData.write(dir, "val", 2, 32, 2);
        var opts = new SegmentationDataset.Options(TargetMode.MULTI_ALL, 3, true);
        var pipe = new SamplePipeline(32, 32, TrainConfig.Resize.SQUARE,
                org.samtune.data.FinetuneSamPreprocessing.Normalization.SAM, SamplePipeline.TargetResize.NEAREST,
                new Augmentation(Augmentation.Settings.off()));
        Trainer.Settings s = new Trainer.Settings(epochs, 2, opt.lr(), false, 0, 100, 100, 7L, false, 0, 0);
        Trainer t = new Trainer(net, TrainConfig.defaults().plan(), s, SegmentationDataset.open(csv, dir, dir, opts),
                SegmentationDataset.open(valCsv, dir, dir, opts), pipe, schedule);
        List<Double> losses = new ArrayList<>();
        List<Trainer.ValidationStats> vals = new ArrayList<>();
        t.run(opt, TrainState.start(), new Trainer.Listener() {
            @Override
            public void onIteration(Trainer.IterationStats st, long total) {
                losses.add(st.loss());
            }

            @Override
            public void onValidation(Trainer.ValidationStats v) {
                vals.add(v);
            }
        });
        t.close();
        assertThat(vals).hasSize(1);
        assertThat(vals.get(0).classDice()).hasSize(3);
        assertThat(losses).allMatch(Double::isFinite);
        return losses;
    }

    private static double mean(List<Double> l) {
        return l.stream().mapToDouble(d -> d).average().orElseThrow();
    }

    @Test
    void plainUNetWithNnUNetsRecipeLowersTheLoss() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            PlainConvUNet net = new PlainConvUNet(m, 3, PlainUNetPlan.forSize(32), 3);
            net.initialize(3);
            int epochs = 12;
            try (SgdNesterov opt = SgdNesterov.nnUNet(net.namedParameters(), SgdNesterov.LR, SgdNesterov.WEIGHT_DECAY)) {
                List<Double> losses = train(net, opt, LrSchedule.polyPerEpoch(SgdNesterov.LR, 3, epochs), epochs);
                assertThat(losses).hasSize(36);
                assertThat(mean(losses.subList(33, 36))).as("last three vs first three of " + losses)
                        .isLessThan(0.8 * mean(losses.subList(0, 3)));
                // the 0-weighted lowest deep-supervision head never receives a gradient, so SGD never touches it
                assertThat(opt.statefulParameters()).doesNotContain("decoder.seg_layers.0.weight")
                        .contains("decoder.seg_layers.2.weight");
            }
        }
    }

    @Test
    void resnet34UNetWithFinetuneSamsOptimiserLowersTheLoss() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet34UNet net = new ResNet34UNet(m, 32, 3);
            net.initialize(3);
            try (AdamW opt = AdamW.finetuneSam(net.namedParameters(), 1e-3)) {
                List<Double> losses = train(net, opt, null, 10);
                assertThat(mean(losses.subList(losses.size() - 3, losses.size()))).as("losses " + losses)
                        .isLessThan(0.8 * mean(losses.subList(0, 3)));
            }
        }
    }
}
