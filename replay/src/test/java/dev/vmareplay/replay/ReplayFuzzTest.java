package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.OutcomeListener;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestException;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;

/**
 * Jazzer target for the whole pipeline a user runs: bytes parsed as a trace, every event
 * replayed by the driver with {@code --check-invariants}. Whatever the trace says, the replay
 * ends normally (reconciling and counting divergences) or the input is refused with an
 * {@link IngestException}; never another exception, which the command line would have to
 * call an internal error. Seeds: {@code ReplayFuzzTestInputs/strace/} (the samples' mmap lines
 * and the bad-input corpus). See cli/README-reliability.md.
 */
class ReplayFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void strace(byte[] data) throws IOException {
        replay(data, TraceFormat.STRACE);
    }

    /** perf trace, with page-fault events (-F) driving the observed-only fault policy. */
    @FuzzTest(maxDuration = "30s")
    void perfTrace(byte[] data) throws IOException {
        replay(data, TraceFormat.PERF_TRACE);
    }

    static void replay(byte[] data, TraceFormat format) throws IOException {
        for (KernelVersion k : new KernelVersion[] {KernelVersion.V6_18, KernelVersion.V6_1}) {
            try (EventSource s = Ingest.open("fuzz.trace", new ByteArrayInputStream(data), format, IngestOptions.defaults())) {
                FaultPolicy policy = format == TraceFormat.PERF_TRACE ? FaultPolicy.OBSERVED_ONLY : null;
                new Replayer(new ReplayOptions(k, null, Map.of(), policy, true), new OutcomeListener() { }).run(s);
            } catch (IngestException refused) {
                // a whole input refused with a message naming it: fine
            }
        }
    }
}
