package dev.vmareplay.ingest.parse;

/**
 * A new task seen before its parent's clone returned (strace prints the child's first calls
 * and "Process N attached" before the parent's {@code <... clone resumed>}). {@code flags}
 * are the clone flags of the parent's pending clone, -1 when unknown.
 */
public record TaskHint(long tsNs, int child, int parent, long flags) {
}
