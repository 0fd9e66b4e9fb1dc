package org.samtune.inference;

/**
 * One image ready for the model: the normalised input and where the original image sits inside it.
 *
 * @param image          (3, size, size) normalised floats, channel-first
 * @param size           the model's square input size (img_size)
 * @param validHeight    rows of {@code image} holding the resized image (the rest is zero padding)
 * @param validWidth     columns of {@code image} holding the resized image
 * @param originalHeight the image's height before preprocessing, where labels are returned
 * @param originalWidth  the image's width before preprocessing
 * @param prompts        prompts in the input frame ({@link Prompts#NONE} for automatic segmentation)
 */
public record ModelInput(float[] image, int size, int validHeight, int validWidth, int originalHeight,
                         int originalWidth, Prompts prompts) {
    public ModelInput {
        if (image.length != 3 * size * size) {
            throw new IllegalArgumentException("input of " + image.length + " floats for 3×" + size + "×" + size);
        }
        if (validHeight <= 0 || validWidth <= 0 || validHeight > size || validWidth > size) {
            throw new IllegalArgumentException("valid region " + validHeight + "×" + validWidth + " outside "
                    + size + "²");
        }
        if (originalHeight <= 0 || originalWidth <= 0) {
            throw new IllegalArgumentException("original size " + originalHeight + "×" + originalWidth);
        }
    }
}
