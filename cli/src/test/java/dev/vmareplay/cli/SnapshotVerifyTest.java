package dev.vmareplay.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code verify TRACE --snapshots DIR} on the captured real programs: the WHOLE trace (exec,
 * loader and all) replays to the kernel's exit snapshot, because the process is re-seeded at
 * its START marker, in every trace format (the markers are parsed from strace, perf trace and
 * perf script alike). The captures name snapshots the older way (PID.start.smaps).
 */
class SnapshotVerifyTest {

    @ParameterizedTest
    @CsvSource({"real-ls,strace-tt-T-y", "real-ls,perf-trace", "real-ls,perf-script",
            "real-python3,strace-tt-T-y", "real-python3,perf-trace", "real-python3,perf-script",
            "real-ls,perf-trace-Fw", "real-python3,perf-trace-Fw"})
    void theFullTraceReplaysToTheExitSnapshot(String caseName, String variant) {
        Path dir = Path.of(System.getProperty("vmareplay.root", ".."), "samples/traces", caseName, variant);
        Path trace = dir.resolve("trace.full.txt");
        if (!Files.exists(trace)) trace = dir.resolve("trace.full.txt.gz");
        assumeTrue(Files.exists(trace) && Files.isDirectory(dir.resolve("snapshots")), "no sample " + dir + ": skipped");

        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("verify", trace.toString(), "--snapshots", dir.resolve("snapshots").toString());

        assertThat(code).as(out + "" + err).isZero();
        assertThat(out.toString()).containsPattern("(?m)^  MATCH +pid \\d+")
                .contains("verify: 1 of 1 process with an exit snapshot matches exactly");
    }

    /** A row that differs where perf printed a call only half names that call and what was done with it. */
    @org.junit.jupiter.api.Test
    void aDifferenceNextToAHalfPrintedCallNamesIt() {
        SnapshotVerification.Image img = new SnapshotVerification.Image(1309, 1, "/usr/bin/node");
        img.writeFaults = 22520;
        img.locks = 2624;
        img.reconciledHalves = 1;
        img.halves.add("event 27870: munmap printed without its arguments (= 0x0): left out");
        var onlyReplayed = new dev.vmareplay.replay.maps.MapsEntry(0x200738480000L, 0x2007384c0000L, "rw-p", 0,
                "00:00", 0, "", "rd wr mr mw me ac", -1);
        var row = new dev.vmareplay.replay.maps.LayoutComparison.Row(null, onlyReplayed, "only in the replayed layout");

        assertThat(SnapshotVerification.cause(img, row))
                .isEqualTo("perf printed a call only half: event 27870: munmap printed without its arguments (= 0x0): left out");
        // the observed line only counts them: MATCH lists each below it, DIFFERENT names it per row
        assertThat(SnapshotVerification.observed(img))
                .endsWith("; 1 call(s) perf printed only half of, inferred and counted reconciled");
    }
}
