package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Event;

import java.io.IOException;

/**
 * A stream of events read from one or more trace inputs, in trace order. Pull-based so
 * that memory never grows with the trace: replay asks for one event at a time.
 */
public interface EventSource extends AutoCloseable {

    /** The next event, or null at the end of all inputs. */
    Event next() throws IOException;

    /** What has been read so far: line classes, malformed examples, lost events. */
    IngestStats stats();

    @Override
    void close() throws IOException;
}
