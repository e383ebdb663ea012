package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestException;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.ingest.TracePeek;

import java.io.IOException;
import java.util.List;

/** Opening trace inputs for a command, with the command line's errors. */
final class Inputs {

    private Inputs() { }

    static EventSource open(List<String> traces, TraceFormat format, boolean strict) {
        return open(traces, format, strict, false);
    }

    /** {@code markers}: emit snapshot markers as events (for {@code --snapshots}). */
    static EventSource open(List<String> traces, TraceFormat format, boolean strict, boolean markers) {
        try {
            EventSource s = Ingest.open(traces, format, (strict ? IngestOptions.strictMode() : IngestOptions.defaults()).withMarkers(markers));
            // parse on a second core while this thread replays and stores (VMAREPLAY_THREADS=1: one thread)
            boolean one = "1".equals(System.getenv("VMAREPLAY_THREADS")) || Runtime.getRuntime().availableProcessors() < 2;
            return one ? s : new dev.vmareplay.ingest.PrefetchingSource(s);
        } catch (IngestException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new Errors.InputException("cannot read input: " + e.getMessage(), e);
        }
    }

    static TraceFormat format(String name) {
        try {
            return TraceFormat.parse(name);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("unknown --format '" + name + "' (expected auto, strace, perf-trace, perf-script or csv)");
        }
    }

    static boolean hasFaultEvents(List<String> traces) {
        return TracePeek.hasFaultEvents(traces);
    }
}
