package org.samtune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.samtune.serve.SamtuneServer;
import org.samtune.serve.ServeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code samtune serve}: the local web application (segment, correct, export). See docs/serve.md. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Open images below a folder in the browser: prompt SAM with clicks and boxes, build a label",
            "volume with classes, brush and undo, segment whole volumes with a fine-tuned run, export NIfTI and a",
            "prepare-style dataset. Listens on 127.0.0.1; see docs/serve.md."})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--root", paramLabel = "DIR", defaultValue = ".",
            description = "The only folder the server reads and writes (default: the current folder).")
    Path root;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Any other than loopback requires the "
                    + "access token printed at start.")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8765",
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--checkpoint", paramLabel = "CKPT",
            description = "SAM / MobileSAM / MedSAM weights for prompting (.pth or .safetensors).")
    Path checkpoint;

    @Option(names = "--run", paramLabel = "RUN",
            description = "A fine-tuned run of `samtune train`: segments whole volumes; without --checkpoint its "
                    + "base checkpoint answers the prompts.")
    Path run;

    @Option(names = "--max-upload-mb", paramLabel = "MB", defaultValue = "512",
            description = "Largest upload accepted (default: ${DEFAULT-VALUE}).")
    long maxUploadMb;

    @Option(names = "--embedding-cache", paramLabel = "N", defaultValue = "32",
            description = "Slice embeddings kept in memory, least recently used dropped (default: ${DEFAULT-VALUE};"
                    + " ViT-B: 4 MiB each).")
    int embeddingCache;

    @Option(names = "--max-open", paramLabel = "N", defaultValue = "4",
            description = "Images kept in memory, least recently used dropped (default: ${DEFAULT-VALUE}).")
    int maxOpen;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        compute.apply();
        ServeOptions o = new ServeOptions(root, host, port, checkpoint, run, maxUploadMb * 1024 * 1024,
                embeddingCache, maxOpen);
        SamtuneServer server = new SamtuneServer(o);
        String address = server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "samtune-serve-stop"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("model: " + server.modelDescription());
        out.println("root: " + root.toAbsolutePath().normalize());
        if (server.accessToken() != null) {
            out.println("access token: " + server.accessToken() + " (every request needs it; keep it private)");
        }
        out.println("open: " + address);
        out.println("stop: Ctrl-C");
        out.flush();
        stopped.await();
        return 0;
    }
}
