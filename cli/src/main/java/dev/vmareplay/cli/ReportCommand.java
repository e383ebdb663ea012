package dev.vmareplay.cli;

import dev.vmareplay.reports.ReportWriter;
import dev.vmareplay.reports.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmareplay report}: the HTML report of a stored run, or of two runs side by side. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Write the HTML report of a stored run, or of two runs side by side.",
        description = {
                "Writes one self-contained HTML file (no network needed) for a stored run: cases, refusal",
                "reasons, VMA count over time, final layouts, latency, divergences. With --diff A B, the two",
                "runs side by side with the deltas highlighted.",
                ""},
        footer = {"", "Examples:", "  vmareplay report -o report.html", "  vmareplay report --diff 1 2 -o diff.html",
                "  vmareplay report --parquet fleet/ -o fleet.html"})
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--db", paramLabel = "FILE", defaultValue = RunStore.DEFAULT_FILE, description = "DuckDB file (default: ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--parquet", paramLabel = "DIR", description = {
            "Report a directory of Parquet runs instead (the fleet job's output, spark/local, or 'export",
            "--parquet'): the case mix per trace, the traces with the most refusals, the fleet's latency."})
    Path parquet;

    @Option(names = "--run", paramLabel = "ID", description = "The run to report (default: the newest).")
    Long run;

    @Option(names = "--diff", arity = "2", paramLabel = "RUN", description = "Two run ids to compare.")
    List<Long> diff;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The HTML file to write.")
    Path output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            if (parquet != null) {
                if (diff != null || run != null) throw new Errors.UsageException("--parquet reports every run of DIR: no --run or --diff with it");
                long n = dev.vmareplay.reports.FleetReportWriter.write(parquet, output);
                spec.commandLine().getOut().printf("report: %d runs of %s -> %s%n", n, parquet, output);
            } else if (diff != null) {
                ReportWriter.writeDiff(db, diff.get(0), diff.get(1), output);
                spec.commandLine().getOut().printf("report: runs %d and %d -> %s%n", diff.get(0), diff.get(1), output);
            } else {
                long id = ReportWriter.write(db, run, output);
                spec.commandLine().getOut().printf("report: run %d -> %s%n", id, output);
            }
        } catch (UncheckedIOException e) {
            throw new Errors.StorageFailure("cannot write the report " + output + ": " + Errors.reason(e), e);
        }
        return Errors.OK;
    }
}
