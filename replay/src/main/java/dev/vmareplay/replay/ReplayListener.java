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

    /**
     * One VMA of an address space's layout at its peak VMA count, reported when the address
     * space ends. {@code seq} is the event after which the layout was taken: exactly the peak
     * below 4 096 VMAs, above that within 2 % of it (snapshots cost O(VMAs)).
     */
    default void onPeakVma(long mmId, long seq, FinalVma vma) { }

    /** One VMA's whole life, reported when it ends (or at the end of the trace). */
    default void onVmaLife(VmaLife life) { }

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

    /**
     * The life of one VMA (one engine VMA object: merges keep the target's identity, a split
     * creates the new piece).
     *
     * @param start       the VMA's start when it was created
     * @param end         its end when it was created
     * @param createdSeq  the event that created it (-1: seeded from a snapshot)
     * @param createdBy   mmap, brk, mremap (a new VMA), split (a piece of {@code parentVma}),
     *                    seed, fork, or reconciled:SYSCALL (created to agree with the trace)
     * @param splits      how often it was split (each split made a new VMA)
     * @param merges      how many merges it was the surviving target of
     * @param removedSeq  the event that removed it; -1 when it was still mapped at the end
     * @param removedBy   munmap, mmap (MAP_FIXED over it), mremap, brk, merge (absorbed into
     *                    {@code mergedInto}), exit, execve; null when still mapped
     */
    record VmaLife(long mmId, long vmaId, long start, long end, long createdSeq, String createdBy, long parentVma,
                   int splits, int merges, long removedSeq, String removedBy, long mergedInto) { }

    /** Totals of one completed run. */
    record RunSummary(long events, long divergences, long vmaEvents, long processes) { }
}
