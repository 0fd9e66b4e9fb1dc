package org.samtune.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamModels;
import org.samtune.model.nn.Module;

/**
 * The study's strategies reproduce finetune-SAM's parameter counts (spec §4.7, computed with the reference's model
 * code, num_cls = 2): total parameters and what trains. Models are built as shapes only, so vit_h costs no memory.
 * In adapter mode finetune-SAM also marks the unused Depth_Adapter trainable; those counts are included.
 */
class TuningPlanCountsTest {

    private static long[] counts(String arch, String method, String tune, String blocks, Compat compat) {
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Module.shapesOnly(() -> SamModels.create(m, arch, null, 2, BlockOrder.FINETUNE_SAM));
            TuningPlan plan = new TuningPlan(TuningPlan.Tune.parse(tune), TuningPlan.Method.parse(method),
                    blocks == null ? EncoderBlocks.everyBlock() : EncoderBlocks.parse(blocks, "blocks"), 2, compat, 4);
            plan.apply(sam, 0);
            return new long[] {sam.parameterCount(), sam.trainableParameterCount()};
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} blocks {3}")
    @CsvSource({
        // arch, method, tune, blocks, total, trainable (encoder + unused Depth_Adapter + prompt encoder/decoder)
        "vit_b, vanilla, decoder,         ,           93595151, 3924239",
        "vit_b, vanilla, encoder+decoder, ,           93595151, 93595151",
        "vit_b, adapter, decoder,         ,           93727503, 132352",
        "vit_b, adapter, encoder+decoder, '0,1,10,11', 97277967, 3682816",
        "vit_b, adapter, encoder+decoder, all,         104378895, 10783744",
        "vit_b, lora,    decoder,         ,           93618703, 656527",
        "vit_b, lora,    encoder+decoder, '0,1,10,11', 93667855, 705679",
        "vit_b, lora,    encoder+decoder, all,         93766159, 803983",
        "vit_h, vanilla, encoder+decoder, ,           640950287, 640950287",
        "vit_h, adapter, encoder+decoder, '0,1,10,11', 650932239, 9981952",
        // spec gives no vit_h LoRA total: base 640,950,287 + decoder LoRA 23,552 + encoder LoRA 81,920
        "vit_h, lora,    encoder+decoder, '0,1,10,11', 641055759, 738447",
        "vit_t, vanilla, encoder+decoder, ,           9989771, 9989771",
        "vit_t, adapter, encoder+decoder, '0,1,10,11', 10311531, 321760",
        "vit_t, lora,    encoder+decoder, '0,1,10,11', 10032779, 774927",
    })
    void finetuneSamCounts(String arch, String method, String tune, String blocks, long total, long trainable) {
        long[] c = counts(arch, method, tune, blocks, Compat.FINETUNE_SAM);
        assertThat(c[0]).as("total parameters").isEqualTo(total);
        assertThat(c[1]).as("trainable parameters").isEqualTo(trainable);
    }

    @Test
    void samtuneDefaultAlsoTrainsTheDecoderTaskHeads() {
        long[] ref = counts("vit_b", "adapter", "decoder", null, Compat.FINETUNE_SAM);
        long[] ours = counts("vit_b", "adapter", "decoder", null, Compat.SAMTUNE);
        assertThat(ours[0]).isEqualTo(ref[0]);
        // mask tokens 3×256, IoU token 256, 3 hypernetwork MLPs, IoU head (last layer 3 outputs)
        long heads = 3 * 256 + 256 + 3 * (256 * 256 + 256 + 256 * 256 + 256 + 256 * 32 + 32)
                + (256 * 256 + 256 + 256 * 256 + 256 + 256 * 3 + 3);
        assertThat(ours[1] - ref[1]).isEqualTo(heads);
    }

    @Test
    void everyOneOfTheEighteenStrategiesBuilds() {
        for (String arch : List.of("vit_b", "vit_h", "vit_t")) {
            for (String method : List.of("vanilla", "adapter", "lora")) {
                for (String tune : List.of("decoder", "encoder+decoder")) {
                    long[] c = counts(arch, method, tune, null, Compat.SAMTUNE);
                    assertThat(c[1]).as(arch + " " + method + " " + tune).isPositive().isLessThanOrEqualTo(c[0]);
                }
            }
        }
    }
}
