package org.samtune.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * MAE's reconstruction target and loss ({@code models_mae.patchify} and {@code forward_loss}):
 * <ul>
 *   <li>patchify: (N, C, H, W) → (N, H/p · W/p, p·p·C), patches in row-major order, each patch's pixels ordered
 *       (row, column, channel) ({@code einsum('nchpwq->nhwpqc')});
 *   <li>per-patch normalisation ({@code norm_pix_loss}): {@code (x − mean) / sqrt(var + 1e-6)} over a patch's
 *       values, with the unbiased variance (PyTorch's default);
 *   <li>loss: squared error averaged over a patch's values, then averaged over the masked patches only.
 * </ul>
 */
public final class MaeTargets {
    /** MAE's epsilon under the square root of the per-patch variance. */
    public static final double NORM_EPS = 1e-6;

    private MaeTargets() {}

    /** (N, C, H, W) → (N, L, p·p·C). H and W must be multiples of {@code p}. */
    public static NDArray patchify(NDArray images, int p) {
        long[] s = images.getShape().getShape();
        if (s.length != 4 || s[2] % p != 0 || s[3] % p != 0) {
            throw new IllegalArgumentException("patchify: expected (N, C, H, W) with H and W multiples of " + p
                    + ", got " + images.getShape());
        }
        long n = s[0];
        long c = s[1];
        long h = s[2] / p;
        long w = s[3] / p;
        return images.reshape(n, c, h, p, w, p).transpose(0, 2, 4, 3, 5, 1).reshape(n, h * w, (long) p * p * c);
    }

    /** Per-patch normalised patches; no gradient flows through a target, so plain scalars are safe here. */
    public static NDArray normalise(NDArray patches) {
        long d = patches.getShape().get(patches.getShape().dimension() - 1);
        NDArray mean = patches.mean(new int[] {-1}, true);
        NDArray centred = patches.sub(mean);
        NDArray var = centred.square().sum(new int[] {-1}, true).div(d - 1);
        return centred.div(var.add(NORM_EPS).sqrt());
    }

    /**
     * The MAE loss: {@code pred} (N, L, D) against {@code target} (N, L, D), averaged over masked patches
     * ({@code mask} (N, L), 1 = masked). {@code pred} may carry a gradient; the mask and target must stay open
     * until backward has run (they are saved by autograd).
     */
    public static NDArray loss(NDArray pred, NDArray target, NDArray mask) {
        if (!pred.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("prediction " + pred.getShape() + " and target " + target.getShape()
                    + " differ");
        }
        Shape ms = mask.getShape();
        if (ms.dimension() != 2 || ms.get(0) != pred.getShape().get(0) || ms.get(1) != pred.getShape().get(1)) {
            throw new IllegalArgumentException("mask " + ms + " does not fit prediction " + pred.getShape());
        }
        NDArray perPatch = pred.sub(target).square().mean(new int[] {-1});
        return perPatch.mul(mask).sum().div(mask.sum());
    }

    /** {@link #loss} with the target made from the images (per-patch normalised when {@code normPix}). */
    public static NDArray loss(NDArray pred, NDArray images, NDArray mask, int p, boolean normPix) {
        NDArray target = patchify(images, p);
        return loss(pred, normPix ? normalise(target) : target, mask);
    }
}
