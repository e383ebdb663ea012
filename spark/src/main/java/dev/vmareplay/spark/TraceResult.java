package dev.vmareplay.spark;

import java.io.Serializable;

/**
 * What one task reports back to the driver about its trace (its rows are in the output
 * already): small, so that the driver can hold one per trace of a large fleet.
 *
 * @param runId   the run's fleet-wide id (its partition: {@code run_id=N})
 * @param trace   the trace as stored in {@code runs.inputs}
 * @param failure why the trace could not be replayed, or null when it was
 * @param error   the error message (naming the file and line), or null
 * @param bytes   trace bytes read
 * @param nanos   the task's wall time (a split trace's: all its tasks' together)
 * @param parts   how many parts the trace was replayed in (1: whole; see FleetOptions#splitAbove)
 */
public record TraceResult(long runId, String trace, Failure failure, String error, long bytes, long nanos, int parts)
        implements Serializable {

    /** Why a trace failed, as the fleet summary counts it. */
    public enum Failure {
        /** a line that could not be parsed, under --strict */
        MALFORMED,
        /** missing, unreadable, corrupt compression, unrecognised format */
        UNREADABLE,
        /** the run's rows could not be written */
        STORAGE,
        /** a bug in vmareplay: the error carries the stack */
        INTERNAL;

        /** snake case, as the summary's {@code name} column holds it */
        public String storageName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean ok() {
        return failure == null;
    }
}
