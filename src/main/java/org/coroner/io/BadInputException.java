package org.coroner.io;

import java.nio.file.Path;

/**
 * Input that Coroner cannot use: a missing, truncated or malformed file, the wrong architecture.
 * The message is one line that names the file and the problem; the CLI prints it and exits 2.
 */
public class BadInputException extends RuntimeException {
    private final transient Path file;

    public BadInputException(Path file, String problem) {
        super((file == null ? "" : file + ": ") + problem);
        this.file = file;
    }

    public BadInputException(String message) {
        super(message);
        this.file = null;
    }

    public Path file() {
        return file;
    }
}
