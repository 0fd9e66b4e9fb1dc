package org.samtune.checkpoint;

/**
 * A storage named by a pickle's persistent id {@code ('storage', torch.FloatStorage, key, location, numel)}: its
 * bytes are the archive entry {@code data/<key>}. {@code location} (e.g. {@code cuda:0}) is ignored: every tensor
 * is read to the heap.
 */
record StorageRef(DType dtype, String key, String location, long numel) {}
