package org.samtune.model.nn;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Locale;
import java.util.Map;

/**
 * How a training process gets memory for libtorch's CPU tensors. libtorch takes them from glibc's {@code malloc},
 * whose default raises its mmap threshold each time a mapped block is freed, up to 32 MiB: after the first
 * steps every tensor below that size comes from the heap, where a step's mix of saved activations and
 * short-lived intermediates of many sizes leaves holes that later tensors do not fit. For a ViT-B step at 1024²
 * with the code of 4 Dec 2026 that made the resident peak 0.7-1.0 GB higher than an 8 MiB threshold, and different
 * by up to 1.3 GB between identical runs; on the small demo model a long run grew (docs/bench.md). A fixed threshold
 * maps every larger tensor on its own and returns it to the system when it is freed, the same way from the first
 * step. (With the staged attention of 5 Dec 2026 glibc's default matched the token-map threshold below on ViT-B at
 * 1024²: the same peak over 40 steps, 0.95-0.96 of the time; docs/bench.md.)
 *
 * <p>Fresh mappings cost page faults: the kernel clears every page of every mapped tensor (mapping, clearing and
 * unmapping took 18 % of an adapter-step process of ViT-B on a 2-vCPU AMD EPYC when its 12 MiB token maps were
 * mapped). So the threshold sits just above one
 * token map of the encoder being trained ({@link #mmapThresholdFor}): the token maps, a step's most numerous large
 * tensors, are reused from the heap; the three- and four-times larger qkv and MLP maps are mapped. For ViT-B at
 * 1024² that is 16 MiB: 0.84-0.92 of the adapter and LoRA step time of an 8 MiB threshold, for 0.9-1.1 GB more at
 * the peak, where the token maps share the heap with intermediates of other sizes (docs/bench.md, 5 Dec 2026).
 *
 * <p>Only training of SAM's ViT asks for it ({@code Trainer.nativeHeapFor} decides): inference keeps no activations
 * for a backward pass and pays without a memory gain (MobileSAM's encoder ran 9-21 % slower), and MobileSAM's
 * training step, with many feature maps of 8-32 MiB, ran 19 % slower for a smaller saving. Without it a long run
 * grows: the demo's training went from 1.05 to 1.5 GB after 300 iterations where the fixed threshold held 1.3 GB.
 * Linux with glibc only; a user's own {@code MALLOC_*_} variables or glibc tunables for these thresholds are left
 * alone ({@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1}, transparent huge pages for mapped tensors, combines with it).
 */
public final class NativeHeap {
    /** The lowest threshold: the staged attention sizes its tiles to stay below it (torchscript_ops.py). */
    public static final int MIN_MMAP_THRESHOLD_BYTES = 8 << 20;
    /** The highest value glibc accepts ({@code HEAP_MAX_SIZE / 2} on 64-bit). */
    public static final int MAX_MMAP_THRESHOLD_BYTES = 32 << 20;
    /** Room for malloc's chunk header and libtorch's alignment above a token map's payload. */
    private static final long CHUNK_OVERHEAD_BYTES = 64 << 10;
    /**
     * Free memory at the top of the heap kept for reuse instead of returned to the system. Fixing the mmap
     * threshold also fixes this one at glibc's 128 KiB (its dynamic mode keeps up to 64 MiB), and then every
     * free of a few-MiB intermediate at the top of the heap is given back and faulted in again by the next one.
     */
    public static final int TRIM_THRESHOLD_BYTES = 64 << 20;
    /** glibc's {@code M_MMAP_THRESHOLD} and {@code M_TRIM_THRESHOLD} (malloc.h). */
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int M_TRIM_THRESHOLD = -1;

    private static String applied;

    private NativeHeap() {}

    private interface LibC extends Library {
        int mallopt(int param, int value);
    }

    /**
     * The threshold for an encoder whose token maps (batch × grid² × width floats) take {@code tokenMapBytes}: the
     * next power of two above one map with its chunk header, so that every token map comes from the heap, within
     * [{@link #MIN_MMAP_THRESHOLD_BYTES}, {@link #MAX_MMAP_THRESHOLD_BYTES}]. Past 32 MiB of token map (ViT-B at
     * 1024² from batch 3) glibc cannot keep them on the heap and they are mapped as at 8 MiB.
     */
    public static int mmapThresholdFor(long tokenMapBytes) {
        if (tokenMapBytes < 0) {
            throw new IllegalArgumentException("token map of " + tokenMapBytes + " bytes");
        }
        long above = Long.highestOneBit(tokenMapBytes + CHUNK_OVERHEAD_BYTES) << 1;
        return (int) Math.max(MIN_MMAP_THRESHOLD_BYTES, Math.min(MAX_MMAP_THRESHOLD_BYTES, above));
    }

    /**
     * Fixes the mmap threshold for the rest of the process, once, for the first encoder trained in it: a later
     * call (another strategy in {@code bench train}) keeps the first threshold.
     *
     * @param tokenMapBytes one token map of that encoder at its batch size
     * @return what this process's allocator does, for the run's log
     */
    public static synchronized String forTraining(long tokenMapBytes) {
        if (applied == null) {
            String reason = reasonToLeave(System.getenv(), System.getProperty("os.name", ""));
            applied = reason != null ? "allocator unchanged (" + reason + ")"
                    : mallopt(mmapThresholdFor(tokenMapBytes), tokenMapBytes);
        }
        return applied;
    }

    /** What {@link #forTraining} did in this process, or that it has not run: for benchmark output. */
    public static synchronized String state() {
        return applied != null ? applied : "glibc default (fixed only when a ViT encoder trains)";
    }

    /** Why the allocator is left as it is, or null to change it. */
    static String reasonToLeave(Map<String, String> env, String osName) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "not Linux";
        }
        for (String k : env.keySet()) {
            if (k.startsWith("MALLOC_") && k.endsWith("_")) {
                return k + " is set";
            }
        }
        // other malloc tunables (huge pages, arenas, tcache) do not touch what mallopt sets here
        String tunables = env.get("GLIBC_TUNABLES");
        if (tunables != null && (tunables.contains("glibc.malloc.mmap_threshold")
                || tunables.contains("glibc.malloc.trim_threshold"))) {
            return "GLIBC_TUNABLES sets the thresholds";
        }
        return null;
    }

    private static String mallopt(int thresholdBytes, long tokenMapBytes) {
        try {
            LibC c = Native.load("c", LibC.class);
            if (c.mallopt(M_MMAP_THRESHOLD, thresholdBytes) == 1) {
                boolean trim = c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1;
                boolean tokenMapsOnHeap = tokenMapBytes + CHUNK_OVERHEAD_BYTES < thresholdBytes;
                String kept = trim ? ", up to " + (TRIM_THRESHOLD_BYTES >> 20) + " MiB of free heap kept" : "";
                return String.format(Locale.ROOT, "tensors of %d MiB and more mapped on their own (glibc mmap"
                        + " threshold fixed; token maps of %.1f MiB %s%s)", thresholdBytes >> 20,
                        tokenMapBytes / (double) (1 << 20), tokenMapsOnHeap ? "reused from the heap" : "mapped", kept);
            }
            return "allocator unchanged (mallopt refused the mmap threshold)";
        } catch (LinkageError e) {
            // musl or another C library without glibc's mallopt: only the peak memory differs
            return "allocator unchanged (no glibc mallopt: " + e.getMessage() + ")";
        }
    }
}
