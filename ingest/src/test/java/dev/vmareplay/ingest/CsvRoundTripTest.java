package dev.vmareplay.ingest;

import dev.vmareplay.ingest.TestSupport.Result;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvRoundTripTest {
    @TempDir
    Path dir;

    private void roundTrip(Path trace) throws IOException {
        Result r = TestSupport.read(trace);
        assertThat(r.events()).isNotEmpty();
        Path csv = dir.resolve("events.csv");
        try (OutputStream out = Files.newOutputStream(csv); CsvEventWriter w = new CsvEventWriter(out)) {
            for (Event e : r.events()) w.write(e);
        }
        Result back = TestSupport.read(csv);
        assertThat(back.stats().format()).isEqualTo("csv");
        assertThat(back.stats().get(IngestStats.LineClass.MALFORMED)).isZero();
        assertThat(back.events()).containsExactlyElementsOf(r.events());
    }

    @Test
    void straceWithThreadsForksFilesAndStacks() throws IOException {
        roundTrip(TestSupport.resource("captures/mt/stderr-f.txt"));
        roundTrip(TestSupport.resource("captures/mt/k-head.txt"));
        roundTrip(TestSupport.resource("captures/mt/yy.txt"));
    }

    @Test
    void perfTraceWithFaultsAndPerfScript() throws IOException {
        roundTrip(TestSupport.resource("traces/real-python3/perf-trace/trace.cut.txt.gz"));
        roundTrip(TestSupport.resource("traces/mseal_basic/perf-trace-F/trace.cut.txt"));
        roundTrip(TestSupport.resource("traces/mseal_basic/perf-script/trace.cut.txt"));
    }

    @Test
    void gzipDetectedByMagicBytesAndSeveralInputsMerged() throws IOException {
        Path plain = TestSupport.resource("traces/brk_grow_shrink/strace-tt-T-y/trace.cut.txt");
        Path gz = dir.resolve("no-gz-suffix.trace");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(TestSupport.resource("traces/new_left/strace-tt-T-y/trace.cut.txt")));
        }
        Result r = TestSupport.read(List.of(plain.toString(), gz.toString()), TraceFormat.AUTO, IngestOptions.defaults());
        assertThat(r.events()).extracting(Event::syscall).contains("brk", "mmap");
        for (int i = 1; i < r.events().size(); i++) {
            assertThat(r.events().get(i).seq()).isEqualTo(i);
        }
    }

    @Test
    void unreadableInputNamesTheFile() {
        assertThatThrownBy(() -> Ingest.open(List.of("/no/such/trace.txt"), TraceFormat.AUTO, IngestOptions.defaults()))
                .isInstanceOf(IngestException.class).hasMessageContaining("/no/such/trace.txt");
    }

    @Test
    void formatNamesAndDetection() throws IOException {
        assertThat(TraceFormat.parse("perf-trace")).isEqualTo(TraceFormat.PERF_TRACE);
        assertThat(TraceFormat.parse("CSV")).isEqualTo(TraceFormat.CSV);
        Path junk = TestSupport.write(dir, "junk.txt", "hello world\n");
        assertThatThrownBy(() -> Ingest.open(List.of(junk.toString()), TraceFormat.AUTO, IngestOptions.defaults()))
                .isInstanceOf(IngestException.class).hasMessageContaining("junk.txt");
        assertThat(TestSupport.read(TestSupport.resource("traces/new_left/perf-script/trace.cut.txt")).stats().format()).isEqualTo("perf-script");
        assertThat(TestSupport.read(TestSupport.resource("traces/new_left/perf-trace/trace.cut.txt")).stats().format()).isEqualTo("perf-trace");
    }
}
