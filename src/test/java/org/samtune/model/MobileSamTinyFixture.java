package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import org.samtune.checkpoint.PthReader;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;

/** The mobilesam-tiny fixture: weights, the reconstructed 1024×1024 input and the manifest's row crops. */
final class MobileSamTinyFixture {
    static final String SET = "mobilesam-tiny";

    private MobileSamTinyFixture() {}

    static StateDict weights() {
        return read(Fixtures.file(SET, "mobilesam_tiny.pth"));
    }

    static StateDict adapterWeights() {
        return read(Fixtures.file(SET, "mobilesam_tiny_adapter.pth"));
    }

    static StateDict read(Path pth) {
        return PthReader.read(pth);
    }

    /** The vit_t of the fixture with its weights, in eval mode. */
    static TinyViT encoder(NDManager manager) {
        TinyViT enc = new TinyViT(manager, TinyViTConfig.mobileSamTiny());
        enc.loadStateDict(weights().withPrefixRemoved("image_encoder."), true);
        enc.train(false);
        return enc;
    }

    /** The manifest's image_recipe: every value of image_coarse repeated 3×3, cropped to (1, 3, 1024, 1024). */
    static NDArray image(NDManager manager) {
        NDArray coarse = array(manager, Fixtures.npy(SET, "image_coarse"));
        return coarse.repeat(2, 3).repeat(3, 3).get(":, :, :1024, :1024");
    }

    static NDArray array(NDManager manager, TensorData t) {
        return Module.toArray(manager, t, DataType.FLOAT32);
    }

    static TensorData expected(String name) {
        return Fixtures.npy(SET, name);
    }

    /** Rows [0, 8) and [H-8, H) of an NCHW map (manifest "crops"). */
    static NDArray rowsNchw(NDArray x) {
        long h = x.getShape().get(2);
        return x.get(":, :, 0:8").concat(x.get(":, :, " + (h - 8) + ":"), 2);
    }

    /** Grid rows [0, 8) and [H-8, H) of (B, H·W, C) tokens on an H×W grid. */
    static NDArray rowsTokens(NDArray x, int side) {
        long w = side;
        return x.get(":, 0:" + 8 * w).concat(x.get(":, " + (side - 8) * w + ":"), 1);
    }
}
