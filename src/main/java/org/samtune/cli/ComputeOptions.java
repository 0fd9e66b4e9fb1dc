package org.samtune.cli;

import org.samtune.model.nn.Compute;
import org.samtune.model.nn.Precision;
import picocli.CommandLine.Option;

/** {@code --device}, {@code --threads} and {@code --precision}, shared by every verb that computes with libtorch. */
final class ComputeOptions {
    @Option(names = "--device", paramLabel = "cpu|gpu[:N]",
            description = "Where to compute: cpu, gpu (= gpu:0) or gpu:N (default: a GPU when libtorch sees one, "
                    + "else cpu). A missing GPU is an error, never a silent fall-back.")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch intra-op threads for CPU work (default: libtorch's choice, the number of cores).")
    Integer threads;

    @Option(names = "--precision", paramLabel = "fp32|bf16",
            description = "Number format of matmuls and convolutions: fp32 (default, PyTorch's numbers) or bf16 "
                    + "(autocast-style: bf16 products, float32 normalisation, softmax, loss and optimiser state; "
                    + "needs a CPU with AVX512-BF16 or AMX).")
    String precision;

    /** The flags as given, for a verb that runs other verbs (demo). */
    java.util.List<String> flags() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (device != null) {
            out.addAll(java.util.List.of("--device", device));
        }
        if (threads != null) {
            out.addAll(java.util.List.of("--threads", threads.toString()));
        }
        if (precision != null) {
            out.addAll(java.util.List.of("--precision", precision));
        }
        return out;
    }

    /** The flags as one record for {@link Compute#use(Compute.Settings)}. */
    Compute.Settings settings() {
        return new Compute.Settings(device, threads, precision == null ? null : Precision.parse(precision));
    }

    /** Selects device, threads and precision for this process; call first in the verb. */
    void apply() {
        Compute.use(settings());
    }
}
