package dev.vmareplay.replay;

import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.OutcomeListener;
import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * HdrHistograms of latencies in nanoseconds, by scope and name:
 * <ul>
 *   <li>{@code syscall}: the kernel's own duration of each call as the trace shows it
 *       (strace -T, perf trace's duration), by syscall name;</li>
 *   <li>{@code case}: the same kernel duration, attributed to every merge case the call
 *       caused, by {@code kind} and by {@code syscall/kind} (so "mprotect that merged both
 *       sides: p50/p99" is one query);</li>
 *   <li>{@code engine}: the model's own time per operation, by syscall name.</li>
 * </ul>
 * Three significant digits, values from 1 ns to one hour. Recording is on the replay's hot
 * path: hash lookups only, and the {@code syscall/kind} names are built once per pair, at
 * {@link #emit}; emit reports in scope, then name order.
 */
final class LatencyRecorder {

    private static final long HIGHEST = 3_600_000_000_000L;
    private static final CaseKind[] KINDS = CaseKind.values();
    private static final String[] KIND_NAMES = new String[KINDS.length];
    static {
        for (CaseKind k : KINDS) KIND_NAMES[k.ordinal()] = k.storageName();
    }

    private final Map<String, Map<String, Histogram>> byScope = new HashMap<>();
    private final Histogram[] caseByKind = new Histogram[KINDS.length];
    private final Map<String, Histogram[]> caseBySyscallKind = new HashMap<>();

    private static Histogram newHistogram() {
        return new Histogram(1, HIGHEST, 3);
    }

    private static long clamp(long nanos) {
        return Math.max(1, Math.min(nanos, HIGHEST));
    }

    void record(String scope, String name, long nanos) {
        if (nanos < 0) return;
        Map<String, Histogram> m = byScope.get(scope);
        if (m == null) {
            m = new HashMap<>();
            byScope.put(scope, m);
        }
        Histogram h = m.get(name);
        if (h == null) {
            h = newHistogram();
            m.put(name, h);
        }
        h.recordValue(clamp(nanos));
    }

    /** Scope {@code case}: records under the kind's name and under {@code syscall/kind}. */
    void recordCase(String syscall, CaseKind kind, long nanos) {
        if (nanos < 0) return;
        int k = kind.ordinal();
        long v = clamp(nanos);
        Histogram h = caseByKind[k];
        if (h == null) caseByKind[k] = h = newHistogram();
        h.recordValue(v);
        Histogram[] perKind = caseBySyscallKind.get(syscall);
        if (perKind == null) {
            perKind = new Histogram[KINDS.length];
            caseBySyscallKind.put(syscall, perKind);
        }
        h = perKind[k];
        if (h == null) perKind[k] = h = newHistogram();
        h.recordValue(v);
    }

    void emit(OutcomeListener listener) {
        Map<String, Map<String, Histogram>> sorted = new TreeMap<>();
        byScope.forEach((scope, m) -> sorted.computeIfAbsent(scope, s -> new TreeMap<>()).putAll(m));
        for (int k = 0; k < KINDS.length; k++) {
            if (caseByKind[k] != null) sorted.computeIfAbsent("case", s -> new TreeMap<>()).put(KIND_NAMES[k], caseByKind[k]);
        }
        caseBySyscallKind.forEach((syscall, perKind) -> {
            for (int k = 0; k < KINDS.length; k++) {
                if (perKind[k] != null) sorted.computeIfAbsent("case", s -> new TreeMap<>()).put(syscall + "/" + KIND_NAMES[k], perKind[k]);
            }
        });
        sorted.forEach((scope, m) -> m.forEach((name, h) -> listener.onLatency(scope, name, h)));
    }
}
