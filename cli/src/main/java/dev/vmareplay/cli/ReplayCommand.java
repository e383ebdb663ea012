package dev.vmareplay.cli;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.MalformedTraceException;
import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.Replayer;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.reports.ReportWriter;
import dev.vmareplay.reports.RunMeta;
import dev.vmareplay.reports.RunStore;
import dev.vmareplay.reports.RunWriter;
import dev.vmareplay.reports.StorageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    @Parameters(arity = "1..*", paramLabel = "TRACE", description = "Trace file(s): strace, perf trace, perf script or canonical CSV; .gz is fine; - reads standard input.")
    List<String> traces;

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

    @Option(names = "--format", paramLabel = "F", description = "Input format: auto, strace, perf-trace, perf-script, csv (default: ${DEFAULT-VALUE}).", defaultValue = "auto")
    String format;

    @Option(names = "--seed-maps", paramLabel = "[PID=]FILE", description = {
            "Start a process's address space from a /proc/PID/maps or smaps snapshot (smaps gives exact",
            "flags and anon_vma state). Without PID= it seeds the first process of the trace. Repeatable."})
    List<String> seedMaps = new ArrayList<>();

    @Option(names = "--snapshots", paramLabel = "DIR", description = {
            "Snapshots written by 'vmareplay record' (PID.N.start.smaps, PID.N.end.smaps): at each START",
            "marker of the trace (lseek(-1, 424242001, SEEK_SET)) the process is re-seeded from its snapshot.",
            "Default: TRACE's sibling NAME.snapshots/ when it exists (for a single TRACE file)."})
    Path snapshots;

    @Option(names = "--no-snapshots", description = "Ignore snapshot markers and any NAME.snapshots/ directory.")
    boolean noSnapshots;

    @Option(names = "--final-maps", paramLabel = "DIR", description = "Write each process's final modelled layout as DIR/PID.maps, in /proc/PID/maps format.")
    Path finalMaps;

    @Option(names = "--kernel", paramLabel = "VERSION", description = "Kernel behaviour to model: 6.1, 6.12 or 6.18 (default: ${DEFAULT-VALUE}).", defaultValue = "6.18")
    String kernel;

    @Option(names = "--fault-policy", paramLabel = "P", description = {
            "How to decide whether memory was written (has an anon_vma) when the trace cannot show it:",
            "observed-only, write-before-protect, assume-written. Default: observed-only when the trace",
            "has page-fault events (perf trace -F), else write-before-protect."})
    String faultPolicy;

    @Option(names = "--strict", description = "Stop at the first malformed trace line (exit code 3) instead of skipping and counting it.")
    boolean strict;

    @Option(names = "--check-invariants", description = "Check the VMA tree's invariants after every operation (slow).")
    boolean checkInvariants;

    @Option(names = {"-q", "--quiet"}, description = "Print only errors.")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ReplayOptions options = options();
        RunMeta meta = new RunMeta(VersionProvider.version(), options.kernel().toString(), List.copyOf(traces), optionMap(), null);
        long started = System.nanoTime();
        if (noStore) return replayWithoutStore(out, options, started);
        RunStore store;
        try {
            store = RunStore.open(db);
        } catch (StorageException e) {
            throw new Errors.StorageFailure(e.getMessage(), e);
        }
        try (store) {
            long runId;
            Map<Integer, List<MapsEntry>> layouts;
            IngestStats stats;
            Progress progress;
            boolean markers = options.snapshots() != null;
            if (markers && !quiet && snapshots == null) {
                spec.commandLine().getErr().println("vmareplay replay: re-seeding processes at their snapshot markers from "
                        + options.snapshots() + " (--no-snapshots to ignore it)");
            }
            try (RunWriter writer = store.beginRun(meta); EventSource source = Inputs.open(traces, Inputs.format(format), strict, markers)) {
                runId = writer.runId();
                progress = Progress.forTerminal(quiet, spec.commandLine().getErr(), source, traces);
                Replayer replayer = new Replayer(options, progress.wrap(writer));
                layouts = replayer.run(source);
                progress.done();
                stats = source.stats();
            } catch (MalformedTraceException e) {
                throw new Errors.InputException(e.getMessage(), e);
            } catch (UncheckedIOException e) {
                throw new Errors.InputException(e.getMessage(), e);
            } catch (IOException e) {
                throw new Errors.InputException(e.getMessage(), e);
            }
            if (finalMaps != null) writeFinalMaps(layouts);
            if (!noReport) {
                try {
                    ReportWriter.write(store, runId, report);
                } catch (UncheckedIOException e) {
                    throw new Errors.StorageFailure("run " + runId + " is stored, but the report cannot be written: "
                            + report + ": " + Errors.reason(e), e);
                }
            }
            if (!quiet) {
                Summary.print(out, store, runId, db, noReport ? null : report, stats,
                        Duration.ofNanos(System.nanoTime() - started), progress,
                        options.faultPolicy() == null ? "write-before-protect" : options.faultPolicy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            }
            return Errors.OK;
        } catch (StorageException e) {
            throw new Errors.StorageFailure(e.getMessage(), e);
        }
    }

    private int replayWithoutStore(PrintWriter out, ReplayOptions options, long started) {
        Map<Integer, List<MapsEntry>> layouts;
        IngestStats stats;
        Progress progress;
        Map<String, Long> cases = new LinkedHashMap<>();
        for (var k : dev.vmareplay.replay.outcome.CaseKind.values()) cases.put(k.storageName(), 0L);
        try (EventSource source = Inputs.open(traces, Inputs.format(format), strict)) {
            progress = Progress.forTerminal(quiet, spec.commandLine().getErr(), source, traces);
            java.util.Map<dev.vmareplay.replay.outcome.CaseKind, long[]> byKind = new java.util.EnumMap<>(dev.vmareplay.replay.outcome.CaseKind.class);
            Replayer replayer = new Replayer(options, progress.wrap(new dev.vmareplay.replay.outcome.OutcomeListener() {
                @Override
                public void onBatch(dev.vmareplay.replay.outcome.OutcomeBatch b) {
                    for (int i = 0; i < b.changeCount(); i++) byKind.computeIfAbsent(b.changeKinds()[i], k -> new long[1])[0]++;
                }
            }));
            layouts = replayer.run(source);
            progress.done();
            stats = source.stats();
            for (Map.Entry<dev.vmareplay.replay.outcome.CaseKind, long[]> e : byKind.entrySet()) cases.put(e.getKey().storageName(), e.getValue()[0]);
        } catch (MalformedTraceException e) {
            throw new Errors.InputException(e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            throw new Errors.InputException(e.getMessage(), e);
        }
        if (finalMaps != null) writeFinalMaps(layouts);
        if (!quiet) {
            Summary.print(out, cases, -1, null, null, stats, Duration.ofNanos(System.nanoTime() - started), progress,
                    options.faultPolicy() == null ? "write-before-protect" : options.faultPolicy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        }
        return Errors.OK;
    }

    ReplayOptions options() {
        KernelVersion k;
        try {
            k = KernelVersion.parse(kernel);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException(e.getMessage());
        }
        Path first = null;
        Map<Integer, Path> byPid = new LinkedHashMap<>();
        for (String s : seedMaps) {
            int eq = s.indexOf('=');
            Path p;
            if (eq > 0 && s.substring(0, eq).chars().allMatch(Character::isDigit)) {
                p = Path.of(s.substring(eq + 1));
                byPid.put(Integer.parseInt(s.substring(0, eq)), p);
            } else {
                p = Path.of(s);
                first = p;
            }
            if (!Files.isRegularFile(p)) throw new Errors.InputException("--seed-maps " + s + ": no such file: " + p);
        }
        FaultPolicy policy = faultPolicy == null
                ? (Inputs.hasFaultEvents(traces) ? FaultPolicy.OBSERVED_ONLY : null)
                : parsePolicy(faultPolicy);
        return new ReplayOptions(k, first, byPid, policy, checkInvariants,
                noSnapshots ? null : SnapshotVerification.resolve(snapshots, traces));
    }

    static FaultPolicy parsePolicy(String s) {
        try {
            return FaultPolicy.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("unknown --fault-policy '" + s + "' (expected observed-only, write-before-protect or assume-written)");
        }
    }

    private Map<String, String> optionMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("kernel", kernel);
        if (!seedMaps.isEmpty()) m.put("seed_maps", String.join(",", seedMaps));
        if (snapshots != null) m.put("snapshots", snapshots.toString());
        if (faultPolicy != null) m.put("fault_policy", faultPolicy);
        if (strict) m.put("strict", "true");
        return m;
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
