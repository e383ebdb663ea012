package dev.vmareplay.replay.outcome;

/** Totals of one completed run: events replayed, divergences, engine changes, distinct processes. */
public record RunSummary(long events, long divergences, long vmaEvents, long processes) { }
