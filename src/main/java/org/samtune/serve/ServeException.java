package org.samtune.serve;

import org.samtune.SamtuneException;

/** A refused request: the one-line message goes to the page, with the HTTP status that says why. */
public class ServeException extends SamtuneException {
    private final int status;

    public ServeException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ServeException badRequest(String message) {
        return new ServeException(400, message);
    }

    public static ServeException notFound(String message) {
        return new ServeException(404, message);
    }

    public static ServeException forbidden(String message) {
        return new ServeException(403, message);
    }
}
