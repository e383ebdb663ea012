package dev.vmareplay.ingest.event;

/**
 * Where an event was read: the input file (as the user named it) and the 1-based line
 * number of the line that completed it (for a resumed call, the resumed half).
 */
public record Source(String file, long line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
