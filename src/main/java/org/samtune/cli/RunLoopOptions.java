package org.samtune.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a training loop's run folder is continued and checkpointed: the same for {@code train}, {@code pretrain mae}
 * and {@code pretrain prompts}, which all run crash-safe loops in run folders.
 */
final class RunLoopOptions {
    @Option(names = "--resume", paramLabel = "RUN", description = "continue the run in this folder from its last checkpoint")
    Path resume;

    @Option(names = "--checkpoint-every", description = "write the resume checkpoint every N iterations (default 50; also every epoch)")
    int checkpointEvery = 50;

    @Option(names = "--max-iterations", description = "stop after this many iterations (for smoke tests)")
    long maxIterations;
}
