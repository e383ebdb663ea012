package dev.vmareplay.cli;

import dev.vmareplay.reports.Query;
import dev.vmareplay.reports.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vmareplay query}: SQL over the stored runs. */
@Command(name = "query", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Run SQL over the stored runs (table, csv or json).",
        description = {
                "Runs SQL against the DuckDB file (read-only) and prints the result. The tables and views",
                "are listed in the README (runs, processes, events, merge_events, case_counts, vma_timeline,",
                "final_vmas, divergences, latency, refusal_reasons, vma_peaks, ...).",
                ""},
        footer = {"", "Examples:",
                "  vmareplay query \"select kind, sum(n) from case_counts group by kind order by 2 desc\"",
                "  vmareplay query --format csv -f my-query.sql > out.csv",
                "  vmareplay query --parquet fleet/ \"select run_id, n from case_counts where kind = 'refused' order by n desc limit 10\""})
final class QueryCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "SQL", description = "The SQL to run (or use -f FILE; - reads standard input).")
    String sql;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the SQL from FILE.")
    Path file;

    @Option(names = "--db", paramLabel = "FILE", defaultValue = RunStore.DEFAULT_FILE, description = "DuckDB file (default: ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--parquet", paramLabel = "DIR", description = {
            "Query a directory of Parquet runs instead (written by 'export --parquet' or the fleet job,",
            "spark/local): every table and view under its usual name, plus fleet_summary."})
    Path parquet;

    @Option(names = "--format", paramLabel = "F", defaultValue = "table", converter = FormatConverter.class,
            description = "Output: table, csv or json (default: ${DEFAULT-VALUE}).")
    Query.Format format;

    /** table, csv, json. */
    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Query.Format> {
        @Override
        public Query.Format convert(String value) {
            try {
                return Query.Format.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String text = sqlText();
        PrintWriter out = spec.commandLine().getOut();
        if (parquet != null) Query.runParquet(parquet, text, format, out);
        else Query.run(db, text, format, out);
        out.flush();
        return Errors.OK;
    }

    private String sqlText() {
        if (file != null && sql != null) throw new Errors.UsageException("give the SQL either as an argument or with -f, not both");
        try {
            if (file != null) return Files.readString(file, StandardCharsets.UTF_8);
            if ("-".equals(sql)) return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Errors.InputException("cannot read SQL from " + (file != null ? file : "standard input") + ": " + e.getMessage(), e);
        }
        if (sql == null || sql.isBlank()) throw new Errors.UsageException("no SQL given (an argument, -f FILE, or - for standard input)");
        return sql;
    }
}
