package org.samtune.model;

import ai.djl.ndarray.NDArray;
import org.samtune.model.nn.Layer;
import org.samtune.model.nn.Module;

/**
 * What {@link Sam} needs from an image encoder: SAM's ViT ({@code ImageEncoderViT}) and MobileSAM's TinyViT both
 * map a preprocessed batch (B, 3, imgSize, imgSize) to image embeddings (B, outChans, imgSize/16, imgSize/16).
 * Implementations are {@link Module}s, registered by Sam under the state-dict prefix {@code image_encoder.}.
 */
public interface ImageEncoder extends Layer {
    /** (B, 3, imgSize, imgSize) normalised and padded images → (B, outChans, imgSize/16, imgSize/16). */
    @Override
    NDArray forward(NDArray images);

    /**
     * The forward pass with {@code afterPatchEmbed} applied to the patch embedding's output, before anything else
     * sees it (masked image modelling puts its mask token there). The ViT's patch tokens are channels-last
     * (B, S/16, S/16, D); TinyViT's are a feature map (B, C, S/4, S/4).
     */
    NDArray forward(NDArray images, java.util.function.UnaryOperator<NDArray> afterPatchEmbed);

    /** Side of the square input the encoder expects (1024 for the released models). */
    int imgSize();

    /** Channels of the image embeddings (256 for the released models). */
    int outChans();

    /** This encoder as a module, for parameter traversal and state-dict loading. */
    default Module asModule() {
        return (Module) this;
    }
}
