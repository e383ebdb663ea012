package dev.vmareplay.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * perf trace 6.1 printed a perl program's mremap as its entry half alone, never its
 * {@code [continued]} result. Here that is made of a real capture: real-python3's perf-trace-Fw
 * trace (CPython growing buffers with realloc/mremap) with the result lines of two of its
 * mremaps taken out — one that moved the buffer (161.604 ms) and one that grew it in place
 * (524.747 ms). Through the CLI, the replay still reaches the kernel's exit snapshot, and the
 * output says which calls it inferred, from what.
 */
class PerfHalvesCliTest {
    @TempDir
    static Path tmp;

    static Path sample;
    static Path cut;
    static Path full;

    /** The result halves taken out: 161.604 moved 0x7f5d6dab3000 to 0x7f5d6c8b3000; 524.747 grew 0x7f5d6daaf000 in place. */
    static final List<String> RESULTS = List.of("   161.604 ( 0.040 ms): python3/13459  ... [continued]: mremap())",
            "   524.747 ( 0.019 ms): python3/13459  ... [continued]: mremap())");

    @BeforeAll
    static void derive() throws IOException {
        sample = Path.of(System.getProperty("vmareplay.root", ".."), "samples/traces/real-python3/perf-trace-Fw");
        assumeTrue(Files.exists(sample.resolve("trace.full.txt.gz")), "no sample " + sample + ": skipped");
        cut = withoutResults(sample.resolve("trace.cut.txt.gz"), tmp.resolve("trace.cut.txt"));
        full = withoutResults(sample.resolve("trace.full.txt.gz"), tmp.resolve("trace.full.txt"));
    }

    private static Path withoutResults(Path from, Path to) throws IOException {
        List<String> kept = new ArrayList<>();
        int dropped = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(from)), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (RESULTS.stream().anyMatch(line::startsWith)) dropped++;
                else kept.add(line);
            }
        }
        assertThat(dropped).as("result lines taken out of " + from).isEqualTo(RESULTS.size());
        Files.write(to, kept, StandardCharsets.UTF_8);
        return to;
    }

    /** Runs the CLI; returns what it printed (stdout, then stderr). */
    private static String run(int expectedCode, String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertThat(code).as(out + "" + err).isEqualTo(expectedCode);
        return out + "" + err;
    }

    @Test
    void theCutTraceStillReplaysToTheEndSnapshotAndVerifySaysWhatItInferred() {
        String out = run(0, "verify", cut.toString(), "--seed-maps", sample.resolve("start.smaps").toString(),
                "--expect-maps", sample.resolve("end.maps").toString());
        assertThat(out).contains("verify: equal: ")
                .contains("  2 call(s) perf printed only half of, inferred and counted reconciled:")
                .containsPattern("event \\d+: mremap\\(0x7f5d6dab3000, 278528, 315392\\) printed without its result: the VMA could not grow "
                        + "in place, so the kernel moved it; mremap at event \\d+ names it at 0x7f5d6c8b3000")
                .containsPattern("event \\d+: mremap\\(0x7f5d6daaf000, 155648, 176128\\) printed without its result: "
                        + "the range after it was free, so the kernel grew it in place");
    }

    @Test
    void aRecordingsVerifyMatchesAndCountsTheInferredCalls() {
        String out = run(0, "verify", full.toString(), "--snapshots", sample.resolve("snapshots").toString());
        assertThat(out).containsPattern("(?m)^  MATCH +pid 13459")
                .contains("; 2 call(s) perf printed only half of, inferred and counted reconciled")
                .contains("names it at 0x7f5d6c8b3000")
                .contains("verify: 1 of 1 process with an exit snapshot matches exactly");
    }

    @Test
    void theReplaySummaryCountsThemReconciled() {
        String err = run(0, "replay", cut.toString(), "--seed-maps", sample.resolve("start.smaps").toString(), "--no-store");
        assertThat(err).containsPattern("reconciled-half=2\\b");
    }
}
