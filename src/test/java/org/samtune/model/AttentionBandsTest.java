package org.samtune.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.Safetensors;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * Attention computed in bands of query rows (how big maps are kept allocator-friendly) gives PyTorch's block
 * outputs: the global block of the tiny model with 5-row bands (13 bands, the last partial) and the windowed
 * block with 7-row bands (over 18 windows × 2 heads). Tolerance |a − b| ≤ 1e-5 + 1e-4·|b|.
 */
class AttentionBandsTest {

    @Test
    void bandedAttentionMatchesPyTorchBlocks() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            Sam sam = Sam.fromStateDict(m, Safetensors.read(Fixtures.file("sam-tiny", "tiny_sam.safetensors")),
                    BlockOrder.OFFICIAL);
            ImageEncoderViT enc = (ImageEncoderViT) sam.imageEncoder();
            NDArray x = enc.patch_embed.forward(SamFixtures.array(m, "image")).add(enc.pos_embed.array());
            Block b0 = enc.blocks.get(0);
            // block 0 (window 3, padded 8 → 9): 9 windows × 2 heads = 18 maps of 9 × 9 → 7 rows = 18·9·7·4 bytes
            NDArray y0 = banded(b0, x, 18L * 9 * 7 * 4);
            Tolerance.assertClose("enc_block0 (banded)", y0, SamFixtures.golden("enc_block0"));
            Block b1 = enc.blocks.get(1);
            // block 1 (global, 64 tokens, 2 heads): 5 rows = 2·64·5·4 bytes
            NDArray y1 = banded(b1, y0, 2L * 64 * 5 * 4);
            Tolerance.assertClose("enc_block1 (banded)", y1, SamFixtures.golden("enc_block1"));
        }
    }

    /** The block's forward with the attention step banded (official order: norm1, pad, attention, unpad). */
    static NDArray banded(Block b, NDArray x, long bandBytes) {
        NDArray shortcut = x;
        NDArray xn = b.norm1.forward(x);
        long h = x.getShape().get(1), w = x.getShape().get(2);
        NDArray a;
        if (b.windowSize > 0) {
            Windows.Partition p = Windows.partition(xn, b.windowSize);
            a = Windows.unpartition(b.attn.forward(p.windows(), bandBytes), b.windowSize, p.paddedH(), p.paddedW(), h, w);
        } else {
            a = b.attn.forward(xn, bandBytes);
        }
        NDArray y = shortcut.add(a);
        return y.add(b.mlp.forward(b.norm2.forward(y)));
    }
}
