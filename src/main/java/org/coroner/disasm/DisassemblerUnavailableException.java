package org.coroner.disasm;

import org.coroner.io.BadInputException;

/**
 * The native disassembler cannot be used (library missing or of the wrong version). The message is
 * one line telling the user what to install; being a {@link BadInputException}, the CLI prints it as
 * is, without a stack trace.
 */
public final class DisassemblerUnavailableException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public DisassemblerUnavailableException(String message) {
        super(message);
    }

    public DisassemblerUnavailableException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
