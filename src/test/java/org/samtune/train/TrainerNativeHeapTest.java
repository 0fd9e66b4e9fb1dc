package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.samtune.model.ImageEncoderViT;
import org.samtune.model.SamConfig;
import org.samtune.model.TinyViT;
import org.samtune.model.TinyViTConfig;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.NativeHeap;

class TrainerNativeHeapTest {
    @Test
    void onlySamsVitTrainsWithTheFixedThreshold() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(Trainer.nativeHeapFor(new TinyViT(m, TinyViTConfig.mobileSamTiny()), 1)).isNull();
            ImageEncoderViT vitB = Module.shapesOnly(() -> new ImageEncoderViT(m, SamConfig.vitB().vit()));
            // the first encoder trained in this JVM set the threshold (NativeHeapTest checks its size)
            assertThat(Trainer.nativeHeapFor(vitB, 1)).isNotNull().isEqualTo(NativeHeap.state());
        }
    }
}
