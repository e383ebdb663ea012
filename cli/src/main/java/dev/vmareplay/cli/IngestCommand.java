package dev.vmareplay.cli;

import dev.vmareplay.ingest.CsvEventWriter;
import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.event.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vmareplay ingest}: traces to the canonical event CSV. */
@Command(name = "ingest", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Parse traces into the canonical event CSV and print the parse coverage.",
        description = {
                "Parses the trace(s) into the canonical event CSV (one row per event, with the decoded",
                "arguments and the open-file identity of every mmap). Every command reads it back as input.",
                "Prints the parse coverage (parsed, paired, orphaned, ignored, malformed lines) on stderr.",
                ""},
        footer = {"", "Example:", "  vmareplay ingest trace.txt -o events.csv"})
final class IngestCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    TraceInputs inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The CSV to write; - writes standard output.")
    String output;

    @Option(names = {"-q", "--quiet"}, description = "Do not print the coverage summary.")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private interface IoCall<T> {
        T call() throws IOException;
    }

    /**
     * One operation on the output: its IOException is a failure to write (exit 4, storage), told
     * apart from one reading the input (an IOException the command lets through: exit 3).
     */
    private static <T> T output(String name, IoCall<T> op) {
        try {
            return op.call();
        } catch (IOException e) {
            throw new Errors.StorageFailure("cannot write " + name + ": " + Errors.reason(e), e);
        }
    }

    /** The output stream, its errors reported as output errors. */
    private static final class Output extends java.io.FilterOutputStream {
        private final String name;

        Output(OutputStream out, String name) {
            super(out);
            this.name = name;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            output(name, () -> { out.write(b, off, len); return null; });
        }

        @Override
        public void write(int b) {
            output(name, () -> { out.write(b); return null; });
        }

        @Override
        public void flush() {
            output(name, () -> { out.flush(); return null; });
        }

        @Override
        public void close() {
            output(name, () -> { out.close(); return null; });
        }
    }

    @Override
    public Integer call() throws IOException {
        long n = 0;
        IngestStats stats;
        try (EventSource source = inputs.open(false);
             OutputStream os = new Output(output.equals("-") ? System.out
                     : new BufferedOutputStream(output(output, () -> Files.newOutputStream(Path.of(output))), 1 << 16), output);
             CsvEventWriter w = new CsvEventWriter(os)) {
            Event e;
            while ((e = source.next()) != null) {
                w.write(e);
                n++;
            }
            stats = source.stats();
        }
        if (!quiet) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("ingest: %,d events (%s) -> %s; lines %s%n", n, stats.format(), output, stats.counts());
            for (IngestStats.Example ex : stats.examples()) err.println("  malformed " + ex);
            err.flush();
        }
        return Errors.OK;
    }
}
