package dev.vmareplay.replay.outcome;

/**
 * A listener for small consumers (tests, progress, verify): unpacks each batch into one call
 * per record, in the order the replay produced them (an event, then the changes, VMA lives
 * and timeline point it caused). Override what you need; the rest does nothing.
 */
public abstract class OutcomeRecords implements OutcomeListener {

    /** Every ingested event, with the address space it acted on (-1 when none). */
    protected void onEvent(dev.vmareplay.ingest.event.Event event, long mmId) { }

    /** One engine primitive. */
    protected void onChange(Change change) { }

    /** The address space's size after event {@code seq}, emitted when it changed. */
    protected void onTimeline(TimelinePoint point) { }

    /** One VMA's whole life, reported when it ends (or at the end of the trace). */
    protected void onVmaLife(VmaLife life) { }

    @Override
    public void onBatch(OutcomeBatch b) {
        int e = 0, c = 0, t = 0, l = 0;
        int ne = b.eventCount(), nc = b.changeCount(), nt = b.timelineCount(), nl = b.lifeCount();
        while (e < ne || c < nc || t < nt || l < nl) {
            int pe = e < ne ? b.eventOrder(e) : Integer.MAX_VALUE;
            int pc = c < nc ? b.changeOrder(c) : Integer.MAX_VALUE;
            int pt = t < nt ? b.timelineOrder(t) : Integer.MAX_VALUE;
            int pl = l < nl ? b.lifeOrder(l) : Integer.MAX_VALUE;
            int min = Math.min(Math.min(pe, pc), Math.min(pt, pl));
            if (min == pe) { onEvent(b.event(e), b.eventMm(e)); e++; }
            else if (min == pc) { onChange(b.change(c)); c++; }
            else if (min == pl) { onVmaLife(b.life(l)); l++; }
            else { onTimeline(b.timeline(t)); t++; }
        }
    }
}
