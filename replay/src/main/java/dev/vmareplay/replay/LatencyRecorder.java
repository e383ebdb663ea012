package dev.vmareplay.replay;

import org.HdrHistogram.Histogram;

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
 * Three significant digits, values from 1 ns to one hour.
 */
final class LatencyRecorder {

    private static final long HIGHEST = 3_600_000_000_000L;

    private final Map<String, Map<String, Histogram>> byScope = new TreeMap<>();

    void record(String scope, String name, long nanos) {
        if (nanos < 0) return;
        Histogram h = byScope.computeIfAbsent(scope, s -> new TreeMap<>())
                .computeIfAbsent(name, n -> new Histogram(1, HIGHEST, 3));
        h.recordValue(Math.max(1, Math.min(nanos, HIGHEST)));
    }

    void emit(ReplayListener listener) {
        byScope.forEach((scope, m) -> m.forEach((name, h) -> listener.onLatency(scope, name, h)));
    }
}
