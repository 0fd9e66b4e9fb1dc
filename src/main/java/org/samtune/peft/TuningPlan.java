package org.samtune.peft;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.model.Sam;
import org.samtune.model.nn.Module;
import org.samtune.model.nn.Parameter;

/**
 * One of the study's fine-tuning strategies: what is tuned (decoder only, or encoder and decoder) × how (all
 * weights, adapters, LoRA), and which encoder blocks (ViT) or stages (TinyViT) get adapters or LoRA.
 * {@link #apply} inserts the new modules into a model and marks every parameter trainable or frozen.
 *
 * <p>With {@link Compat#FINETUNE_SAM} the freezing rules are finetune-SAM's exactly (spec §4.4): in adapter mode
 * only parameters named {@code *Adapter*} train, so the randomly initialised mask tokens stay frozen. samtune's
 * default also trains the decoder's task heads (mask tokens, IoU token, hypernetwork MLPs, IoU head) in adapter
 * mode, since with a new number of classes those start random.
 */
public record TuningPlan(Method method, Component component, List<Integer> encoderBlocks, Compat compat,
                         int loraRank) {

    /** How the chosen component is tuned. */
    public enum Method {
        VANILLA, ADAPTER, LORA;

        public static Method parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "vanilla", "full" -> VANILLA;
                case "adapter", "adapters" -> ADAPTER;
                case "lora" -> LORA;
                default -> throw new SamtuneException("--method: '" + s + "' is not one of vanilla, adapter, lora");
            };
        }

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What is tuned; the prompt encoder follows the reference's rules per method. */
    public enum Component {
        DECODER, ENCODER_DECODER;

        public static Component parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "decoder", "dec" -> DECODER;
                case "encoder+decoder", "encoder-decoder", "enc+dec", "all" -> ENCODER_DECODER;
                default -> throw new SamtuneException("--tune: '" + s + "' is not one of decoder, encoder+decoder");
            };
        }

        public String cliName() {
            return this == DECODER ? "decoder" : "encoder+decoder";
        }
    }

    /** Whose behaviour to reproduce where finetune-SAM differs from official SAM. */
    public enum Compat {
        SAMTUNE, FINETUNE_SAM;

        public static Compat parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "samtune", "official", "none" -> SAMTUNE;
                case "finetune-sam", "finetune_sam" -> FINETUNE_SAM;
                default -> throw new SamtuneException("--compat: '" + s + "' is not one of samtune, finetune-sam");
            };
        }

        public String cliName() {
            return this == SAMTUNE ? "samtune" : "finetune-sam";
        }
    }

    /** finetune-SAM's default encoder blocks for adapters and LoRA. */
    public static final List<Integer> DEFAULT_ENCODER_BLOCKS = List.of(0, 1, 10, 11);

    /** finetune-SAM's scripts use rank 4. */
    public static final int DEFAULT_LORA_RANK = 4;

    public TuningPlan {
        encoderBlocks = encoderBlocks == null ? null : List.copyOf(encoderBlocks);
    }

    /** Whether the image encoder runs with gradients (finetune-SAM's {@code if_update_encoder}). */
    public boolean updatesEncoder() {
        return component == Component.ENCODER_DECODER;
    }

    /**
     * Parses "0,1,10,11" or "all" (null = all blocks). A block index beyond the encoder's depth is reported when the
     * plan is applied.
     */
    public static List<Integer> parseBlocks(String s) {
        if (s == null || s.isBlank() || s.equalsIgnoreCase("all")) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                out.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new SamtuneException("--encoder-blocks: '" + part.trim() + "' is not a block index (expected e.g. 0,1,10,11 or all)");
            }
        }
        return out;
    }

    /**
     * Inserts adapters or LoRA as the plan says and sets every parameter's trainable flag. Returns the inserted
     * modules.
     */
    public List<Module> apply(Sam sam, long seed) {
        List<Module> added = new ArrayList<>();
        boolean encoder = updatesEncoder();
        switch (method) {
            case ADAPTER -> added.addAll(Adapters.insert(sam, encoder ? blocksFor(sam) : List.of(),
                    sam.maskDecoder().transformer.layers.size(), AdapterInit.PYTORCH_DEFAULT, seed));
            case LORA -> added.addAll(Lora.insert(sam, encoder, encoder ? blocksFor(sam) : List.of(), true, loraRank,
                    seed, compat == Compat.FINETUNE_SAM ? TinyViTLoraLayout.FINETUNE_SAM : TinyViTLoraLayout.PER_HEAD));
            case VANILLA -> { }
        }
        Map<String, Parameter> params = sam.namedParameters();
        params.forEach((name, p) -> p.setTrainable(isTrainable(name)));
        return added;
    }

    /** The explicit block (ViT) or stage (TinyViT) list; null in the plan means all of them. */
    private List<Integer> blocksFor(Sam sam) {
        if (encoderBlocks != null) {
            return encoderBlocks;
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < peftUnits(sam); i++) {
            all.add(i);
        }
        return all;
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
        return switch (method) {
            case VANILLA -> !inEncoder || updatesEncoder();
            case ADAPTER -> name.contains("Adapter") || (compat == Compat.SAMTUNE && isTaskHead(name));
            case LORA -> isLora(name)
                    || (!inEncoder && !name.startsWith("mask_decoder.transformer."))
                    || (compat == Compat.FINETUNE_SAM && updatesEncoder() && name.startsWith("image_encoder.layers.0."));
        };
    }

    /** LoRA's own matrices, as finetune-SAM names them. */
    static boolean isLora(String name) {
        return name.contains(".linear_a_") || name.contains(".linear_b_") || name.contains(".w_a.")
                || name.contains(".w_b.");
    }

    /** The decoder parts that map tokens to class masks and scores, random when the class count changes. */
    static boolean isTaskHead(String name) {
        return name.startsWith("mask_decoder.mask_tokens.") || name.startsWith("mask_decoder.iou_token.")
                || name.startsWith("mask_decoder.output_hypernetworks_mlps.")
                || name.startsWith("mask_decoder.iou_prediction_head.");
    }

    /** e.g. "vit_b adapter encoder+decoder [0, 1, 10, 11]". */
    public String describe() {
        return method.cliName() + " " + component.cliName()
                + (method == Method.VANILLA ? "" : " blocks " + (encoderBlocks == null ? "all" : encoderBlocks))
                + (compat == Compat.FINETUNE_SAM ? " (finetune-sam compat)" : "");
    }
}
