package org.samtune.model.nn;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code torch.nn.ModuleList}: children named by their index ({@code blocks.0}, {@code blocks.1}, ...), so the
 * state-dict keys match PyTorch's. An index may be left empty, as {@code nn.Sequential} does for a parameter-free
 * activation at that position ({@code patch_embed.seq.1} is a GELU: keys jump from {@code seq.0} to
 * {@code seq.2}).
 */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList(NDManager manager) {
        super(manager);
    }

    /** Appends {@code m} under the next index. */
    public M add(M m) {
        module(String.valueOf(items.size()), m);
        items.add(m);
        return m;
    }

    /** Leaves the next index empty (a parameter-free layer in PyTorch's sequence). */
    public void skip() {
        items.add(null);
    }

    public M get(int index) {
        M m = items.get(index);
        if (m == null) {
            throw new IllegalArgumentException("index " + index + " of this ModuleList holds no module");
        }
        return m;
    }

    public int size() {
        return items.size();
    }

    /** The registered modules in index order (empty indices left out). */
    public List<M> modules() {
        List<M> out = new ArrayList<>(items);
        out.removeIf(java.util.Objects::isNull);
        return Collections.unmodifiableList(out);
    }
}
