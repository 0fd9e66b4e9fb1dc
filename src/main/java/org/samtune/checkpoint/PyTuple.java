package org.samtune.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple from a pickle (None is Java null). {@code depth} counts nested tuples and {@code hashable} says
 * whether it may be a dict key (only strings, numbers, booleans, None and hashable tuples are); both are fixed at
 * construction, so a hostile pickle cannot make hashing recurse deeply.
 */
record PyTuple(List<Object> items, int depth, boolean hashable) {
    static final int MAX_DEPTH = 100;

    static PyTuple of(List<Object> items) {
        int depth = 1;
        boolean hashable = true;
        for (Object o : items) {
            if (o instanceof PyTuple t) {
                depth = Math.max(depth, t.depth + 1);
                hashable &= t.hashable;
            } else {
                hashable &= isHashableScalar(o);
            }
        }
        return new PyTuple(Collections.unmodifiableList(new ArrayList<>(items)), depth, hashable);
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
        return o instanceof PyTuple t && items.equals(t.items);
    }

    @Override
    public int hashCode() {
        return items.hashCode();
    }
}
