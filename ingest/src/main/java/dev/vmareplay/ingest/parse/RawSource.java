package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.IngestStats;

import java.io.IOException;

/**
 * One input's parser: yields {@link dev.vmareplay.ingest.event.Event}s (seq -1, pid = tid
 * until resolved), {@link FdOp}s and {@link TaskHint}s in input order; null at the end.
 */
public interface RawSource extends AutoCloseable {
    Object next() throws IOException;

    IngestStats stats();

    /** The timestamp of an item, for merging several inputs; Event.NO_TIME when none. */
    static long ts(Object o) {
        if (o instanceof dev.vmareplay.ingest.event.Event e) return e.tsNs();
        if (o instanceof FdOp f) return f.tsNs();
        if (o instanceof TaskHint h) return h.tsNs();
        return dev.vmareplay.ingest.event.Event.NO_TIME;
    }

    @Override
    void close() throws IOException;
}
