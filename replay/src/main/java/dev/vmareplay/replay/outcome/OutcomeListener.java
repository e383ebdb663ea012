package dev.vmareplay.replay.outcome;

import dev.vmareplay.ingest.IngestStats;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * What the replay emits, in trace order: the high-volume rows in {@link OutcomeBatch}es, the
 * rest one call each. The replay delivers the batch it is filling before every other call
 * (and every ~4 096 events), so a listener sees everything in the order it happened.
 * {@link #finish} comes last, exactly once, and only when the run completed.
 *
 * <p>Every method does nothing by default: a listener implements what it needs, and
 * {@link OutcomeRecords} unpacks batches into per-record calls for small consumers.
 */
public interface OutcomeListener {

    /** A task or address space came to exist (seeded, cloned, forked, exec'd). */
    default void onProcess(ProcessInfo process) { }

    /** The trace and the model disagreed; the replay reconciled and says why. */
    default void onDivergence(Divergence divergence) { }

    /**
     * The events, engine changes, timeline points and VMA lives since the previous batch.
     * The batch is immutable: the listener may keep it (hand it to another thread).
     */
    default void onBatch(OutcomeBatch batch) { }

    /**
     * An address space's layout at its peak VMA count, reported when the address space ends.
     * {@code seq} is the event after which the layout was taken: exactly the peak below 4 096
     * VMAs, above that within 2 % of it (a layout costs O(VMAs)).
     */
    default void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) { }

    /** An address space's final layout, in address order, when it ends (or the trace does). */
    default void onFinalLayout(long mmId, List<VmaLayout> layout) { }

    /**
     * A snapshot marker of the trace was reached: at START the process was re-seeded from
     * {@code snapshot} when it exists; at END {@code layout} is the modelled layout at that
     * point, to compare with {@code snapshot}.
     */
    default void onSnapshotPoint(SnapshotPoint point) { }

    /** A latency histogram: scope is syscall, case or engine; values in nanoseconds. */
    default void onLatency(String scope, String name, Histogram histogram) { }

    /** The run completed; its totals and the parse coverage. */
    default void finish(RunSummary summary, IngestStats ingest) { }

    /** A listener that hands every call to each of {@code listeners}, in order. */
    static OutcomeListener tee(OutcomeListener... listeners) {
        List<OutcomeListener> all = List.of(listeners);
        return new OutcomeListener() {
            @Override public void onProcess(ProcessInfo p) { for (OutcomeListener l : all) l.onProcess(p); }
            @Override public void onDivergence(Divergence d) { for (OutcomeListener l : all) l.onDivergence(d); }
            @Override public void onBatch(OutcomeBatch b) { for (OutcomeListener l : all) l.onBatch(b); }
            @Override public void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) { for (OutcomeListener l : all) l.onPeakLayout(mmId, seq, layout); }
            @Override public void onFinalLayout(long mmId, List<VmaLayout> layout) { for (OutcomeListener l : all) l.onFinalLayout(mmId, layout); }
            @Override public void onSnapshotPoint(SnapshotPoint p) { for (OutcomeListener l : all) l.onSnapshotPoint(p); }
            @Override public void onLatency(String scope, String name, Histogram h) { for (OutcomeListener l : all) l.onLatency(scope, name, h); }
            @Override public void finish(RunSummary s, IngestStats i) { for (OutcomeListener l : all) l.finish(s, i); }
        };
    }
}
