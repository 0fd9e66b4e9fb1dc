package org.samtune.train;

import java.nio.file.Path;
import org.samtune.SamtuneException;
import org.samtune.data.SegmentationDataset;

/**
 * The slices a run trains and validates on, opened from its config the same way for every architecture (SAM or a
 * U-Net baseline): the training list (only the drawn slices with {@code --shots K}) and the optional validation list.
 *
 * @param val null when the run has no validation list
 */
record RunData(SegmentationDataset train, SegmentationDataset val) {

    /** Opens both lists; refuses a training set with nothing left to train on. Writes nothing. */
    static RunData open(TrainConfig c) {
        SegmentationDataset.Options options =
                new SegmentationDataset.Options(c.targetMode(), c.numClasses(), c.dropEmpty());
        Path images = Path.of(c.imageFolder());
        Path masks = Path.of(c.maskFolder());
        SegmentationDataset train = SegmentationDataset.open(Path.of(c.trainList()), images, masks, options);
        if (c.shots() > 0) {
            // K larger than the list is refused here, before a run folder exists
            train = train.only(FewShotList.images(c));
        }
        if (train.size() == 0) {
            throw new SamtuneException(c.trainList() + ": no training slices left after dropping "
                    + train.droppedEmpty() + " with an empty mask (nothing to train on)");
        }
        SegmentationDataset val = c.valList() == null || c.valList().isBlank() ? null
                : SegmentationDataset.open(Path.of(c.valList()), images, masks, options);
        return new RunData(train, val);
    }
}
