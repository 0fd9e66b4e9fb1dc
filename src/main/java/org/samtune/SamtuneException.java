package org.samtune;

/**
 * An error caused by the user's input (a file, a flag, a dataset), as opposed to a bug.
 *
 * <p>The message is shown to the user as it is, on one line, so it must name the file, the field and what was
 * expected. The CLI prints it without a stack trace and exits with a non-zero code.
 */
public class SamtuneException extends RuntimeException {
    public SamtuneException(String message) {
        super(message);
    }

    public SamtuneException(String message, Throwable cause) {
        super(message, cause);
    }
}
