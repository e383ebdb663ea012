package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.Change;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check of ../shared/tools/cases, as a test of the project: replaying each scripted
 * scenario's strace-tt-T-y trace on its start snapshot hits exactly the merge/split cases
 * the scenario was written to hit (the "Totals:" line of its case.txt), counted from the
 * engine's events the way the case_counts view counts them. The perf-trace-Fw capture of each
 * scenario (write faults and the mmap lock order observed) must hit them too, the scenarios
 * whose cases rest on page writes included.
 */
class CaseCountsTest {

    /** The kinds compared strictly (as ../shared/tools/expected_cases.py does). */
    static final Set<String> STRICT = Set.of("new_none", "new_left", "new_right", "new_both", "existing_both",
            "existing_left_full", "existing_left_partial", "existing_right_full", "existing_right_partial", "split");

    /**
     * Scenarios whose cases depend on page writes strace cannot show (see FidelityTest.KNOWN):
     * for them the test checks that the replay marked the decisive merge as assumed.
     */
    static final Set<String> NEED_FAULTS = Set.of("new_both_anon_vma_conflict", "madvise_dofork_anon_vma_refusal");

    private static final Pattern TOTALS = Pattern.compile("Totals:\\s*(.*)");
    private static final Pattern ITEM = Pattern.compile("([a-z][a-z-]*)(?:\\([^)]*\\))?=(\\d+)");

    @TestFactory
    Stream<DynamicTest> everyScriptedScenarioHitsTheCasesItWasWrittenFor() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(Samples.root())) {
            cases = s.filter(p -> Files.exists(p.resolve("case.txt")) && !p.getFileName().toString().startsWith("real-"))
                     .sorted().toList();
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(31);
        return cases.stream().flatMap(c -> Stream.of(
                DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)),
                DynamicTest.dynamicTest(c.getFileName().toString() + "/perf-trace-Fw", () -> checkObserved(c))));
    }

    /** The perf-trace-Fw variant: every anon_vma decision observed, so every scenario hits its cases. */
    private static void checkObserved(Path caseDir) throws Exception {
        Map<String, Long> want = expected(caseDir.resolve("case.txt"));
        Path v = caseDir.resolve("perf-trace-Fw");
        Path seed = Files.exists(v.resolve("start.smaps")) ? v.resolve("start.smaps") : v.resolve("start.maps");
        Map<String, Long> got = new TreeMap<>();
        long[] assumed = {0};
        OutcomeRecords counter = new OutcomeRecords() {
            @Override
            protected void onChange(Change e) {
                String k = e.kind().storageName();
                if (STRICT.contains(k)) got.merge(k, 1L, Long::sum);
                if (e.assumed()) assumed[0]++;
            }
        };
        String trace = v.resolve("trace.cut.txt").toString();
        dev.vmareplay.replay.engine.FaultPolicy policy = dev.vmareplay.ingest.TracePeek.hasFaultEvents(List.of(trace))
                ? dev.vmareplay.replay.engine.FaultPolicy.OBSERVED_ONLY : null;
        assertThat(policy).as("a perf-trace-Fw capture has fault events").isNotNull();
        ReplayOptions options = new ReplayOptions(dev.vmareplay.replay.engine.KernelVersion.V6_18, seed, Map.of(), policy, true);
        try (EventSource source = Ingest.open(trace)) {
            new Replayer(options, counter).run(source);
        }
        assertThat(assumed[0]).as("%s/perf-trace-Fw: no decision rests on an assumption", caseDir.getFileName()).isZero();
        assertThat(got).as("%s/perf-trace-Fw: merge/split cases (case.txt Totals)", caseDir.getFileName()).isEqualTo(want);
    }

    static Map<String, Long> expected(Path caseTxt) throws IOException {
        Map<String, Long> want = new TreeMap<>();
        Matcher m = TOTALS.matcher(Files.readString(caseTxt));
        if (m.find()) {
            Matcher i = ITEM.matcher(m.group(1));
            while (i.find()) {
                String k = i.group(1).replace('-', '_');
                if (STRICT.contains(k)) want.merge(k, Long.parseLong(i.group(2)), Long::sum);
            }
        }
        want.values().removeIf(n -> n == 0); // "split=0" says no split happens: compared as absent
        return want;
    }

    private static void check(Path caseDir) throws Exception {
        Map<String, Long> want = expected(caseDir.resolve("case.txt"));
        Path v = caseDir.resolve("strace-tt-T-y");
        Path seed = Files.exists(v.resolve("start.smaps")) ? v.resolve("start.smaps") : v.resolve("start.maps");
        Map<String, Long> got = new TreeMap<>();
        long[] assumed = {0};
        OutcomeRecords counter = new OutcomeRecords() {
            @Override
            protected void onChange(Change e) {
                String k = e.kind().storageName();
                if (STRICT.contains(k)) got.merge(k, 1L, Long::sum);
                if (e.assumed()) assumed[0]++;
            }
        };
        ReplayOptions options = new ReplayOptions(dev.vmareplay.replay.engine.KernelVersion.V6_18, seed, Map.of(), null, true);
        try (EventSource source = Ingest.open(v.resolve("trace.cut.txt").toString())) {
            new Replayer(options, counter).run(source);
        }
        String name = caseDir.getFileName().toString();
        if (NEED_FAULTS.contains(name)) {
            assertThat(got).as("%s is listed as needing fault events but now matches: remove it", name).isNotEqualTo(want);
            assertThat(assumed[0]).as("%s: the replay says which merges rest on assumed anon_vma state", name).isPositive();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, name + ": needs page-fault events (perf trace -F) to tell");
        }
        assertThat(got).as("%s: merge/split cases (case.txt Totals)", name).isEqualTo(want);
    }
}
