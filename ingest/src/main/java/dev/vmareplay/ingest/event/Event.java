package dev.vmareplay.ingest.event;

/**
 * One system call (or page fault, or process event) of a traced task, as the kernel
 * reported it. Every parser turns its format into this record; everything downstream
 * (replay, reports, the canonical CSV) reads only this.
 *
 * @param seq        position in the merged input, from 0, strictly increasing
 * @param tsNs       timestamp in nanoseconds (wall clock, epoch, or relative: as the trace
 *                   gives it; {@link #NO_TIME} when the trace has none)
 * @param pid        the thread-group id (process) when known, else the tid
 * @param tid        the task that made the call
 * @param call       the decoded call and its arguments
 * @param ret        the raw return value (addresses are unsigned 64-bit: compare with
 *                   {@link Long#compareUnsigned}); meaningless when {@code errno != 0} or
 *                   {@link #retKnown} is false
 * @param errno      0 on success, the positive errno on failure (ENOMEM = 12, ...)
 * @param retKnown   false when the trace printed {@code = ?} (exit, exec of a killed task)
 * @param durationNs time spent in the kernel, in nanoseconds ({@link #NO_TIME} when absent)
 * @param source     where the event came from, for error messages and the events table
 * @param stack      strace {@code -k} stack frames of the call, innermost first (one string per
 *                   frame as strace printed it, without the leading {@code " > "}); empty when
 *                   the trace has none. Never null.
 */
public record Event(long seq, long tsNs, int pid, int tid, Call call, long ret, int errno,
                    boolean retKnown, long durationNs, Source source, java.util.List<String> stack) {

    public Event {
        stack = stack == null ? java.util.List.of() : stack;
    }

    /** An event without stack frames (the original ten-argument form). */
    public Event(long seq, long tsNs, int pid, int tid, Call call, long ret, int errno,
                 boolean retKnown, long durationNs, Source source) {
        this(seq, tsNs, pid, tid, call, ret, errno, retKnown, durationNs, source, java.util.List.of());
    }

    /** Marks an absent timestamp or duration. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public boolean succeeded() {
        return retKnown && errno == 0;
    }

    /** The syscall's name as strace prints it (mmap, mprotect, clone3, ...). */
    public String syscall() {
        return call.name();
    }
}
