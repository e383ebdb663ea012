package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Event;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs another source on a thread of its own and hands its events over in batches through
 * a bounded queue, so that parsing (this thread) and whatever consumes the events (replay,
 * storage) use two cores. The events, their order, the end of the stream and any error
 * (thrown by {@link #next} at the point of the stream where the source threw it) are
 * exactly those of the wrapped source; memory is bounded by the queue (at most
 * {@value #QUEUE} batches of {@value #BATCH} events).
 *
 * <p>{@link #stats()} is exact once {@link #next} has returned null (or thrown); before that
 * it is a snapshot at most a few thousand events old (enough for a progress line).
 */
public final class PrefetchingSource implements EventSource {
    static final int BATCH = 1024;
    static final int QUEUE = 64;
    private static final Object END = new Object();

    private final EventSource source;
    private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile boolean closed;
    private volatile IngestStats snapshot;
    private IngestStats finalStats; // written by the producer before END / the error, read after taking it
    private Event[] batch;
    private int pos;
    private boolean ended;

    public PrefetchingSource(EventSource source) {
        this.source = source;
        this.thread = new Thread(this::produce, "vmareplay-parse");
        thread.setDaemon(true);
        thread.start();
    }

    private void produce() {
        Object last;
        Event[] b = new Event[BATCH];
        int n = 0;
        try {
            long batches = 0;
            Event e;
            while ((e = source.next()) != null) {
                b[n++] = e;
                if (n == BATCH) {
                    if (!put(b)) return;
                    b = new Event[BATCH];
                    n = 0;
                    if ((++batches & 7) == 0) snapshot = source.stats();
                }
            }
            last = END;
        } catch (Throwable t) {
            last = t; // after the events read before it
        }
        if (n > 0 && !put(b)) return; // a short batch ends at its first null
        try {
            finalStats = source.stats();
        } catch (RuntimeException ignored) {
            finalStats = snapshot;
        }
        put(last);
    }

    /** Blocks while the queue is full; false when the consumer closed the source. */
    private boolean put(Object o) {
        try {
            while (!closed) {
                if (queue.offer(o, 100, TimeUnit.MILLISECONDS)) return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public Event next() throws IOException {
        if (batch != null && pos < batch.length) {
            Event e = batch[pos];
            if (e != null) {
                batch[pos++] = null;
                return e;
            }
        }
        if (ended) return null;
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the trace");
        }
        if (o == END) {
            ended = true;
            batch = null;
            return null;
        }
        if (o instanceof Throwable t) {
            ended = true;
            batch = null;
            if (t instanceof IOException io) throw io;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error err) throw err;
            throw new UncheckedIOException(new IOException(t));
        }
        batch = (Event[]) o;
        pos = 1;
        Event e = batch[0];
        batch[0] = null;
        return e;
    }

    @Override
    public IngestStats stats() {
        if (ended && finalStats != null) return finalStats;
        IngestStats s = snapshot;
        if (s != null) return s;
        IngestStats empty = new IngestStats();
        empty.format("unknown");
        return empty;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (thread.isAlive()) {
            try {
                thread.join(200);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(2000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        source.close();
    }
}
