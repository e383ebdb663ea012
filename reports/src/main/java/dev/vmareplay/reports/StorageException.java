package dev.vmareplay.reports;

/**
 * The DuckDB file could not be created, opened, written or read: an unwritable path, a
 * full disk, a database held by another writer, a file written by a newer vmareplay.
 * The message names the file and says what went wrong; the CLI maps this to exit code 4.
 */
public class StorageException extends RuntimeException {

    private final transient java.nio.file.Path database;

    public StorageException(java.nio.file.Path database, String message, Throwable cause) {
        super(database + ": " + message, cause);
        this.database = database;
    }

    public StorageException(java.nio.file.Path database, String message) {
        this(database, message, null);
    }

    /** The database file the error is about. */
    public java.nio.file.Path database() {
        return database;
    }
}
