package org.samtune.peft;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.samtune.Choice;
import org.samtune.SamtuneException;
import org.samtune.model.Sam;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;

/**
 * One of the study's fine-tuning strategies: what is tuned ({@code --tune decoder | encoder+decoder}) × how
 * ({@code --method vanilla | adapter | lora}), which encoder blocks (ViT) or stages (TinyViT) get adapters or LoRA,
 * and whose behaviour to reproduce ({@code --compat}). The run's config.yaml holds it as its {@code plan} block with
 * the same words. {@link #apply} inserts the new modules into a model and marks every parameter trainable or frozen.
 *
 * <p>With {@link Compat#FINETUNE_SAM} the freezing rules are finetune-SAM's exactly (spec §4.4): in adapter mode
 * only parameters named {@code *Adapter*} train, so the randomly initialised mask tokens stay frozen. samtune's
 * default also trains the decoder's task heads (see {@link Quirks}).
 *
 * @param tune                what trains
 * @param method              how the trained parts change
 * @param encoderBlocks       encoder blocks / stages with adapters or LoRA (used when the encoder is tuned)
 * @param decoderAdapterDepth two-way transformer blocks with adapters, from the first (reference 2 = all)
 * @param compat              samtune or finetune-sam
 * @param loraRank            rank of the LoRA updates (finetune-SAM's scripts: 4)
 */
@JsonPropertyOrder({"tune", "method", "encoderBlocks", "decoderAdapterDepth", "compat", "loraRank"})
public record TuningPlan(Tune tune, Method method, EncoderBlocks encoderBlocks, int decoderAdapterDepth,
                         Compat compat, int loraRank) {

    /** What is tuned; the prompt encoder follows the reference's rules per method. */
    public enum Tune implements Choice {
        DECODER("decoder"), ENCODER_DECODER("encoder+decoder");

        private final String id;

        Tune(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @JsonCreator
        public static Tune parse(String s) {
            return Choice.parse(Tune.class, s, "tune");
        }

        public static Tune parse(String s, String field) {
            return Choice.parse(Tune.class, s, field);
        }
    }

    /** How the chosen parts are tuned: all their weights, adapters, or low-rank updates. */
    public enum Method implements Choice {
        VANILLA("vanilla"), ADAPTER("adapter"), LORA("lora");

        private final String id;

        Method(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @JsonCreator
        public static Method parse(String s) {
            return Choice.parse(Method.class, s, "method");
        }

        public static Method parse(String s, String field) {
            return Choice.parse(Method.class, s, field);
        }
    }

    /** finetune-SAM's scripts use rank 4. */
    public static final int DEFAULT_LORA_RANK = 4;

    /** finetune-SAM adapts both two-way transformer blocks. */
    public static final int DEFAULT_DECODER_ADAPTER_DEPTH = 2;

    public TuningPlan {
        if (tune == null || method == null || encoderBlocks == null || compat == null) {
            throw new SamtuneException("plan: tune, method, encoderBlocks and compat must all be set");
        }
        if (loraRank < 1) {
            throw new SamtuneException("plan field loraRank: expected at least 1, got " + loraRank);
        }
        if (decoderAdapterDepth < 0) {
            throw new SamtuneException("plan field decoderAdapterDepth: expected >= 0, got " + decoderAdapterDepth);
        }
    }

    /** A plan with the reference's LoRA rank and decoder adapter depth. */
    public static TuningPlan of(Tune tune, Method method, EncoderBlocks encoderBlocks, Compat compat) {
        return new TuningPlan(tune, method, encoderBlocks, DEFAULT_DECODER_ADAPTER_DEPTH, compat, DEFAULT_LORA_RANK);
    }

    /** Whether the image encoder runs with gradients (finetune-SAM's {@code if_update_encoder}). */
    public boolean updatesEncoder() {
        return tune == Tune.ENCODER_DECODER;
    }

    /** The deliberate differences of this plan's compat mode. */
    @JsonIgnore
    public Quirks quirks() {
        return Quirks.of(compat);
    }

    public TuningPlan withCompat(Compat c) {
        return new TuningPlan(tune, method, encoderBlocks, decoderAdapterDepth, c, loraRank);
    }

    /**
     * Inserts adapters or LoRA as the plan says and sets every parameter's trainable flag. Returns the inserted
     * modules.
     */
    public List<Module> apply(Sam sam, long seed) {
        List<Module> added = new ArrayList<>();
        boolean encoder = updatesEncoder();
        Quirks q = quirks();
        switch (method) {
            case ADAPTER -> added.addAll(Adapters.insert(sam, encoder ? blocksFor(sam) : List.of(),
                    decoderAdapterDepth, AdapterInit.PYTORCH_DEFAULT, seed));
            case LORA -> added.addAll(Lora.insert(sam, encoder, encoder ? blocksFor(sam) : List.of(), true, loraRank,
                    seed, q.tinyVitLoraLayout()));
            case VANILLA -> { }
        }
        Map<String, Parameter> params = sam.namedParameters();
        params.forEach((name, p) -> p.setTrainable(isTrainable(name)));
        return added;
    }

    /** The explicit block (ViT) or stage (TinyViT) list. */
    private List<Integer> blocksFor(Sam sam) {
        return encoderBlocks.resolve(peftUnits(sam));
    }

    /** ViT: its blocks; TinyViT: its three attention stages (finetune-SAM indexes layers[1..3] as 0..2). */
    static int peftUnits(Sam sam) {
        if (sam.imageEncoder() instanceof org.samtune.model.ImageEncoderViT vit) {
            return vit.blocks.size();
        }
        if (sam.imageEncoder() instanceof org.samtune.model.TinyViT tiny) {
            return tiny.layers.size() - 1;
        }
        throw new SamtuneException("no adapter/LoRA units known for " + sam.imageEncoder().getClass().getSimpleName());
    }

    /** The freezing rule for one state-dict name, after insertion (spec §4.4). */
    public boolean isTrainable(String name) {
        boolean inEncoder = name.startsWith("image_encoder.");
        Quirks q = quirks();
        return switch (method) {
            case VANILLA -> !inEncoder || updatesEncoder();
            case ADAPTER -> name.contains("Adapter") || (q.adapterTrainsTaskHeads() && isTaskHead(name));
            case LORA -> isLora(name)
                    || (!inEncoder && !name.startsWith("mask_decoder.transformer."))
                    || (q.tinyVitLoraTrainsConvStage() && updatesEncoder()
                            && name.startsWith("image_encoder.layers.0."));
        };
    }

    /** LoRA's own matrices, as finetune-SAM names them. */
    static boolean isLora(String name) {
        return name.contains(".linear_a_") || name.contains(".linear_b_") || name.contains(".w_a.")
                || name.contains(".w_b.");
    }

    /** The decoder parts that map tokens to class masks and scores, random when the class count changes. */
    public static boolean isTaskHead(String name) {
        return name.startsWith("mask_decoder.mask_tokens.") || name.startsWith("mask_decoder.iou_token.")
                || name.startsWith("mask_decoder.output_hypernetworks_mlps.")
                || name.startsWith("mask_decoder.iou_prediction_head.");
    }

    /** e.g. "adapter encoder+decoder blocks 0,1,10,11 (compat finetune-sam)", in the flags' words. */
    public String describe() {
        return method.id() + " " + tune.id()
                + (method == Method.VANILLA || !updatesEncoder() ? "" : " blocks " + encoderBlocks)
                + (compat == Compat.FINETUNE_SAM ? " (compat finetune-sam)" : "");
    }
}
