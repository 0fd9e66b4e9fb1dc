package org.samtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.samtune.checkpoint.Safetensors;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;

/**
 * The sam-tiny fixture's training step (its manifest's "train_step"): model.train(), encoder with gradients, no
 * prompt, multimask logits, Dice + CE, backward through every parameter. {@link FullTrainingStepParityTest} runs it
 * in float32, {@link Bf16TrainingStepTest} in bf16.
 */
final class SamTinyTrainingStep {
    private SamTinyTrainingStep() {}

    /** What the step left besides the parameters' gradients. */
    record Done(NDArray logits, DiceCeLoss.Parts loss) {}

    /** sam-tiny with the fixture's weights, in training mode, every parameter requiring gradients. */
    static Sam model(NDManager m) {
        Sam sam = Sam.build(m, SamConfig.tiny().withBlockOrder(BlockOrder.OFFICIAL));
        sam.loadStateDict(Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")), true);
        sam.train(true);
        sam.namedParameters().values().forEach(p -> p.array().setRequiresGradient(true));
        return sam;
    }

    /** The step on the fixture's image and target, in the caller's scope and precision; gradients are set after. */
    static Done run(NDManager m, Sam sam) {
        NDArray image = Module.toArray(m, Fixtures.npy("sam-tiny", "image"), DataType.FLOAT32);
        NDArray target = m.create(Fixtures.npy("sam-tiny", "train_target").toLongs(), new Shape(1, 1, 32, 32));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = sam.predict(sam.embedImages(image), null, null, null, null, true).lowResLogits();
            DiceCeLoss.Parts loss = new DiceCeLoss().compute(logits, target);
            gc.backward(loss.total());
            return new Done(logits, loss);
        }
    }
}
