package org.coroner.cli.shell;

/** A command's one-line error, printed crash-style as {@code cmd: message}; the session goes on. */
public class CommandException extends RuntimeException {
    public CommandException(String message) {
        super(message);
    }
}
