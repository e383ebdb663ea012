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

    private static OutputStream open(String output) {
        try {
            return Files.newOutputStream(Path.of(output));
        } catch (IOException e) {
            throw new OutputFailure(e);
        }
    }

    /** A failure writing the output (exit 4), told apart from one reading the input (exit 3). */
    static final class OutputFailure extends java.io.UncheckedIOException {
        OutputFailure(IOException cause) {
            super(cause);
        }
    }

    /** The output stream, its errors marked as output errors. */
    private static final class Output extends java.io.FilterOutputStream {
        Output(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new OutputFailure(e);
            }
        }

        @Override
        public void write(int b) {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new OutputFailure(e);
            }
        }

        @Override
        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new OutputFailure(e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new OutputFailure(e);
            }
        }
    }

    @Override
    public Integer call() throws IOException {
        long n = 0;
        IngestStats stats;
        try (EventSource source = inputs.open(false);
             OutputStream os = new Output(output.equals("-") ? System.out : new BufferedOutputStream(open(output), 1 << 16));
             CsvEventWriter w = new CsvEventWriter(os)) {
            Event e;
            while ((e = source.next()) != null) {
                w.write(e);
                n++;
            }
            stats = source.stats();
        } catch (OutputFailure e) {
            throw new Errors.StorageFailure("cannot write " + output + ": " + Errors.reason(e.getCause()), e);
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
