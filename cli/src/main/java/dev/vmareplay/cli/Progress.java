package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.ForwardingOutcomeListener;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.ProcessInfo;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sits between the replay and the store: counts what the summary prints (divergences by
 * cause, processes) and, on a terminal, shows progress on one line of stderr: bytes and
 * events done, events/s and, for file input, the time left. Quiet when stderr is not a
 * terminal or with --quiet.
 */
final class Progress {

    private static final long INTERVAL_NS = 500_000_000L;

    private final PrintWriter err;
    private final EventSource source;
    private final boolean show;
    private final long totalBytes;
    private final long started = System.nanoTime();
    private long lastPrint = started;
    private long events;
    private final java.util.Set<Integer> pids = new java.util.HashSet<>();
    private long assumed;
    private final Map<String, Long> divergences = new TreeMap<>();

    private Progress(PrintWriter err, EventSource source, boolean show, long totalBytes) {
        this.err = err;
        this.source = source;
        this.show = show;
        this.totalBytes = totalBytes;
    }

    static Progress forTerminal(boolean quiet, PrintWriter err, EventSource source, java.util.List<String> inputs) {
        boolean tty = System.console() != null && System.getenv("VMAREPLAY_NO_PROGRESS") == null;
        return new Progress(err, source, !quiet && tty, plainFileBytes(inputs));
    }

    /** The inputs' total size when every one is an uncompressed file (so a time left can be told), else -1. */
    private static long plainFileBytes(java.util.List<String> inputs) {
        long total = 0;
        for (String in : inputs) {
            if (in.equals("-")) return -1;
            try {
                java.nio.file.Path p = java.nio.file.Path.of(in);
                if (dev.vmareplay.ingest.Compression.of(p) != null) return -1; // bytes read are the decoded ones
                total += java.nio.file.Files.size(p);
            } catch (java.io.IOException | RuntimeException e) {
                return -1;
            }
        }
        return total;
    }

    long events() { return events; }
    /** Distinct processes (an execve gives a process a new address space, not a new pid). */
    long processes() { return pids.size(); }
    long assumed() { return assumed; }
    Map<String, Long> divergences() { return divergences; }

    OutcomeListener wrap(OutcomeListener next) {
        return new ForwardingOutcomeListener(next) {
            @Override public void onProcess(ProcessInfo p) {
                pids.add(p.pid());
                super.onProcess(p);
            }

            @Override public void onBatch(OutcomeBatch b) {
                events += b.eventCount();
                boolean[] a = b.changeAssumed();
                for (int i = 0, n = b.changeCount(); i < n; i++) if (a[i]) assumed++;
                if (show) tick();
                super.onBatch(b);
            }

            @Override public void onDivergence(Divergence d) {
                divergences.merge(d.cause(), 1L, Long::sum);
                super.onDivergence(d);
            }
        };
    }

    private void tick() {
        long now = System.nanoTime();
        if (now - lastPrint < INTERVAL_NS) return;
        lastPrint = now;
        double secs = (now - started) / 1e9;
        long bytes = source.stats().bytesRead();
        String left = "";
        if (totalBytes > 0 && bytes > 0 && bytes < totalBytes) {
            left = String.format("  %.0f%%  %.0fs left", 100.0 * bytes / totalBytes, secs * (totalBytes - bytes) / bytes);
        }
        err.printf("\r  %,d events  %.1f MB  %,.0f events/s  %.0fs%s   ", events, bytes / 1e6, events / secs, secs, left);
        err.flush();
    }

    void done() {
        if (show && events > 0xfff) {
            err.print("\r" + " ".repeat(70) + "\r");
            err.flush();
        }
    }
}
