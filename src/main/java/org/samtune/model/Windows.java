package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * {@code window_partition} / {@code window_unpartition} of image_encoder.py: zero-pad a (B, H, W, C) token grid to
 * a multiple of the window and fold the windows into the batch, so one batched attention covers all windows.
 */
final class Windows {
    private Windows() {}

    /** Windows (B·nWindows, ws, ws, C) and the padded grid size they came from. */
    record Partition(NDArray windows, long paddedH, long paddedW) {}

    static Partition partition(NDArray x, int ws) {
        long[] s = x.getShape().getShape();
        long b = s[0], h = s[1], w = s[2], c = s[3];
        long padH = (ws - h % ws) % ws;
        long padW = (ws - w % ws) % ws;
        if (padH > 0 || padW > 0) {
            // F.pad(x, (0, 0, 0, pad_w, 0, pad_h)): pairs from the last dimension backwards
            x = x.pad(new Shape(0, 0, 0, padW, 0, padH), 0);
        }
        long hp = h + padH, wp = w + padW;
        NDArray windows = x.reshape(b, hp / ws, ws, wp / ws, ws, c)
                .transpose(0, 1, 3, 2, 4, 5)
                .reshape(-1, ws, ws, c);
        return new Partition(windows, hp, wp);
    }

    static NDArray unpartition(NDArray windows, int ws, long hp, long wp, long h, long w) {
        long b = windows.getShape().get(0) / (hp * wp / ws / ws);
        NDArray x = windows.reshape(b, hp / ws, wp / ws, ws, ws, -1)
                .transpose(0, 1, 3, 2, 4, 5)
                .reshape(b, hp, wp, -1);
        if (hp > h || wp > w) {
            x = x.get(new NDIndex(":, :{}, :{}, :", h, w));
        }
        return x;
    }
}
