package org.samtune.study;

import java.util.ArrayList;
import java.util.List;

/**
 * What a study compares: architecture, what trains, how, the starting checkpoint, the prompt mode and the number
 * of training slices. Cells that differ only in the seed belong to one strategy (their mean and sd over seeds are
 * reported). {@code tune} and {@code method} are {@code "-"} for the U-Nets, which train all their weights.
 */
public record StrategyKey(String arch, String tune, String method, String setup, String prompt, String shots) {

    public static final String NONE = "-";

    /** A folder-safe id, e.g. {@code compact-encdec-adapter.random.none.all}. */
    public String id() {
        String t = switch (tune) {
            case "decoder" -> "dec";
            case "encoder+decoder" -> "encdec";
            default -> tune;
        };
        String head = NONE.equals(tune) ? arch : arch + "-" + t + "-" + method;
        return head + "." + setup + "." + prompt + "." + shots;
    }

    /**
     * A readable name for tables and plots, e.g. {@code compact enc+dec adapter}; the setup, prompt and shots
     * are added when {@code full} (the study varies them).
     */
    public String label(boolean withSetup, boolean withPrompt, boolean withShots) {
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
        return String.join(" ", parts);
    }
}
