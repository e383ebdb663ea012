package dev.vmareplay.cli;

import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.reports.RunStore;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The closing summary of a replay: where the results are, the cases, coverage, divergences. */
final class Summary {

    private Summary() { }

    static void print(PrintWriter out, RunStore store, long runId, Path db, Path report, IngestStats stats,
                      Duration took, Progress tally, String faultPolicy) {
        print(out, store.caseCounts(runId), runId, db, report, stats, took, tally, faultPolicy);
    }

    /** {@code runId < 0}: a run that was not stored (--no-store); {@code db} is then null. */
    static void print(PrintWriter out, Map<String, Long> cases, long runId, Path db, Path report, IngestStats stats,
                      Duration took, Progress tally, String faultPolicy) {
        if (runId < 0) {
            out.printf("run (not stored): %,d events from %s input in %.2fs%n", tally.events(), stats.format(), took.toMillis() / 1000.0);
        } else {
            out.printf("run %d: %,d events from %s input in %.2fs%n", runId, tally.events(), stats.format(), took.toMillis() / 1000.0);
        }
        out.println();
        out.printf("  %-24s %10s%n", "case", "count");
        out.printf("  %-24s %10s%n", "-".repeat(24), "-".repeat(10));
        for (Map.Entry<String, Long> e : cases.entrySet()) {
            if (e.getValue() > 0 || isCoreCase(e.getKey())) out.printf("  %-24s %,10d%n", e.getKey(), e.getValue());
        }
        out.println();
        StringBuilder cov = new StringBuilder();
        for (Map.Entry<IngestStats.LineClass, Long> e : stats.counts().entrySet()) {
            if (cov.length() > 0) cov.append(", ");
            cov.append(e.getKey().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(String.format("%,d", e.getValue()));
        }
        out.println("  lines: " + cov);
        for (IngestStats.Example ex : stats.examples()) out.println("    malformed " + ex);
        if (stats.lostEvents() > 0) out.printf("  perf lost %,d events: the trace is incomplete%n", stats.lostEvents());
        if (!stats.fdTableComplete()) out.println("  file identity: some mmaps' files were known only by path (the trace does not show their open)");
        long div = tally.divergences().values().stream().mapToLong(Long::longValue).sum();
        if (div == 0) {
            out.println("  divergences: none (the model agreed with every result in the trace)");
        } else {
            if (runId < 0) out.printf("  divergences: %,d %s%n", div, tally.divergences());
            else out.printf("  divergences: %,d %s  (select * from divergences where run_id = %d)%n", div, tally.divergences(), runId);
        }
        if (tally.assumed() > 0) {
            out.printf("  assumed: %,d merge decisions rested on anon_vma state the trace cannot show (fault policy %s;%n"
                    + "           a trace with page faults, perf trace -F, makes them observed)%s%n",
                    tally.assumed(), faultPolicy, runId < 0 ? "" : "  (merge_events.assumed)");
        }
        out.printf("  processes: %,d%n", tally.processes());
        out.println();
        if (db != null) out.println("  database: " + db + "   e.g.  vmareplay query --db " + db + " \"select * from case_counts where run_id = " + runId + "\"");
        if (report != null) out.println("  report:   " + report);
        out.flush();
    }

    private static boolean isCoreCase(String kind) {
        return kind.startsWith("new_") || kind.startsWith("existing_") || kind.equals("split");
    }
}
