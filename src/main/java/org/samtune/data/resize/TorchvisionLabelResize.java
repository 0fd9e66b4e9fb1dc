package org.samtune.data.resize;

import org.samtune.model.nn.TorchBilinear;

/**
 * {@code torchvision.transforms.Resize((outH, outW))} applied to an integer label tensor, as finetune-SAM does to
 * its ground truth ({@code Resize((256, 256))(mask)} on a long (B, 1, 1024, 1024) tensor, spec §5.3): the labels
 * are cast to float32, resized bilinearly (align_corners=False), rounded half to even ({@code torch.round}) and
 * cast back.
 *
 * <p>Whether the resize antialiases depends on the torchvision version: 0.15.2 (finetune-SAM's environment.yml)
 * defaults to {@code antialias=None}, i.e. no antialiasing for tensors; torchvision ≥ 0.17 defaults to
 * {@code antialias=True}. {@link Antialias#TORCHVISION_0_15} is the reference setting.
 *
 * <p>Bilinear interpolation of label values can create labels that exist in neither neighbour at class
 * boundaries (1|3 → 2); this reproduces that on purpose.
 */
public final class TorchvisionLabelResize {
    private TorchvisionLabelResize() {}

    /** Which torchvision default to reproduce. */
    public enum Antialias {
        /** torchvision 0.15.2, finetune-SAM's pinned version: tensors are not antialiased. */
        TORCHVISION_0_15(false),
        /** torchvision ≥ 0.17: tensors are antialiased like PIL (in float). */
        TORCHVISION_0_17(true);

        private final boolean enabled;

        Antialias(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean enabled() {
            return enabled;
        }
    }

    /** Resizes a (B, 1, h, w) label tensor (C order, one map per sample) to (B, 1, outH, outW). */
    public static int[] resize(int[] labels, int batch, int h, int w, int outH, int outW, Antialias antialias) {
        float[] x = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            x[i] = labels[i];
        }
        float[] y = antialias.enabled()
                ? TorchBilinearAntialias.resize(x, batch, h, w, outH, outW)
                : TorchBilinear.resize(x, batch, 1, h, w, outH, outW, false);
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (int) Math.rint(y[i]);
        }
        return out;
    }
}
