package org.samtune.checkpoint;

import java.nio.file.Path;
import org.samtune.SamtuneException;

/** A checkpoint or array file that cannot be read: the message names the file and what is wrong. */
public class CheckpointException extends SamtuneException {
    public CheckpointException(Path file, String what) {
        super(file + ": " + what);
    }

    public CheckpointException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }
}
