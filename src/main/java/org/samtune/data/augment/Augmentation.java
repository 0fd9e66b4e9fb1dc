package org.samtune.data.augment;

import java.util.Random;
import org.samtune.data.Shuffle;

/**
 * finetune-SAM's training augmentation (spec §3.5), with every random draw taken from the {@link Random} passed in
 * (seeded per sample, so a resumed run sees the same augmentations).
 *
 * <p>Order as in the reference: on the 8-bit RGB image {@code RandomEqualize(p)} then {@code ColorJitter} (the four
 * factors drawn, applied in a random order); after normalisation, {@code RandomResizedCrop} and
 * {@code RandomRotation} with identical parameters on the image and the label map.
 */
public final class Augmentation {

    /** The settings; {@link #finetuneSam()} is the reference's. */
    public record Settings(boolean intensity, boolean spatial, double equalizeP, double brightness, double contrast,
            double saturation, double hue, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
            double rotationDegrees) {

        public static Settings finetuneSam() {
            return new Settings(true, true, 0.1, 0.3, 0.3, 0.3, 0.3, 0.5, 1.5, 3.0 / 4.0, 4.0 / 3.0, 45);
        }

        public static Settings off() {
            return new Settings(false, false, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0);
        }
    }

    /** A normalised (channels, height, width) image and its label map after the spatial transforms. */
    public record Spatial(float[] image, byte[] labels, RandomResizedCrop.Box crop, double angleDegrees) {}

    private final Settings settings;

    public Augmentation(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** RandomEqualize and ColorJitter on interleaved 8-bit RGB, in place. */
    public void intensity(byte[] rgb, Random rng) {
        if (!settings.intensity()) {
            return;
        }
        if (rng.nextFloat() < settings.equalizeP()) {
            PilEnhance.equalize(rgb);
        }
        int[] order = Shuffle.permutation(4, rng);
        double b = jitterFactor(settings.brightness(), rng);
        double c = jitterFactor(settings.contrast(), rng);
        double s = jitterFactor(settings.saturation(), rng);
        double h = settings.hue() > 0 ? (float) (-settings.hue() + 2 * settings.hue() * rng.nextDouble()) : 0;
        for (int fn : order) {
            switch (fn) {
                case 0 -> { if (settings.brightness() > 0) PilEnhance.brightness(rgb, b); }
                case 1 -> { if (settings.contrast() > 0) PilEnhance.contrast(rgb, c); }
                case 2 -> { if (settings.saturation() > 0) PilEnhance.saturation(rgb, s); }
                default -> { if (settings.hue() > 0) PilEnhance.hue(rgb, h); }
            }
        }
    }

    /** RandomResizedCrop then RandomRotation on a normalised image and its labels; output has the input size. */
    public Spatial spatial(float[] chw, int channels, int height, int width, byte[] labels, Random rng) {
        if (!settings.spatial()) {
            return new Spatial(chw, labels, new RandomResizedCrop.Box(0, 0, height, width), 0);
        }
        RandomResizedCrop.Box box = RandomResizedCrop.sample(height, width, settings.scaleMin(), settings.scaleMax(),
                settings.ratioMin(), settings.ratioMax(), rng);
        float[] image = RandomResizedCrop.apply(chw, channels, height, width, box, height, width);
        byte[] mask = RandomResizedCrop.apply(labels, height, width, box, height, width);
        double angle = RandomRotation.sampleAngle(settings.rotationDegrees(), rng);
        int[] src = RandomRotation.sourceIndex(height, width, angle);
        return new Spatial(RandomRotation.apply(image, channels, height, width, src), RandomRotation.apply(mask, src),
                box, angle);
    }

    /** ColorJitter's factor range [max(0, 1 − x), 1 + x], drawn as a float. */
    private static double jitterFactor(double x, Random rng) {
        if (x <= 0) {
            return 1;
        }
        double lo = Math.max(0, 1 - x);
        return (float) (lo + (1 + x - lo) * rng.nextDouble());
    }
}
