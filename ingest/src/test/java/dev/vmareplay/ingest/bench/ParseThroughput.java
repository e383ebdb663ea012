package dev.vmareplay.ingest.bench;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.TraceFormat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Parse-throughput benchmark (a main class, not a unit test: timings are measured, never
 * asserted). Usage: {@code ParseThroughput [--make SEED_TRACE SIZE_MB] FILE [ROUNDS]}.
 * {@code --make} builds FILE by repeating SEED_TRACE up to SIZE_MB. Prints, per round, the
 * floor (reading the file's bytes, 1 MiB buffer) and the full parse (Ingest.open draining
 * every event, fd tables included) in MB/s (1 MB = 10^6 bytes).
 */
public final class ParseThroughput {
    public static void main(String[] args) throws Exception {
        int a = 0;
        if (args.length > 3 && args[0].equals("--make")) {
            Path seed = Path.of(args[1]);
            long size = Long.parseLong(args[2]) * 1_000_000L;
            Path out = Path.of(args[3]);
            if (!Files.exists(out) || Files.size(out) < size) {
                byte[] s = Files.readAllBytes(seed);
                try (OutputStream o = Files.newOutputStream(out)) {
                    long n = 0;
                    while (n < size) { o.write(s); n += s.length; }
                }
            }
            a = 3;
        }
        Path file = Path.of(args[a]);
        int rounds = args.length > a + 1 ? Integer.parseInt(args[a + 1]) : 3;
        long bytes = Files.size(file);
        double bestFloor = 0, bestParse = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            long sum = 0;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) sum += buf[n - 1];
            }
            long t1 = System.nanoTime();
            long c1 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long events = 0;
            IngestStats stats;
            try (EventSource s = Ingest.open(List.of(file.toString()), TraceFormat.AUTO, IngestOptions.defaults())) {
                while (s.next() != null) events++;
                stats = s.stats();
            }
            long t2 = System.nanoTime();
            long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c1;
            double floor = bytes / ((t1 - t0) / 1e9) / 1e6, parse = bytes / ((t2 - t1) / 1e9) / 1e6;
            bestFloor = Math.max(bestFloor, floor);
            bestParse = Math.max(bestParse, parse);
            System.out.printf(Locale.ROOT, "round %d: %,d bytes, %,d lines, %,d events, malformed %d: read floor %.0f MB/s, parse %.0f MB/s (%.2f s, this thread's CPU %.2f s)%s%n",
                    r + 1, bytes, stats.totalLines(), events, stats.get(IngestStats.LineClass.MALFORMED), floor, parse,
                    (t2 - t1) / 1e9, cpu / 1e9, sum == 42 ? "" : "");
        }
        System.out.printf(Locale.ROOT, "best: read floor %.0f MB/s, parse %.0f MB/s%n", bestFloor, bestParse);
    }
}
