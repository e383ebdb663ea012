package dev.vmareplay.replay;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.engine.VmaEvent;
import org.HdrHistogram.Histogram;

/**
 * A listener that passes everything on to another: extend it to look at part of the stream
 * (counting, progress) without dropping the rest. Every method of {@link ReplayListener}
 * is forwarded here, so a new callback reaches the store through every wrapper.
 */
public class ForwardingReplayListener implements ReplayListener {

    protected final ReplayListener next;

    public ForwardingReplayListener(ReplayListener next) {
        this.next = next;
    }

    @Override public void onProcess(ProcessInfo process) { next.onProcess(process); }
    @Override public void onEvent(Event event, long mmId) { next.onEvent(event, mmId); }
    @Override public void onVmaEvent(long seq, int pid, long mmId, String syscall, VmaEvent event) { next.onVmaEvent(seq, pid, mmId, syscall, event); }
    @Override public void onTimeline(long mmId, long seq, long tsNs, int vmaCount, long mappedBytes) { next.onTimeline(mmId, seq, tsNs, vmaCount, mappedBytes); }
    @Override public void onDivergence(long seq, int pid, String cause, String detail) { next.onDivergence(seq, pid, cause, detail); }
    @Override public void onPeakVma(long mmId, long seq, FinalVma vma) { next.onPeakVma(mmId, seq, vma); }
    @Override public void onVmaLife(VmaLife life) { next.onVmaLife(life); }
    @Override public void onFinalVma(long mmId, FinalVma vma) { next.onFinalVma(mmId, vma); }
    @Override public void onLatency(String scope, String name, Histogram histogram) { next.onLatency(scope, name, histogram); }
    @Override public void onSnapshotPoint(SnapshotPoint point) { next.onSnapshotPoint(point); }
    @Override public void finish(RunSummary summary, IngestStats ingest) { next.finish(summary, ingest); }
}
