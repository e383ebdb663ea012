package dev.vmareplay.replay.outcome;

/**
 * Why the trace and the model disagreed. The trace is ground truth about what the kernel
 * returned; when the model would have answered otherwise, the replay reconciles (so that
 * later events still land on the right state) and records one of these causes.
 */
public enum DivergenceCause {
    /** The call succeeded in the trace on a range the model has no VMA for (mapped before
     *  the trace started, or by the kernel during execve); the missing mapping was created. */
    MISSING_MAPPING("missing-mapping"),
    /** The model refused a call the trace says succeeded, for a reason creating mappings
     *  cannot fix (sealing, permissions, a special mapping). */
    MODEL_REFUSED("model-refused"),
    /** The trace says the call failed; the model would have succeeded. */
    MODEL_ACCEPTED("model-accepted"),
    /** Both failed, with different errnos. */
    ERRNO_DIFFERS("errno-differs"),
    /** mmap without MAP_FIXED landed on a range the model believed mapped: the model's stale
     *  VMAs were dropped (an munmap the trace does not show, or a lost event). */
    STALE_MAPPING("stale-mapping"),
    /** A task appeared whose creation the trace does not show (strace -p, a trace cut mid-life):
     *  it got an address space of its own. */
    UNKNOWN_TASK("unknown-task"),
    /** munmap/mprotect/mremap failed with EPERM in the trace on VMAs the model had unsealed:
     *  an mseal the trace does not show (perf trace drops it) was applied to the model. */
    INFERRED_SEAL("inferred-seal"),
    /** brk with no known heap: the break was taken from the trace. */
    BRK_UNKNOWN("brk-unknown"),
    /** perf reported lost events: the trace is incomplete. */
    LOST_EVENTS("lost-events"),
    /** An event of a task that had already exited (perf trace prints some lines out of order,
     *  after the task's exit): ignored. */
    LATE_EVENT("late-event"),
    /** The mmap lock lines name an address space (mm) the model's process tree does not give the
     *  task: two of the model's address spaces share one mm, or one of them took two mms' locks. */
    MM_IDENTITY("mm-identity"),
    /** perf printed a call's result half without its arguments (or its entry half without a
     *  result): what the call did was inferred from the rest of the trace and the layout. */
    RESULT_ONLY("reconciled-half");

    private final String label;

    DivergenceCause(String label) {
        this.label = label;
    }

    /** The cause as stored in the divergences table. */
    public String label() {
        return label;
    }
}
