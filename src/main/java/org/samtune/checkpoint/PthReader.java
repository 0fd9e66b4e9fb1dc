package org.samtune.checkpoint;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads PyTorch {@code .pth} / {@code .pt} files written by {@code torch.save} (the zip format of PyTorch >= 1.6, and
 * the legacy format before it) without running any code from them: the pickle inside is interpreted by an
 * allow-list unpickler that only knows tensors, storages and plain containers, and refuses every other global (e.g.
 * {@code os.system}) by name.
 *
 * <p>Tensors may be float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8 or bool, with any
 * storage offset and stride (non-contiguous views are gathered into C order), stored little- or big-endian.
 *
 * <p>For checkpoints that wrap the state dict ({@code {"model": ...}}, {@code module.} prefixes), use
 * {@link Checkpoints#load}.
 */
public final class PthReader {
    private PthReader() {}

    /**
     * The tensors of the pickled top-level dict, in file order. Entries whose value is not a tensor (or whose key
     * is not a string) are skipped.
     *
     * @throws CheckpointException if the file is not a torch.save archive, is truncated or corrupt, names a global
     *     outside the allow-list, or a tensor does not fit its storage
     */
    public static StateDict read(Path file) {
        try (PthArchive archive = PthArchive.open(file)) {
            return new StateDict(tensors(archive, topDict(file, archive.root()), ""), file.getFileName().toString());
        }
    }

    static Map<?, ?> topDict(Path file, Object root) {
        if (root instanceof Map<?, ?> m) {
            return m;
        }
        throw new CheckpointException(file, "holds " + RestrictedUnpickler.typeName(root)
                + " where a dict of tensors (a state dict) was expected");
    }

    /** The string-keyed tensors of {@code dict}, read from the archive, with {@code stripPrefix} removed. */
    static LinkedHashMap<String, TensorData> tensors(PthArchive archive, Map<?, ?> dict, String stripPrefix) {
        LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof TensorRef t) {
                String key = k.startsWith(stripPrefix) ? k.substring(stripPrefix.length()) : k;
                out.put(key, archive.materialize(k, t));
            }
        }
        return out;
    }
}
