package dev.vmareplay.replay;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.KernelVersion;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.DivergenceCause;
import dev.vmareplay.replay.outcome.OutcomeListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls perf trace 6.1 printed only half of: the replay infers what they did from the layout
 * and from what follows, counts each as a reconciled-half divergence saying so, and the layout
 * comes out as the kernel's. Lines in perf trace 6.1's format (as in the perf-trace-Fw captures).
 */
class PerfHalvesTest {
    @TempDir
    Path dir;

    private List<String> halves;
    private List<String> others;

    private List<String> replay(String trace) throws Exception {
        Path t = dir.resolve("trace.txt");
        Files.writeString(t, trace);
        halves = new ArrayList<>();
        others = new ArrayList<>();
        ReplayOptions options = new ReplayOptions(KernelVersion.V6_18, null, Map.of(), FaultPolicy.OBSERVED_ONLY, true);
        Replayer r = new Replayer(options, new OutcomeListener() {
            @Override public void onDivergence(Divergence d) {
                (d.cause().equals(DivergenceCause.RESULT_ONLY.label()) ? halves : others).add("event " + d.seq() + ": " + d.detail());
            }
        });
        try (EventSource s = Ingest.open(List.of(t.toString()), TraceFormat.PERF_TRACE, IngestOptions.defaults())) {
            return r.run(s).get(r.firstPid()).stream().map(PerfHalvesTest::range).toList();
        }
    }

    private static String range(MapsEntry e) {
        return Long.toHexString(e.start()) + "-" + Long.toHexString(e.end()) + " " + e.perms();
    }

    @Test
    void anMremapWithoutItsResultThatCouldNotGrowMovedToWhereTheNextCallNamesIt() throws Exception {
        /*
         *  0x7f0000000000  +2p          +4p                       0x7f0000100000
         *  |  buffer  |  other |                                   |
         *  mremap(buffer, 2p -> 4p, MAYMOVE) ...        no result: "other" is in the way, so it moved
         *  mremap(0x7f0000100000, 4p -> 8p, MAYMOVE)    names it there (old_len = 4p): it moved there
         *                      |  other |                          | buffer (8p)            |
         */
        List<String> got = replay("""
                     1.000 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000000000, len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000000000
                     1.100 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000002000, len: 8192, prot: READ, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000002000
                     2.000 (         ): perl/7 mremap(addr: 0x7f0000000000, old_len: 8192, new_len: 16384, flags: MAYMOVE) ...
                     3.000 (         ): perl/7 mremap(addr: 0x7f0000100000, old_len: 16384, new_len: 32768, flags: MAYMOVE) ...
                     3.000 ( 0.002 ms): perl/7  ... [continued]: mremap())                                           = 0x7f0000100000
                """);
        assertThat(got).containsExactly("7f0000002000-7f0000004000 r--p", "7f0000100000-7f0000108000 rw-p");
        assertThat(halves).containsExactly("event 2: mremap(0x7f0000000000, 8192, 16384) printed without its result: "
                + "the VMA could not grow in place, so the kernel moved it; mremap at event 3 names it at 0x7f0000100000");
        assertThat(others).isEmpty();
    }

    @Test
    void anMremapWithoutItsResultThatCouldGrowGrewInPlace() throws Exception {
        /*
         *  0x7f0000000000  +2p       +4p
         *  |  buffer  |  (free)  |
         *  mremap(buffer, 2p -> 4p, MAYMOVE) ...        no result: the range after it is free, grown in place
         *  munmap(buffer, 4p)                           agrees: the whole 4p at the old address
         */
        List<String> got = replay("""
                     1.000 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000000000, len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000000000
                     1.100 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000010000, len: 4096, prot: READ, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000010000
                     2.000 (         ): perl/7 mremap(addr: 0x7f0000000000, old_len: 8192, new_len: 16384, flags: MAYMOVE) ...
                     3.000 ( 0.001 ms): perl/7 mprotect(start: 0x7f0000002000, len: 8192, prot: READ)                 = 0
                """);
        assertThat(got).containsExactly("7f0000000000-7f0000002000 rw-p", "7f0000002000-7f0000004000 r--p", "7f0000010000-7f0000011000 r--p");
        assertThat(halves).containsExactly("event 2: mremap(0x7f0000000000, 8192, 16384) printed without its result: "
                + "the range after it was free, so the kernel grew it in place");
        assertThat(others).isEmpty();
    }

    @Test
    void aMovedMremapNoCallNamesIsReportedNotGuessed() throws Exception {
        List<String> got = replay("""
                     1.000 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000000000, len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000000000
                     1.100 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000002000, len: 8192, prot: READ, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000002000
                     2.000 (         ): perl/7 mremap(addr: 0x7f0000000000, old_len: 8192, new_len: 16384, flags: MAYMOVE) ...
                     3.000 ( 0.001 ms): perl/7 munmap(addr: 0x7f0000200000, len: 4096)                             = 0
                """);
        // a munmap of one page does not name the 4-page mapping: nothing is moved anywhere
        assertThat(got).containsExactly("7f0000000000-7f0000002000 rw-p", "7f0000002000-7f0000004000 r--p");
        assertThat(halves).singleElement().isEqualTo("event 2: mremap(0x7f0000000000, 8192, 16384) printed without its result "
                + "could not grow in place, so the kernel moved it; no call up to event 3 names where: left at 0x7f0000000000");
    }

    @Test
    void otherCallsWithoutTheirResultAreAppliedWhenTheLayoutDecidesThemElseReported() throws Exception {
        /*
         *  0x7f0000000000  +4p
         *  |  rw-p (4p)  |
         *  munmap(+2p, 2p) ...                        no result: the layout decides it, applied
         *  mmap(len: 4p) ...                          no result: the kernel chose the address, left out
         */
        List<String> got = replay("""
                     1.000 ( 0.001 ms): perl/7 mmap(addr: 0x7f0000000000, len: 16384, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS|FIXED) = 0x7f0000000000
                     2.000 (         ): perl/7 munmap(addr: 0x7f0000002000, len: 8192)                              ...
                     3.000 (         ): perl/7 mmap(len: 16384, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS)          ...
                     4.000 ( 0.001 ms): perl/7 close(fd: 3)                                                          = 0
                """);
        assertThat(got).containsExactly("7f0000000000-7f0000002000 rw-p");
        assertThat(halves).containsExactly(
                "event 1: munmap printed without its result: the layout decides it: applied, the model says 0",
                "event 2: mmap printed without its result: nothing in the trace says what it did: left out");
    }

    @Test
    void anMmapResultWithoutItsEntryFillsTheGapUpToTheNextVma() throws Exception {
        List<String> got = replay("""
                     1.000 ( 0.001 ms): ls/7 mmap(addr: 0x7f0000001000, len: 4096, prot: READ, flags: PRIVATE|FIXED, fd: 4) = 0x7f0000001000
                     2.000 ( 0.001 ms): ls/7  ... [continued]: mmap())                                             = 0x7f0000000000
                """);
        assertThat(got).containsExactly("7f0000000000-7f0000001000 r--p", "7f0000001000-7f0000002000 r--p");
        assertThat(halves).singleElement().asString().startsWith("event 1: mmap = 0x7f0000000000 printed without its arguments");
    }
}
