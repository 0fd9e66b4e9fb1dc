package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;

/** Misuse of the model's inputs is a SamtuneException that says what was expected. */
class SamInputErrorsTest {

    @Test
    void pointsWithoutLabels() {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            Sam sam = Sam.build(m, SamConfig.tiny());
            assertThatThrownBy(() -> sam.promptEncoder().forward(m.zeros(new Shape(1, 1, 2)), null, null, null))
                    .isInstanceOf(SamtuneException.class)
                    .hasMessage("prompt: point coordinates and point labels must be given together");
        }
    }

    @Test
    void mismatchedImageAndPromptBatches() {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            Sam sam = Sam.build(m, SamConfig.tiny());
            var emb = m.zeros(new Shape(2, 32, 8, 8));
            var boxes = m.zeros(new Shape(3, 4));
            assertThatThrownBy(() -> sam.predict(emb, null, null, boxes, null, true))
                    .isInstanceOf(SamtuneException.class)
                    .hasMessage("mask decoder: 2 image embeddings and 3 prompt sets; expected equal batches or one of them 1");
        }
    }

    @Test
    void imageOfAnotherSizeThanTheCheckpoint() {
        try (NDManager m = NDManager.newBaseManager(); NDScope s = new NDScope()) {
            Sam sam = Sam.build(m, SamConfig.tiny());
            assertThatThrownBy(() -> sam.embedImages(m.zeros(new Shape(1, 3, 160, 160))))
                    .isInstanceOf(SamtuneException.class)
                    .hasMessage("image encoder: expected a preprocessed batch (B, 3, 128, 128), got (1, 3, 160, 160)"
                            + " (resize the longest side to 128 and pad)");
            // the relative-position tables are tied to the grid they were trained on
            ImageEncoderViT enc = (ImageEncoderViT) sam.imageEncoder();
            assertThatThrownBy(() -> enc.blocks.get(1).forward(m.zeros(new Shape(1, 10, 10, 48))))
                    .isInstanceOf(SamtuneException.class)
                    .hasMessageContaining("relative position table has 15 rows but a 10-token grid needs 19");
        }
    }
}
