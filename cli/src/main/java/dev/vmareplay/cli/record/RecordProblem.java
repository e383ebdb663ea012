package dev.vmareplay.cli.record;

/**
 * Recording cannot go on: a tool is missing, tracing is not permitted, the snapshot library
 * cannot be built. The message says what to install or change.
 */
public final class RecordProblem extends Exception {

    /** Whether the fault is the environment or the command line (exit 2) rather than an input file. */
    private final boolean usage;

    public RecordProblem(String message) {
        this(message, true);
    }

    public RecordProblem(String message, boolean usage) {
        super(message);
        this.usage = usage;
    }

    public boolean usage() {
        return usage;
    }
}
