package org.samtune.io;

import java.nio.file.Path;
import org.samtune.SamtuneException;

/**
 * An image file (NIfTI, DICOM, PNG...) whose content is malformed or uses a feature samtune does not read. The
 * message starts with the file and names the offending field and what was expected, e.g.
 * {@code scan.nii.gz: NIfTI dim[1] is -5; expected 1 or more}.
 */
public class FormatException extends SamtuneException {
    public FormatException(Path file, String what) {
        super(file + ": " + what);
    }

    public FormatException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }
}
