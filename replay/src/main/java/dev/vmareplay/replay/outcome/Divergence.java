package dev.vmareplay.replay.outcome;

/**
 * The trace and the model disagreed at event {@code seq}; the replay reconciled and says why.
 *
 * @param seq    the event, -1 for the trace as a whole (lost events)
 * @param pid    the process, 0 for the trace as a whole
 * @param cause  the cause as stored in the divergences table: a {@link DivergenceCause#label()}
 * @param detail one sentence for a human
 */
public record Divergence(long seq, int pid, String cause, String detail) {

    public Divergence(long seq, int pid, DivergenceCause cause, String detail) {
        this(seq, pid, cause.label(), detail);
    }
}
