package org.samtune.serve;

import org.samtune.data.UInt8Image;
import org.samtune.model.Sam;
import org.samtune.inference.SamPredictor;

/**
 * The one place the server touches SAM's interactive predictor: an embedding per image, then masks per prompt
 * set. (When the predictor moves package, only the import below changes.)
 */
final class PromptModel {
    private final Sam sam;

    PromptModel(Sam sam) {
        this.sam = sam;
    }

    /** One image's embedding; {@link #close} frees it. */
    final class Embedded implements AutoCloseable {
        private final SamPredictor predictor;

        private Embedded(SamPredictor predictor) {
            this.predictor = predictor;
        }

        /** SAM's masks for points (x, y in pixels of the image; labels 1/0) and/or a box; three candidates. */
        Masks predict(double[] pointsXY, int[] labels, double[] boxXYXY) {
            SamPredictor.Prediction p = predictor.predict(pointsXY, labels, boxXYXY, null, true);
            byte[][] masks = new byte[p.numMasks()][];
            for (int m = 0; m < masks.length; m++) {
                masks[m] = p.binary(m);
            }
            return new Masks(p.width(), p.height(), masks, p.iou(), p.best());
        }

        long bytes() {
            return predictor.imageEmbedding().size() * 4L;
        }

        @Override
        public void close() {
            predictor.close();
        }
    }

    /** Candidate masks (1 inside, 0 outside, row-major) with the decoder's IoU predictions. */
    record Masks(int width, int height, byte[][] masks, float[] iou, int best) {}

    /** Runs the image encoder once (the slow step: seconds for ViT-B on a CPU). */
    Embedded embed(UInt8Image rgb) {
        SamPredictor p = new SamPredictor(sam);
        try {
            p.setImage(rgb);
            return new Embedded(p);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    int imgSize() {
        return sam.config.imgSize();
    }
}
