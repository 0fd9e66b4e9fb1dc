package org.samtune.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.samtune.SamtuneException;
import org.samtune.checkpoint.StateDict;
import org.samtune.checkpoint.TensorData;

/**
 * What a SAM checkpoint holds, read from its keys and shapes alone: architecture (vit_b/l/h, an inferred custom
 * ViT, or MobileSAM's vit_t), element counts per component, finetune-SAM adapters / LoRA and dtypes.
 *
 * @param arch               vit_b, vit_l, vit_h, vit_t or custom
 * @param config             the inferred configuration; null for vit_t (TinyViT is configured by TinyViT)
 * @param decoder            the mask decoder's shape (for every architecture)
 * @param tinyVitStages      vit_t only: "stage i: N blocks, dim D" lines
 * @param elements           elements per component: image_encoder, prompt_encoder, mask_decoder (each without
 *                           PEFT tensors), adapters, lora, other
 * @param loraRank           0 without LoRA
 * @param loraEncoderBlocks  encoder blocks with LoRA ("3" for a ViT block, "1.0" for TinyViT stage 1 block 0)
 * @param loraDecoderProjections number of mask-decoder projections with LoRA
 * @param adapterEncoderBlocks encoder blocks with adapters (same naming)
 * @param adapterDecoderLayers two-way blocks with adapters
 * @param dtypes             tensor count per dtype
 */
public record CheckpointSummary(String source, int keyCount, long elementCount, String arch, SamConfig config,
                                SamConfig.Decoder decoder, List<String> tinyVitStages, Map<String, Long> elements,
                                int loraRank, List<String> loraEncoderBlocks, int loraDecoderProjections,
                                List<String> adapterEncoderBlocks, List<Integer> adapterDecoderLayers,
                                Map<String, Integer> dtypes) {

    private static final Pattern VIT_BLOCK = Pattern.compile("^image_encoder\\.blocks\\.(\\d+)\\.");
    private static final Pattern TINY_BLOCK = Pattern.compile("^image_encoder\\.layers\\.(\\d+)\\.blocks\\.(\\d+)\\.");
    private static final Pattern DECODER_LAYER = Pattern.compile("^mask_decoder\\.transformer\\.layers\\.(\\d+)\\.");
    private static final Pattern LORA = Pattern.compile("\\.(linear_[ab]_[qv]|w_[ab])\\.weight$");

    /** @throws SamtuneException when the checkpoint is not a SAM state dict */
    public static CheckpointSummary of(StateDict sd) {
        if (!sd.keys().stream().anyMatch(k -> k.startsWith("mask_decoder."))
                || !sd.keys().stream().anyMatch(k -> k.startsWith("image_encoder."))) {
            throw new SamtuneException(sd.source() + ": not a SAM checkpoint (no image_encoder.* and mask_decoder.* "
                    + "keys; first key: " + sd.keys().stream().findFirst().orElse("none") + ")");
        }
        boolean tiny = SamModels.isTinyViT(sd);
        SamConfig config = null;
        String arch = "vit_t";
        List<String> stages = new ArrayList<>();
        if (tiny) {
            for (int s = 0; sd.contains("image_encoder.layers." + s + ".blocks.0." + (s == 0 ? "conv1.c.weight"
                    : "attn.qkv.weight")); s++) {
                int blocks = 0;
                while (hasPrefix(sd, "image_encoder.layers." + s + ".blocks." + blocks + ".")) {
                    blocks++;
                }
                long dim = s == 0 ? sd.get("image_encoder.layers.0.blocks.0.conv1.c.weight").shape()[1]
                        : sd.get("image_encoder.layers." + s + ".blocks.0.attn.qkv.weight").shape()[1];
                stages.add("stage " + s + ": " + blocks + (s == 0 ? " MBConv" : " TinyViT") + " blocks, dim " + dim);
            }
        } else {
            config = SamConfig.infer(sd);
            arch = config.arch();
        }
        SamConfig.Decoder decoder = config != null ? config.decoder() : SamConfig.inferDecoder(sd);

        Map<String, Long> elements = new LinkedHashMap<>();
        for (String c : List.of("image_encoder", "prompt_encoder", "mask_decoder", "adapters", "lora", "other")) {
            elements.put(c, 0L);
        }
        Map<String, Integer> dtypes = new TreeMap<>();
        int rank = 0;
        TreeSet<String> loraBlocks = new TreeSet<>(CheckpointSummary::byNumbers);
        TreeSet<String> adapterBlocks = new TreeSet<>(CheckpointSummary::byNumbers);
        TreeSet<Integer> adapterLayers = new TreeSet<>();
        int decoderLora = 0;
        for (Map.Entry<String, TensorData> e : sd.tensors().entrySet()) {
            String k = e.getKey();
            TensorData t = e.getValue();
            dtypes.merge(t.dtype().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
            String component;
            if (k.contains("Adapter.")) {
                component = "adapters";
                String block = encoderBlock(k);
                if (block != null) {
                    adapterBlocks.add(block);
                }
                Matcher d = DECODER_LAYER.matcher(k);
                if (d.find()) {
                    adapterLayers.add(Integer.parseInt(d.group(1)));
                }
            } else if (LORA.matcher(k).find()) {
                component = "lora";
                if (k.endsWith(".linear_a_q.weight") || k.endsWith(".w_a.weight")) {
                    rank = (int) t.shape()[0];
                }
                if (k.endsWith(".linear_a_q.weight")) {
                    loraBlocks.add(encoderBlock(k));
                } else if (k.endsWith(".w_a.weight") && k.startsWith("mask_decoder.")) {
                    decoderLora++;
                }
            } else {
                int dot = k.indexOf('.');
                component = dot > 0 && elements.containsKey(k.substring(0, dot)) ? k.substring(0, dot) : "other";
            }
            elements.merge(component, t.numel(), Long::sum);
        }
        return new CheckpointSummary(sd.source(), sd.size(), sd.numel(), arch, config, decoder, stages, elements,
                rank, List.copyOf(loraBlocks), decoderLora, List.copyOf(adapterBlocks), List.copyOf(adapterLayers),
                dtypes);
    }

    private static boolean hasPrefix(StateDict sd, String prefix) {
        return sd.keys().stream().anyMatch(k -> k.startsWith(prefix));
    }

    private static String encoderBlock(String key) {
        Matcher m = VIT_BLOCK.matcher(key);
        if (m.find()) {
            return m.group(1);
        }
        m = TINY_BLOCK.matcher(key);
        return m.find() ? m.group(1) + "." + m.group(2) : null;
    }

    private static int byNumbers(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
