package dev.vmareplay.cli;

import dev.vmareplay.cli.synth.SynthTrace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;

/** {@code vmareplay synth}: writes a synthetic strace -f -tt -T -y trace for benchmarks and tests. */
@Command(name = "synth", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Write a deterministic synthetic strace trace modelled on real workloads (benchmarks).",
        description = {
                "Writes a deterministic synthetic 'strace -f -tt -T -y' trace modelled on real workloads:",
                "ld.so loading libraries, malloc (brk, large chunks, arenas), a JIT flipping page",
                "protections, thread stacks with guard pages, mremap of growing buffers, processes",
                "forking and exec'ing, and noise (reads, writes, futexes, signals, unfinished/resumed",
                "pairs). The same seed gives the same bytes; every call is consistent with what the",
                "trace has mapped, so replaying it gives no divergences.",
                ""},
        footer = {"", "Examples:",
                "  vmareplay synth --events 1000000 -o trace.txt",
                "  vmareplay synth --size 1G --seed 7 --processes 8 --gzip -o trace.txt.gz"})
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--events", paramLabel = "N", description = "Trace lines to write (syscall, signal and exit lines; about 45% are mmap-family or process events).")
    Long events;

    @Option(names = "--size", paramLabel = "SIZE", description = "Stop once this many bytes are written (uncompressed), e.g. 500M, 2G. With --events: whichever comes first.")
    String size;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "The trace to write; - writes standard output.")
    String output;

    @Option(names = "--gzip", description = "Compress the output with gzip.")
    boolean gzip;

    @Option(names = "--processes", paramLabel = "P", defaultValue = "4", description = "Processes alive at once, at most (default: ${DEFAULT-VALUE}).")
    int processes;

    @Option(names = {"-q", "--quiet"}, description = "Do not print the summary.")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long bytes = size == null ? 0 : parseSize(size);
        long lines = events == null ? 0 : events;
        if (lines <= 0 && bytes <= 0) throw new Errors.UsageException("give --events N or --size SIZE");
        if (processes < 1) throw new Errors.UsageException("--processes must be at least 1");
        SynthTrace.Result r;
        try (OutputStream raw = output.equals("-") ? new NonClosing(System.out) : Files.newOutputStream(Path.of(output));
             OutputStream os = gzip ? new GZIPOutputStream(raw, 1 << 16) : new BufferedOutputStream(raw, 1 << 16)) {
            r = new SynthTrace(new SynthTrace.Config(lines, bytes, seed, processes)).write(os);
        } catch (IOException e) {
            throw new Errors.StorageFailure("cannot write " + output + ": " + e.getMessage(), e);
        }
        if (!quiet) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "synth: %,d lines, %,d bytes, %,d processes, %,d threads -> %s%n",
                    r.lines(), r.bytes(), r.processes(), r.threads(), output);
            err.flush();
        }
        return Errors.OK;
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        long mult = 1;
        if (t.endsWith("K")) mult = 1_000L;
        else if (t.endsWith("M")) mult = 1_000_000L;
        else if (t.endsWith("G")) mult = 1_000_000_000L;
        if (mult > 1) t = t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(t);
            if (v <= 0) throw new NumberFormatException();
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new Errors.UsageException("bad --size '" + s + "' (expected e.g. 500M, 2G, 10000000)");
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream o) { super(o); }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public void close() throws IOException { flush(); }
    }
}
