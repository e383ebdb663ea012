package dev.vmareplay.replay;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.engine.VmaEvent;
import org.HdrHistogram.Histogram;

/**
 * The replay's output stream, consumed by the reports stage (DuckDB loading) and by
 * tests. Calls arrive in trace order; {@link #finish} comes last, exactly once, and only
 * when the run completed.
 */
public interface ReplayListener {

    /** A task or address space came to exist (seeded, cloned, forked, exec'd). */
    default void onProcess(ProcessInfo process) { }

    /** Every ingested event, with the address space it acted on (-1 when none). */
    default void onEvent(Event event, long mmId) { }

    /** One engine primitive caused by event {@code seq}. */
    default void onVmaEvent(long seq, int pid, long mmId, String syscall, VmaEvent event) { }

    /** The address space's size after event {@code seq}, emitted when it changed. */
    default void onTimeline(long mmId, long seq, long tsNs, int vmaCount, long mappedBytes) { }

    /** The trace and the model disagreed; the replay reconciled and says why. */
    default void onDivergence(long seq, int pid, String cause, String detail) { }

    /** One VMA of an address space's final layout. */
    default void onFinalVma(long mmId, FinalVma vma) { }

    /** A latency histogram: scope is syscall, case or engine; values in nanoseconds. */
    default void onLatency(String scope, String name, Histogram histogram) { }

    /**
     * A snapshot marker of the trace was reached (only with {@link ReplayOptions#snapshots()}):
     * at START the process was re-seeded from {@code snapshot} when it exists; at END
     * {@code layout} is the modelled layout at that point, to compare with {@code snapshot}.
     */
    default void onSnapshotPoint(SnapshotPoint point) { }

    /** The run completed; summary counts. */
    default void finish(RunSummary summary, IngestStats ingest) { }

    /** A process: {@code mmId} identifies its address space (threads share one). */
    record ProcessInfo(int pid, long mmId, int parentPid, String exe) { }

    /**
     * A VMA as {@code /proc/PID/maps} would print it.
     *
     * @param flags the kernel's vm_flags bits (VM_READ = 0x1, ...)
     * @param pgoff in pages
     * @param file  the path, a bracketed name ({@code [heap]}, {@code [anon:x]}) or null
     */
    record FinalVma(long start, long end, long flags, long pgoff, String file, String dev, long inode) { }

    /**
     * @param seq      the marker event
     * @param pid      the process that took the snapshot
     * @param start    START (after the dynamic loader) or END (at exit())
     * @param image    which image of the process: the n-th START marker of that pid (0 before any)
     * @param snapshot the snapshot file for this point, null when there is none
     * @param layout   the modelled layout at this point (after re-seeding, for START)
     */
    record SnapshotPoint(long seq, int pid, boolean start, int image, java.nio.file.Path snapshot,
                         java.util.List<dev.vmareplay.replay.maps.MapsEntry> layout) { }

    /** Totals of one completed run. */
    record RunSummary(long events, long divergences, long vmaEvents, long processes) { }
}
