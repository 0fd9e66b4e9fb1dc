package org.samtune.io;

import java.nio.file.Path;
import org.samtune.SamtuneException;

/**
 * An image file (NIfTI, DICOM, ...) that cannot be read: the one-line message is
 * {@code <file>: <field>: <problem>}, e.g. {@code scan.dcm: Rows (0028,0010): expected 1..65535, got 0}.
 */
public class FormatException extends SamtuneException {
    private final Path file;
    private final String field;
    private final String problem;

    public FormatException(Path file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    public FormatException(Path file, String field, String problem, Throwable cause) {
        super(file + ": " + field + ": " + problem, cause);
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
