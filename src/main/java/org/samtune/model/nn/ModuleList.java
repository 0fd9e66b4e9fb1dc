package org.samtune.model.nn;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code torch.nn.ModuleList}: children named "0", "1", ... so keys read {@code blocks.3.attn.qkv.weight}. */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items = new ArrayList<>();

    public ModuleList(NDManager manager) {
        super(manager);
    }

    public M add(M m) {
        module(Integer.toString(items.size()), m);
        items.add(m);
        return m;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<M> items() {
        return Collections.unmodifiableList(items);
    }
}
