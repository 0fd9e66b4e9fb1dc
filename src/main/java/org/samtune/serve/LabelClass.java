package org.samtune.serve;

import java.util.regex.Pattern;

/**
 * One class of a label volume: its voxel value (1..255), a name (the class name of {@code prepare}'s
 * dataset.yaml) and the colour the page draws it in.
 */
public record LabelClass(int value, String name, String color) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}");
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

    /** Distinct colours for the first classes (then repeated). */
    static final String[] PALETTE = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6",
        "#bcf60c", "#fabebe", "#008080", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000"};

    public LabelClass {
        if (value < 1 || value > 255) {
            throw ServeException.badRequest("class value " + value + ": expected 1..255");
        }
        if (name == null || !NAME.matcher(name).matches() || name.equalsIgnoreCase("background")) {
            throw ServeException.badRequest("class name '" + name + "': expected 1–64 letters, digits, spaces, '_',"
                    + " '.', '-' (not 'background')");
        }
        if (color == null || !COLOR.matcher(color).matches()) {
            throw ServeException.badRequest("class colour '" + color + "': expected #RRGGBB");
        }
    }
}
