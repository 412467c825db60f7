package org.ichtriage.analysis;

import java.nio.file.Path;

/** The per-installation patient key file cannot be created or read; names the file, never the key. */
public final class PatientKeyException extends RuntimeException {
    private final Path file;

    public PatientKeyException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
