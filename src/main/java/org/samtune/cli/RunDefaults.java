package org.samtune.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.samtune.checkpoint.Checkpoints;
import org.samtune.model.EncoderCheckpoint;
import org.samtune.model.SamModels;

/** What the verbs that make a run folder fill in when the user names no folder or no architecture. */
final class RunDefaults {
    private RunDefaults() {}

    /** {@code runs/<yyyy-MM-dd_HHmm>_<what>}: a run folder named by the minute it started and what it runs. */
    static Path runFolder(String what) {
        return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HHmm")) + "_"
                + what);
    }

    /**
     * {@code --arch} when given, else what the checkpoint's keys and shapes say (whole SAM or encoder only), else
     * vit_b.
     */
    static String arch(String arch, Path checkpoint) {
        if (arch != null) {
            return arch;
        }
        return checkpoint == null ? "vit_b" : detectedArch(checkpoint);
    }

    static String detectedArch(Path checkpoint) {
        return SamModels.detectArch(EncoderCheckpoint.asSamLayout(Checkpoints.load(checkpoint)));
    }
}
