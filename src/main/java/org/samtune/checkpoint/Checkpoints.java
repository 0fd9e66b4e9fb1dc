package org.samtune.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads model weights from whatever checkpoint a user has: a {@code torch.save} {@code .pth}/{@code .pt} (told by
 * content, not by name) or a {@code .safetensors} file.
 *
 * <p>Training scripts often save more than the state dict. A {@code .pth} is unwrapped the way people save them:
 * <ul>
 *   <li>{@code {"model": sd, "optimizer": ..., "epoch": 7}} (MedSAM training), {@code {"state_dict": sd, ...}} and
 *       {@code {"model_state_dict": sd, ...}}, also nested, are followed down to the dict that holds tensors; the
 *       other entries (optimizer state, epoch, ...) are never read;</li>
 *   <li>{@code module.} prefixes, which {@code nn.DataParallel} adds to every key, are removed when every key has
 *       one;</li>
 *   <li>non-tensor values beside the tensors are skipped with a note.</li>
 * </ul>
 */
public final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    /** Wrapper keys followed, in this order, from a dict that holds no tensor itself. */
    private static final List<String> WRAPPERS = List.of("model", "state_dict", "model_state_dict");
    private static final int MAX_NESTING = 4;
    private static final String DATA_PARALLEL_PREFIX = "module.";

    private Checkpoints() {}

    /** {@link #load(Path, Consumer)}, with the notes logged at INFO. */
    public static StateDict load(Path file) {
        return load(file, note -> LOG.info("{}: {}", file.getFileName(), note));
    }

    /**
     * The state dict in {@code file}. {@code notes} receives one line for each thing done to the file's content
     * that the user may want to know (a wrapper followed, a prefix removed, entries skipped).
     *
     * @throws CheckpointException if the file is neither format, is damaged or hostile, or holds no tensors
     */
    public static StateDict load(Path file, Consumer<String> notes) {
        byte[] head;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            head = in.readNBytes(16);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
        // safetensors first: its header length is any 8 bytes, e.g. 0x80 or "PK" as the first byte
        if (looksLikeSafetensors(head, size)) {
            return Safetensors.read(file);
        }
        if (head.length >= 2 && head[0] == 'P' && head[1] == 'K' || head.length > 0 && (head[0] & 0xff) == 0x80) {
            return loadPth(file, notes); // the zip, or a legacy/bare pickle that PthArchive explains
        }
        throw new CheckpointException(file, "is neither a PyTorch checkpoint (a torch.save zip archive) nor a "
                + "safetensors file");
    }

    /** An 8-byte little-endian header length that fits the file, then the JSON header's opening brace. */
    private static boolean looksLikeSafetensors(byte[] head, long size) {
        if (head.length < 9) {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 0 && n <= size - 8 && head[8] == '{';
    }

    private static StateDict loadPth(Path file, Consumer<String> notes) {
        try (PthArchive archive = PthArchive.open(file)) {
            Map<?, ?> dict = PthReader.topDict(file, archive.root());
            String path = "";
            for (int depth = 0; depth < MAX_NESTING && !holdsTensors(dict); depth++) {
                Map<?, ?> inner = null;
                for (String w : WRAPPERS) {
                    if (dict.get(w) instanceof Map<?, ?> m) {
                        inner = m;
                        path = path + "[\"" + w + "\"]";
                        break;
                    }
                }
                if (inner == null) {
                    break;
                }
                dict = inner;
            }
            if (!path.isEmpty()) {
                notes.accept("weights taken from checkpoint" + path);
            }
            List<String> tensorKeys = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                String k = e.getKey() instanceof String s ? s : String.valueOf(e.getKey());
                if (e.getKey() instanceof String && e.getValue() instanceof TensorRef) {
                    tensorKeys.add(k);
                } else {
                    skipped.add(RestrictedUnpickler.printable(k) + " (" + RestrictedUnpickler.typeName(e.getValue())
                            + ")");
                }
            }
            if (tensorKeys.isEmpty()) {
                throw new CheckpointException(file, "holds no tensors" + (path.isEmpty() ? "" : " under " + path)
                        + "; its keys are " + summary(skipped) + " (expected a state dict, or one under \"model\" or "
                        + "\"state_dict\")");
            }
            if (!skipped.isEmpty()) {
                notes.accept("skipped " + skipped.size() + " non-tensor entries: " + summary(skipped));
            }
            boolean dataParallel = tensorKeys.stream().allMatch(k -> k.startsWith(DATA_PARALLEL_PREFIX));
            if (dataParallel) {
                notes.accept("removed the DataParallel prefix 'module.' from every key");
            }
            LinkedHashMap<String, TensorData> tensors =
                    PthReader.tensors(archive, dict, dataParallel ? DATA_PARALLEL_PREFIX : "");
            return new StateDict(tensors, file.getFileName().toString());
        }
    }

    private static boolean holdsTensors(Map<?, ?> dict) {
        for (Object v : dict.values()) {
            if (v instanceof TensorRef) {
                return true;
            }
        }
        return false;
    }

    private static String summary(List<String> items) {
        if (items.isEmpty()) {
            return "none";
        }
        int shown = Math.min(items.size(), 8);
        return String.join(", ", items.subList(0, shown)) + (items.size() > shown ? ", ..." : "");
    }
}
