package org.samtune.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple from a pickle (None is Java null).
 *
 * <p>Tuples can share children through the pickle's memo, so a few hundred bytes can describe a tuple whose
 * unfolded tree is astronomically large; hashing or comparing it naively would never finish. Everything needed to
 * use a tuple as a dict key is therefore fixed at construction: {@code depth} (nested tuples), {@code weight}
 * (nodes of the unfolded tree, saturating), {@code hashable} (only strings, numbers, booleans, None and hashable
 * tuples are) and the hash itself.
 */
record PyTuple(List<Object> items, int depth, long weight, boolean hashable, int hash) {
    static final int MAX_DEPTH = 100;

    static PyTuple of(List<Object> items) {
        int depth = 1;
        long weight = 1;
        boolean hashable = true;
        int hash = 1;
        for (Object o : items) {
            if (o instanceof PyTuple t) {
                depth = Math.max(depth, t.depth + 1);
                weight = Math.min(Long.MAX_VALUE / 4, weight + t.weight);
                hashable &= t.hashable;
                hash = 31 * hash + t.hash;
            } else {
                weight = Math.min(Long.MAX_VALUE / 4, weight + 1);
                hashable &= isHashableScalar(o);
                hash = 31 * hash + (o == null || !isHashableScalar(o) ? 0 : o.hashCode());
            }
        }
        return new PyTuple(Collections.unmodifiableList(new ArrayList<>(items)), depth, weight, hashable, hash);
    }

    static boolean isHashableScalar(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean;
    }

    Object get(int i) {
        return items.get(i);
    }

    int size() {
        return items.size();
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof PyTuple t && hash == t.hash && items.equals(t.items);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
