package org.samtune.cli;

import java.nio.file.Path;
import org.samtune.io.Volume;

/** The CLI's volume reader (NIfTI file, DICOM series folder or file) for tests in other packages. */
public final class PrepareCommandAccess {
    private PrepareCommandAccess() {}

    public static Volume readVolume(Path p) {
        return PrepareCommand.readVolume(p);
    }
}
