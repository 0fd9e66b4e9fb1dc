package org.samtune.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The prompts of one click or drag, in pixels of the slice (x to the right, y down, as {@code predict --point}):
 * points with labels (1 foreground, 0 background) and/or one box.
 */
record Prompt(double[] pointsXY, int[] labels, double[] box) {
    static final int MAX_POINTS = 64;

    static Prompt parse(JsonNode body, int width, int height) {
        double[] xy = null;
        int[] labels = null;
        JsonNode pts = body.get("points");
        if (pts != null && !pts.isNull()) {
            if (!pts.isArray() || pts.size() > MAX_POINTS) {
                throw ServeException.badRequest("points: expected a list of at most " + MAX_POINTS + " [x, y, label]");
            }
            if (pts.size() > 0) {
                xy = new double[2 * pts.size()];
                labels = new int[pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    JsonNode p = pts.get(i);
                    if (!p.isArray() || p.size() != 3 || !p.get(0).isNumber() || !p.get(1).isNumber()
                            || !p.get(2).isInt()) {
                        throw ServeException.badRequest("points[" + i + "]: expected [x, y, label]");
                    }
                    double x = p.get(0).asDouble();
                    double y = p.get(1).asDouble();
                    int l = p.get(2).asInt();
                    if (!(x >= 0 && x < width && y >= 0 && y < height)) {
                        throw ServeException.badRequest("points[" + i + "] (" + x + ", " + y + ") is outside the "
                                + width + "×" + height + " slice");
                    }
                    if (l != 0 && l != 1) {
                        throw ServeException.badRequest("points[" + i + "]: label must be 1 (foreground) or 0"
                                + " (background), got " + l);
                    }
                    xy[2 * i] = x;
                    xy[2 * i + 1] = y;
                    labels[i] = l;
                }
            }
        }
        double[] box = null;
        JsonNode b = body.get("box");
        if (b != null && !b.isNull()) {
            if (!b.isArray() || b.size() != 4) {
                throw ServeException.badRequest("box: expected [x0, y0, x1, y1]");
            }
            box = new double[4];
            for (int i = 0; i < 4; i++) {
                if (!b.get(i).isNumber()) {
                    throw ServeException.badRequest("box: expected four numbers");
                }
                box[i] = b.get(i).asDouble();
            }
            if (!(box[0] <= box[2] && box[1] <= box[3] && box[0] >= 0 && box[1] >= 0 && box[2] <= width
                    && box[3] <= height)) {
                throw ServeException.badRequest("box: expected 0 ≤ x0 ≤ x1 ≤ " + width + " and 0 ≤ y0 ≤ y1 ≤ "
                        + height);
            }
        }
        if (xy == null && box == null) {
            throw ServeException.badRequest("a prompt needs at least one point or a box");
        }
        return new Prompt(xy, labels, box);
    }
}
