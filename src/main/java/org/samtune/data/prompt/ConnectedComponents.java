package org.samtune.data.prompt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * 8-connected components of a binary mask ({@code skimage.measure.label(mask, connectivity=2)}): labels 1..n in
 * raster order of each component's first pixel.
 */
public final class ConnectedComponents {
    private final int width;
    private final int height;
    private final int[] labels;
    private final int[] areas; // index = label

    private ConnectedComponents(int width, int height, int[] labels, int[] areas) {
        this.width = width;
        this.height = height;
        this.labels = labels;
        this.areas = areas;
    }

    /** Labels the non-zero pixels of a row-major mask. */
    public static ConnectedComponents label(byte[] mask, int width, int height) {
        int[] labels = new int[width * height];
        List<Integer> areas = new ArrayList<>();
        areas.add(0);
        int[] stack = new int[width * height];
        int next = 0;
        for (int start = 0; start < mask.length; start++) {
            if (mask[start] == 0 || labels[start] != 0) {
                continue;
            }
            int id = ++next;
            int area = 0;
            int top = 0;
            stack[top++] = start;
            labels[start] = id;
            while (top > 0) {
                int p = stack[--top];
                area++;
                int px = p % width;
                int py = p / width;
                for (int dy = -1; dy <= 1; dy++) {
                    int ny = py + dy;
                    if (ny < 0 || ny >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int nx = px + dx;
                        if (nx < 0 || nx >= width) {
                            continue;
                        }
                        int q = ny * width + nx;
                        if (mask[q] != 0 && labels[q] == 0) {
                            labels[q] = id;
                            stack[top++] = q;
                        }
                    }
                }
            }
            areas.add(area);
        }
        return new ConnectedComponents(width, height, labels, areas.stream().mapToInt(Integer::intValue).toArray());
    }

    public int count() {
        return areas.length - 1;
    }

    public int area(int label) {
        return areas[label];
    }

    public int labelAt(int x, int y) {
        return labels[y * width + x];
    }

    /**
     * Labels ordered as finetune-SAM orders them: {@code sorted(zip(area_ratio, label))} reversed, i.e. largest
     * first, and among equal areas the higher label first.
     */
    public List<Integer> byAreaDescending() {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i < areas.length; i++) {
            ids.add(i);
        }
        ids.sort(Comparator.<Integer>comparingInt(i -> areas[i]).thenComparingInt(i -> i).reversed());
        return ids;
    }

    /** A 0/1 mask of one component. */
    public byte[] mask(int label) {
        byte[] m = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            m[i] = (byte) (labels[i] == label ? 1 : 0);
        }
        return m;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
