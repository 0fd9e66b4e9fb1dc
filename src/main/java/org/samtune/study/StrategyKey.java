package org.samtune.study;

import java.util.ArrayList;
import java.util.List;
import org.samtune.model.nn.Precision;

/**
 * What a study compares: architecture, what trains, how, the starting checkpoint, the prompt mode, the number
 * of training slices and the number format of the products ({@code --precision}). Cells that differ only in the seed
 * belong to one strategy (their mean and sd over seeds are reported). {@code tune} and {@code method} are
 * {@code "-"} for the U-Nets, which train all their weights.
 */
public record StrategyKey(String arch, String tune, String method, String setup, String prompt, String shots,
                          Precision precision) {

    public static final String NONE = "-";

    /** A strategy in float32, the default precision. */
    public StrategyKey(String arch, String tune, String method, String setup, String prompt, String shots) {
        this(arch, tune, method, setup, prompt, shots, Precision.FP32);
    }

    /**
     * A folder-safe id, e.g. {@code compact-encdec-adapter.random.none.all}, with {@code .bf16} appended for bf16
     * (float32 cells keep the folders of studies made before the precision axis, so those continue).
     */
    public String id() {
        String t = switch (tune) {
            case "decoder" -> "dec";
            case "encoder+decoder" -> "encdec";
            default -> tune;
        };
        String head = NONE.equals(tune) ? arch : arch + "-" + t + "-" + method;
        String id = head + "." + setup + "." + prompt + "." + shots;
        return precision == Precision.FP32 ? id : id + "." + precision.id();
    }

    /**
     * A readable name for tables and plots, e.g. {@code compact enc+dec adapter}; the setup, prompt, shots and
     * precision are added when the study varies them.
     */
    public String label(boolean withSetup, boolean withPrompt, boolean withShots, boolean withPrecision) {
        List<String> parts = new ArrayList<>();
        parts.add(arch);
        if (!NONE.equals(tune)) {
            parts.add("decoder".equals(tune) ? "dec" : "enc+dec");
            parts.add(method);
        }
        if (withSetup) {
            parts.add("[" + setup + "]");
        }
        if (withPrompt) {
            parts.add("prompt " + prompt);
        }
        if (withShots) {
            parts.add("all".equals(shots) ? "all slices" : shots + "-shot");
        }
        if (withPrecision) {
            parts.add(precision.id());
        }
        return String.join(" ", parts);
    }
}
