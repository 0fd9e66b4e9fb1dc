package org.samtune.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.samtune.model.Sam;

/**
 * Prompt encoder + mask decoder for a batch of image embeddings, with finetune-SAM's {@code multimask_output=True}:
 * one low-res logit map per class (B, classes, 4·h, 4·w). Training, validation, {@code eval} and {@code predict}
 * all decode through here.
 *
 * <p>Without prompts one batch-1 token set serves every image (the prompt encoder's output does not depend on the
 * image); with boxes and/or points each image brings its own, and every image of a batch must bring the same
 * number of each (as torch's batched tensors require).
 */
public final class PromptDecoder {
    private PromptDecoder() {}

    /** Low-res logits (B, classes, h, w); {@code prompts} has one entry per embedding. */
    public static NDArray lowResLogits(Sam sam, NDManager m, NDArray embeddings, List<Prompts> prompts) {
        int b = prompts.size();
        if (embeddings.getShape().get(0) != b) {
            throw new IllegalArgumentException(embeddings.getShape().get(0) + " embeddings but " + b
                    + " prompt sets");
        }
        Prompts first = prompts.get(0);
        int k = first.boxCount();
        int n = first.pointCount();
        for (Prompts p : prompts) {
            if (p.boxCount() != k || p.pointCount() != n) {
                throw new IllegalArgumentException("every image of a batch needs the same kind and number of prompts");
            }
        }
        NDArray coords = null;
        NDArray labels = null;
        NDArray boxes = null;
        if (first.hasBoxes()) {
            float[] all = new float[b * k * 4];
            for (int i = 0; i < b; i++) {
                System.arraycopy(prompts.get(i).boxes(), 0, all, i * k * 4, k * 4);
            }
            boxes = m.create(all, new Shape(b, k, 4));
        }
        if (first.hasPoints()) {
            float[] c = new float[b * n * 2];
            float[] l = new float[b * n];
            for (int i = 0; i < b; i++) {
                System.arraycopy(prompts.get(i).pointCoords(), 0, c, i * n * 2, n * 2);
                System.arraycopy(prompts.get(i).pointLabels(), 0, l, i * n, n);
            }
            coords = m.create(c, new Shape(b, n, 2));
            labels = m.create(l, new Shape(b, n));
        }
        return sam.predict(embeddings, coords, labels, boxes, null, true).lowResLogits();
    }
}
