package dev.vmareplay.cli;

import dev.vmareplay.reports.Export;
import dev.vmareplay.reports.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vmareplay export}: every table as Parquet, partitioned by run. */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Write every table as Parquet, partitioned by run.",
        description = {
                "Writes every table as Parquet under DIR/TABLE/run_id=N/, so results from many machines",
                "can be queried together (DuckDB over a glob, Spark, Trino).",
                ""},
        footer = {"", "Example:", "  vmareplay export --parquet out/",
                "  duckdb -c \"select kind, sum(n) from 'out/merge_events/*/*.parquet' group by kind\""})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--db", paramLabel = "FILE", defaultValue = RunStore.DEFAULT_FILE, description = "DuckDB file (default: ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--parquet", paramLabel = "DIR", required = true, description = "Directory to write the Parquet files into.")
    Path dir;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<String> tables = Export.parquet(db, dir);
        spec.commandLine().getOut().printf("export: %d tables -> %s: %s%n", tables.size(), dir, String.join(", ", tables));
        return Errors.OK;
    }
}
