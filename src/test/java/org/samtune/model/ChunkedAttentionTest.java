package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Safetensors;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * RelPosAttention's banded path (used for big attention maps, e.g. SAM's global blocks at 1024²) forced on the tiny
 * model with one query row per band: the image embeddings still match PyTorch within |a − b| ≤ 1e-5 + 1e-4·|b|,
 * and the unbanded path within 1e-6 + 1e-5·|b|.
 */
class ChunkedAttentionTest {

    @Test
    void bandedAttentionGivesTheSameEmbeddings() {
        long saved = RelPosAttention.chunkBytes;
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Sam sam = SamParityTest.tiny(m, BlockOrder.OFFICIAL,
                    Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")));
            NDArray image = SamFixtures.array(m, "image");
            NDArray whole = sam.embedImages(image);
            RelPosAttention.chunkBytes = 1;
            NDArray banded = sam.embedImages(image);
            Tolerance.assertClose("banded image_embeddings", banded, SamFixtures.golden("image_embeddings"));
            Tolerance.assertClose("banded vs whole", banded.toFloatArray(), whole.toFloatArray(), 1e-6, 1e-5);
            System.out.printf("banded vs whole attention: max |diff| %.3g%n",
                    Tolerance.maxAbsDiff(banded.toFloatArray(), whole.toFloatArray()));
        } finally {
            RelPosAttention.chunkBytes = saved;
        }
    }
}
