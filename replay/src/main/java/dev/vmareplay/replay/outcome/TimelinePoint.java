package dev.vmareplay.replay.outcome;

/**
 * An address space's size after event {@code seq}, emitted when it changed: a row of
 * {@code vma_timeline}.
 *
 * @param tsNs the event's time, {@code Event.NO_TIME} when the trace has none
 */
public record TimelinePoint(long mmId, long seq, long tsNs, int vmaCount, long mappedBytes) { }
