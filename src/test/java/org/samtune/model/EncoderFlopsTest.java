package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The analytic FLOP formula against sums written out by hand. */
class EncoderFlopsTest {

    @Test
    void tinyViTConfigByHand() {
        // SamConfig.tiny(): img 128, patch 16 → G = 8, T = 64; D = 48, heads 2, MLP 192, window 3, global block 1,
        // out_chans 32.
        double t = 64;
        double patch = 2 * t * 48 * 3 * 16 * 16;
        // block 0: windowed, 8 → 9 tokens per side, Tp = 81, 9 windows of 9 tokens
        double b0 = 2 * 81 * 48 * 144 + 2 * 81 * 48 * 48 + 4 * 81 * 9 * 48 + 2 * 81 * 6 * 48 + 4 * 64 * 48 * 192;
        // block 1: global, 64 tokens attend to 64, rel-pos over 8 + 8 positions
        double b1 = 2 * 64 * 48 * 144 + 2 * 64 * 48 * 48 + 4 * 64 * 64 * 48 + 2 * 64 * 16 * 48 + 4 * 64 * 48 * 192;
        double neck = 2 * t * 48 * 32 + 2 * t * 32 * 32 * 9;
        assertThat(EncoderFlops.vit(SamConfig.tiny().vit())).isEqualTo(patch + b0 + b1 + neck);
    }

    @Test
    void vitBAt1024IsAboutOneTeraflop() {
        // per block: Linear layers 2·T·D·(3D + D + 2·4D) on 4096 tokens ≈ 58 GFLOP, global attention 4·T²·D ≈ 51.5.
        double flops = EncoderFlops.vit(SamConfig.vitB().vit());
        assertThat(flops / 1e9).isBetween(960.0, 990.0);
        System.out.printf("vit_b encoder at 1024: %.2f GFLOP%n", flops / 1e9);
    }

    @Test
    void tinyViTStagesByHand() {
        // A TinyViT at 64 px: patches 16², stages at 16, 8, 4, 4; dims 8, 16, 24, 320; one block each.
        TinyViTConfig c = new TinyViTConfig(64, 3, 0, List.of(8, 16, 24, 320), List.of(1, 1, 1, 1),
                List.of(2, 2, 3, 10), List.of(7, 7, 14, 7), 2.0, 4.0, 3);
        double f = 2.0 * 32 * 32 * 4 * 3 * 9 + 2.0 * 16 * 16 * 8 * 4 * 9; // patch embed
        f += 2.0 * 256 * 32 * 8 + 2.0 * 256 * 32 * 9 + 2.0 * 256 * 8 * 32; // MBConv, hidden 32
        f += 2.0 * 256 * 16 * 8 + 2.0 * 64 * 16 * 9 + 2.0 * 64 * 16 * 16; // merge 16² → 8²
        // stage 1 at 8², window 7 → padded 14², 4 windows of 49 tokens; MLP ratio 2
        f += 2.0 * 196 * 16 * 48 + 2.0 * 196 * 16 * 16 + 4.0 * 196 * 49 * 16 + 2.0 * 64 * 16 * 9 + 4.0 * 64 * 16 * 32;
        f += 2.0 * 64 * 24 * 16 + 2.0 * 16 * 24 * 9 + 2.0 * 16 * 24 * 24; // merge 8² → 4²
        // stage 2 at 4², window 14 → padded 14² (one window of 196 tokens)
        f += 2.0 * 196 * 24 * 72 + 2.0 * 196 * 24 * 24 + 4.0 * 196 * 196 * 24 + 2.0 * 16 * 24 * 9
                + 4.0 * 16 * 24 * 48;
        f += 2.0 * 16 * 320 * 24 + 2.0 * 16 * 320 * 9 + 2.0 * 16 * 320 * 320; // merge, stride 1
        // stage 3 at 4², window 7 → padded 7²
        f += 2.0 * 49 * 320 * 960 + 2.0 * 49 * 320 * 320 + 4.0 * 49 * 49 * 320 + 2.0 * 16 * 320 * 9
                + 4.0 * 16 * 320 * 640;
        f += 2.0 * 16 * 256 * 320 + 2.0 * 16 * 256 * 256 * 9; // neck
        assertThat(EncoderFlops.tinyViT(c)).isEqualTo(f);
    }
}
