package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.Replayer;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.outcome.OutcomeListener;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Open the inputs, show progress, replay, collect the parse statistics: written once, for
 * {@code replay} (stored or {@code --no-store}), {@code verify}, snapshot verification and
 * {@code record --verify}. Snapshot markers are read from the trace exactly when the options
 * re-seed from snapshots. Failures propagate to {@link Errors}.
 */
final class ReplayLoop {

    /** What a replay leaves: each process's final layout, the input's statistics, the tallies. */
    record Result(Map<Integer, List<MapsEntry>> layouts, IngestStats stats, Progress progress) { }

    private ReplayLoop() { }

    /**
     * @param quiet     no progress line (it is shown on a terminal only, on {@code err})
     * @param listener  what the replay reports to (the store, a verifier, counters)
     */
    static Result run(TraceInputs inputs, ReplayOptions options, boolean quiet, PrintWriter err,
                      OutcomeListener listener) throws IOException {
        try (EventSource source = inputs.open(options.snapshots() != null)) {
            Progress progress = Progress.forTerminal(quiet, err, source, inputs.traces());
            Map<Integer, List<MapsEntry>> layouts = new Replayer(options, progress.wrap(listener)).run(source);
            progress.done();
            return new Result(layouts, source.stats(), progress);
        }
    }
}
