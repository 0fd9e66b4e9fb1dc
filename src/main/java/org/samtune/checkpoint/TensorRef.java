package org.samtune.checkpoint;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view of {@code storage} starting at element
 * {@code offset} with {@code size} and {@code stride} in elements. Nothing is read until the archive materialises
 * it, so tensors that are not wanted (optimizer state) cost nothing.
 */
record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}
