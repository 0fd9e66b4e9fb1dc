package org.samtune.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in file order, as PyTorch's {@code state_dict()}: keys such as
 * {@code image_encoder.blocks.3.attn.qkv.weight}. {@code source} names where it came from, for error messages.
 */
public final class StateDict {
    private final LinkedHashMap<String, TensorData> tensors;
    private final String source;

    public StateDict(Map<String, TensorData> tensors, String source) {
        this.tensors = new LinkedHashMap<>(tensors);
        this.source = source;
    }

    public String source() {
        return source;
    }

    public Map<String, TensorData> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public TensorData get(String key) {
        return tensors.get(key);
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    public int size() {
        return tensors.size();
    }

    /** Total number of elements over all tensors. */
    public long numel() {
        long n = 0;
        for (TensorData t : tensors.values()) {
            n += t.numel();
        }
        return n;
    }

    /** The entries whose key starts with {@code prefix}, with the prefix removed. */
    public StateDict withPrefixRemoved(String prefix) {
        LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return new StateDict(out, source);
    }
}
