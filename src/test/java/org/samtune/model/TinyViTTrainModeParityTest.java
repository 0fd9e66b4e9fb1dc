package org.samtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.samtune.model.MobileSamTinyFixture.expected;
import static org.samtune.model.MobileSamTinyFixture.rowsNchw;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;
import org.samtune.model.nn.Module;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Tolerance;

/**
 * TinyViT in training mode (BatchNorm with batch statistics and running-stat updates) against MobileSAM's
 * {@code sam.train(); image_encoder([image, image flipped])}: stage-1 output, image embeddings and every
 * BatchNorm's running statistics after that one forward. Tolerance: |a−b| ≤ 1e-5 + 1e-4·|b|.
 */
class TinyViTTrainModeParityTest {

    @Test
    void trainModeForwardAndRunningStatsMatchMobileSam() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyViT enc = MobileSamTinyFixture.encoder(m);
            StateDict before = enc.stateDict();
            enc.train(true);
            NDArray image = MobileSamTinyFixture.image(m);
            NDArray batch = image.concat(image.flip(3), 0);

            NDArray x = enc.patch_embed.forward(batch);
            x = enc.layer(0).forward(x);
            x = enc.layer(1).forward(x);
            Tolerance.assertClose("train_enc_stage1", x, expected("train_enc_stage1"));
            x = enc.layer(2).forward(x);
            x = enc.layer(3).forward(x);
            NDArray embeddings = enc.neckForward(x);
            Tolerance.assertClose("train_image_embeddings_rows", rowsNchw(embeddings),
                    expected("train_image_embeddings_rows"));

            Map<String, TensorData> stats = Fixtures.npz(MobileSamTinyFixture.SET, "train_bn_running_stats_after.npz");
            assertThat(stats).hasSize(66);
            Map<String, NDArray> mine = enc.stateArrays();
            for (Map.Entry<String, TensorData> e : stats.entrySet()) {
                String key = e.getKey().substring("image_encoder.".length());
                NDArray actual = mine.get(key);
                assertThat(actual).as(key).isNotNull();
                if (key.endsWith("num_batches_tracked")) {
                    assertThat(actual.getLong()).as(key).isEqualTo(e.getValue().toLongs()[0]);
                    assertThat(actual.getLong()).as(key + " incremented")
                            .isEqualTo(before.get(key).toLongs()[0] + 1);
                } else {
                    Tolerance.assertClose(key, actual, e.getValue());
                    assertThat(Module.toTensorData(actual).toFloats()).as(key + " changed")
                            .isNotEqualTo(before.get(key).toFloats());
                }
            }
        }
    }
}
