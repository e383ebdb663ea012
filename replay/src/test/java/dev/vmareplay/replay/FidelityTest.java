package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.ingest.TracePeek;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;
import dev.vmareplay.replay.maps.LayoutComparison;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.maps.MapsParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fidelity check of ../shared/tools/fidelity, as a test of the project: every real trace
 * in samples/traces, replayed on top of its start snapshot, must give the kernel's end
 * snapshot (strictly: VMA boundary by VMA boundary; [vdso]/[vvar] and the [stack] start left
 * out, as the tool does).
 *
 * <p>The few variants that cannot match are named in {@link #KNOWN}, each with the state the
 * trace does not show; they are skipped with that reason (visible in the test report), and
 * fail loudly if they start matching so the list stays honest.
 */
class FidelityTest {

    /** case/variant -> why replaying it cannot give the kernel's layout. */
    static final Map<String, String> KNOWN = known();

    private static Map<String, String> known() {
        Map<String, String> m = new java.util.TreeMap<>();
        String mseal = "perf trace 6.1 drops mseal (syscall 462) silently: two of the three mseals are invisible";
        m.put("mseal_basic/perf-trace", mseal);
        m.put("mseal_basic/perf-trace-F", mseal);
        // Page writes decide anon_vma state; only perf trace -F shows them. Without faults these two
        // scenarios make exactly the calls of new_both and madvise_dontfork_dofork, which the default
        // fault policy reproduces; the replay marks the decisive merge as assumed.
        for (String v : List.of("strace-tt-T-y", "strace-f", "strace-ttt-yy-Xraw", "perf-trace", "perf-script")) {
            m.put("new_both_anon_vma_conflict/" + v,
                    "both neighbours were written (different anon_vmas): invisible without page-fault events");
            m.put("madvise_dofork_anon_vma_refusal/" + v,
                    "the pages were written between the two madvise calls (different anon_vmas): invisible without page-fault events");
        }
        return m;
    }

    @TestFactory
    Stream<DynamicTest> everyVariantReplaysToTheKernelsEndSnapshot() throws Exception {
        List<Samples.Variant> variants = Samples.variants();
        assertThat(variants).as("samples/traces holds the bundled real traces").hasSizeGreaterThan(150);
        return variants.stream().map(v -> DynamicTest.dynamicTest(v.toString(), () -> check(v)));
    }

    private static void check(Samples.Variant v) throws Exception {
        String known = KNOWN.get(v.toString());
        LayoutComparison cmp = replay(v);
        if (known != null) {
            assertThat(cmp.equal()).as("%s is listed as known to differ (%s) but now matches: remove it from KNOWN", v, known).isFalse();
            assumeTrue(false, "known difference: " + known);
        }
        StringBuilder diff = new StringBuilder();
        for (LayoutComparison.Row r : cmp.differences()) {
            diff.append("\n  ").append(r.problem()).append(": kernel ")
                .append(r.expected() == null ? "-" : r.expected().toMapsLine())
                .append(" | replayed ").append(r.got() == null ? "-" : r.got().toMapsLine());
        }
        assertThat(cmp.equal()).as("%s: replayed layout differs from end.maps:%s", v, diff).isTrue();
    }

    static LayoutComparison replay(Samples.Variant v) throws Exception {
        List<String> input = List.of(v.trace().toString());
        FaultPolicy policy = TracePeek.hasFaultEvents(input) ? FaultPolicy.OBSERVED_ONLY : null;
        ReplayOptions options = new ReplayOptions(KernelVersion.V6_18, v.seed(), Map.of(), policy, true);
        List<String> divergences = new java.util.ArrayList<>();
        Replayer replayer = new Replayer(options, new OutcomeListener() {
            @Override public void onDivergence(Divergence d) {
                // a call perf printed half of is inferred, not a disagreement with a result the trace shows
                if (d.cause().equals(dev.vmareplay.replay.outcome.DivergenceCause.RESULT_ONLY.label())) return;
                divergences.add("event " + d.seq() + ": " + d.cause() + ": " + d.detail());
            }
        });
        Map<Integer, List<MapsEntry>> layouts;
        try (EventSource source = Ingest.open(input, TraceFormat.AUTO, IngestOptions.defaults())) {
            layouts = replayer.run(source);
        }
        if (!KNOWN.containsKey(v.toString())) {
            // the model agrees with every result the kernel returned (strace and perf both show them)
            assertThat(divergences).as("%s: divergences", v).isEmpty();
        }
        List<MapsEntry> got = layouts.get(replayer.firstPid());
        assertThat(got).as("%s: a layout for the first process %d", v, replayer.firstPid()).isNotNull();
        assertThat(Files.exists(v.end())).isTrue();
        return LayoutComparison.compare(MapsParser.parse(v.end()), got, false);
    }
}
