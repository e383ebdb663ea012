package dev.vmareplay.cli;

import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.outcome.CaseKind;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.reports.ReportWriter;
import dev.vmareplay.reports.RunMeta;
import dev.vmareplay.reports.RunStore;
import dev.vmareplay.reports.RunWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code vmareplay replay}: the main job. */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Replay traces through the VMA engine, store the run in DuckDB, write the report.",
        description = {
                "Ingests the trace(s), replays every mmap-family call through the VMA engine, stores the run",
                "in the DuckDB file, writes the HTML report and prints the merge/split cases per kind.",
                ""},
        footer = {"", "Examples:",
                "  vmareplay replay trace.txt",
                "  vmareplay replay trace.txt --seed-maps start.smaps --final-maps out/",
                "  strace -f -tt -T -y -o /dev/stdout prog | vmareplay replay -",
                "  vmareplay replay trace.txt --kernel 6.1 --db runs.duckdb --no-report"})
final class ReplayCommand implements Callable<Integer> {

    @Mixin
    TraceInputs inputs;

    @Mixin
    SeedOptions seeds;

    @Mixin
    ModelOptions model;

    @Option(names = "--db", paramLabel = "FILE", description = "DuckDB file to store the run in (created if missing; default: ${DEFAULT-VALUE}).", defaultValue = RunStore.DEFAULT_FILE)
    Path db;

    @Option(names = "--report", paramLabel = "FILE", description = "HTML report to write (default: ${DEFAULT-VALUE}).", defaultValue = "vmareplay-report.html")
    Path report;

    @Option(names = "--no-report", description = "Do not write the HTML report.")
    boolean noReport;

    @Option(names = "--no-store", description = {
            "Replay without storing anything: no database, no report; prints the same summary (cases",
            "counted in memory). For measuring the parse + replay cost alone, and for quick looks."})
    boolean noStore;

    @Option(names = "--final-maps", paramLabel = "DIR", description = "Write each process's final modelled layout as DIR/PID.maps, in /proc/PID/maps format.")
    Path finalMaps;

    @Option(names = "--check-invariants", description = "Check the VMA tree's invariants after every operation (slow).")
    boolean checkInvariants;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplayOptions options = model.replayOptions(inputs, seeds, checkInvariants, seeds.snapshotDir(inputs.traces()));
        if (options.snapshots() != null && !quiet && seeds.snapshots == null) {
            err.println("vmareplay replay: re-seeding processes at their snapshot markers from "
                    + options.snapshots() + " (--no-snapshots to ignore it)");
        }
        long started = System.nanoTime();
        if (noStore) {
            CaseCounts counts = new CaseCounts();
            ReplayLoop.Result r = ReplayLoop.run(inputs, options, quiet, err, counts);
            if (finalMaps != null) writeFinalMaps(r.layouts());
            if (!quiet) {
                Summary.print(out, counts.byStorageName(), -1, null, null, r.stats(),
                        Duration.ofNanos(System.nanoTime() - started), r.progress(), ModelOptions.policyName(options));
            }
            return Errors.OK;
        }
        RunMeta meta = new RunMeta(VersionProvider.version(), options.kernel().toString(), List.copyOf(inputs.traces()), optionMap(), null);
        try (RunStore store = RunStore.open(db)) {
            long runId;
            ReplayLoop.Result r;
            try (RunWriter writer = store.beginRun(meta)) {
                runId = writer.runId();
                r = ReplayLoop.run(inputs, options, quiet, err, writer);
            }
            if (finalMaps != null) writeFinalMaps(r.layouts());
            if (!noReport) writeReport(store, runId);
            if (!quiet) {
                Summary.print(out, store, runId, db, noReport ? null : report, r.stats(),
                        Duration.ofNanos(System.nanoTime() - started), r.progress(), ModelOptions.policyName(options));
            }
            return Errors.OK;
        }
    }

    /** The cases of a run that is not stored, counted in memory. */
    private static final class CaseCounts implements OutcomeListener {
        private final long[] byKind = new long[CaseKind.values().length];

        @Override
        public void onBatch(OutcomeBatch b) {
            CaseKind[] kinds = b.changeKinds();
            for (int i = 0, n = b.changeCount(); i < n; i++) byKind[kinds[i].ordinal()]++;
        }

        Map<String, Long> byStorageName() {
            Map<String, Long> cases = new LinkedHashMap<>();
            for (CaseKind k : CaseKind.values()) cases.put(k.storageName(), byKind[k.ordinal()]);
            return cases;
        }
    }

    private Map<String, String> optionMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", inputs.formatName());
        m.put("kernel", model.kernel.toString());
        if (seeds.given()) m.put("seed_maps", String.join(",", seeds.seedMaps));
        if (seeds.snapshots != null) m.put("snapshots", seeds.snapshots.toString());
        if (model.faultPolicy != null) m.put("fault_policy", OptionValue.name(model.faultPolicy));
        if (inputs.strict()) m.put("strict", "true");
        return m;
    }

    private void writeReport(RunStore store, long runId) {
        try {
            ReportWriter.write(store, runId, report);
        } catch (UncheckedIOException e) {
            throw new Errors.StorageFailure("run " + runId + " is stored, but the report cannot be written: "
                    + report + ": " + Errors.reason(e), e);
        }
    }

    private void writeFinalMaps(Map<Integer, List<MapsEntry>> layouts) {
        try {
            Files.createDirectories(finalMaps);
            for (Map.Entry<Integer, List<MapsEntry>> e : layouts.entrySet()) {
                StringBuilder sb = new StringBuilder();
                for (MapsEntry m : e.getValue()) sb.append(m.toMapsLine()).append('\n');
                Files.writeString(finalMaps.resolve(e.getKey() + ".maps"), sb.toString());
            }
        } catch (IOException e) {
            throw new Errors.StorageFailure("the run is stored, but --final-maps cannot be written: "
                    + (e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? f.getFile() : finalMaps) + ": " + Errors.reason(e), e);
        }
    }
}
