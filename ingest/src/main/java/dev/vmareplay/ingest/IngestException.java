package dev.vmareplay.ingest;

import java.io.IOException;

/** Input that cannot be read (missing file, unknown format, ...); the message names the file. */
public class IngestException extends IOException {
    private final String file;

    public IngestException(String file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public IngestException(String file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public String file() {
        return file;
    }
}
