package org.samtune.io;

import java.nio.file.Path;
import org.samtune.SamtuneException;

/**
 * An image file (NIfTI, DICOM, PNG...) whose content is malformed or uses a feature samtune does not read. The
 * one-line message starts with the file and names the offending field and what was expected, e.g.
 * {@code scan.nii.gz: NIfTI dim[1] is -5; expected 1 or more} or
 * {@code scan.dcm: Rows (0028,0010): expected 1..65535, got 0}.
 */
public class FormatException extends SamtuneException {
    private final Path file;
    private final String field;
    private final String problem;

    /** {@code what} already names the field and the expectation. */
    public FormatException(Path file, String what) {
        super(oneLine(file + ": " + what));
        this.file = file;
        this.field = null;
        this.problem = what;
    }

    public FormatException(Path file, String what, Throwable cause) {
        super(oneLine(file + ": " + what), cause);
        this.file = file;
        this.field = null;
        this.problem = what;
    }

    public FormatException(Path file, String field, String problem) {
        super(oneLine(file + ": " + field + ": " + problem));
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    public FormatException(Path file, String field, String problem, Throwable cause) {
        super(oneLine(file + ": " + field + ": " + problem), cause);
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    /** Control characters (from corrupt values quoted in the message) as \xNN, so the message stays one line. */
    private static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 32 || c == 127) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    public Path file() {
        return file;
    }

    /** The offending field, or null when the message names it itself. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
