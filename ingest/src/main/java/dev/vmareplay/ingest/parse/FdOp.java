package dev.vmareplay.ingest.parse;

/**
 * A change to a task's fd table seen in the trace (not an event of its own: the resolver
 * applies it in merged order, so that each mmap finds its open file description).
 */
public record FdOp(long tsNs, int tid, Kind kind, int fd, int fd2, String path, boolean cloexec, long flags) {
    /** OPEN's {@code flags}: the open (open, openat, openat2, creat) had access mode O_RDONLY. */
    public static final long READ_ONLY = 1L << 40;

    public enum Kind {
        /** a new open file description at {@code fd} (open, openat, memfd_create, socket, pipe end, ...) */
        OPEN,
        /** {@code fd2} becomes a duplicate of {@code fd} (dup, dup2, dup3, fcntl F_DUPFD) */
        DUP,
        CLOSE,
        /** close_range(fd, fd2, flags) */
        CLOSE_RANGE,
        /** fcntl(F_SETFD): set or clear close-on-exec on {@code fd} */
        SET_CLOEXEC
    }
}
