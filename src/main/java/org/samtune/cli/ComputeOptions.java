package org.samtune.cli;

import org.samtune.model.nn.Compute;
import picocli.CommandLine.Option;

/** {@code --device} and {@code --threads}, shared by every verb that computes with libtorch. */
final class ComputeOptions {
    @Option(names = "--device", paramLabel = "cpu|gpu[:N]",
            description = "Where to compute: cpu, gpu (= gpu:0) or gpu:N (default: a GPU when libtorch sees one, "
                    + "else cpu). A missing GPU is an error, never a silent fall-back.")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch intra-op threads for CPU work (default: libtorch's choice, the number of cores).")
    Integer threads;

    /** The flags as given, for a verb that runs other verbs (demo). */
    java.util.List<String> flags() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (device != null) {
            out.addAll(java.util.List.of("--device", device));
        }
        if (threads != null) {
            out.addAll(java.util.List.of("--threads", threads.toString()));
        }
        return out;
    }

    /** Selects device and threads for this process; call first in the verb. */
    void apply() {
        Compute.use(device, threads);
    }
}
