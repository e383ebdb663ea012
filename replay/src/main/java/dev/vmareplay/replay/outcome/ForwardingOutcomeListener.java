package dev.vmareplay.replay.outcome;

import dev.vmareplay.ingest.IngestStats;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * A listener that passes everything on to another: extend it to look at part of the stream
 * (counting, progress) without dropping the rest. Every method of {@link OutcomeListener} is
 * forwarded here, so a new callback reaches the store through every wrapper.
 */
public class ForwardingOutcomeListener implements OutcomeListener {

    protected final OutcomeListener next;

    public ForwardingOutcomeListener(OutcomeListener next) {
        this.next = next;
    }

    @Override public void onProcess(ProcessInfo process) { next.onProcess(process); }
    @Override public void onDivergence(Divergence divergence) { next.onDivergence(divergence); }
    @Override public void onBatch(OutcomeBatch batch) { next.onBatch(batch); }
    @Override public void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) { next.onPeakLayout(mmId, seq, layout); }
    @Override public void onFinalLayout(long mmId, List<VmaLayout> layout) { next.onFinalLayout(mmId, layout); }
    @Override public void onSnapshotPoint(SnapshotPoint point) { next.onSnapshotPoint(point); }
    @Override public void onLatency(String scope, String name, Histogram histogram) { next.onLatency(scope, name, histogram); }
    @Override public void finish(RunSummary summary, IngestStats ingest) { next.finish(summary, ingest); }
}
