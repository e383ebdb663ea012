package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing on a second thread changes nothing a consumer can see. */
class PrefetchingSourceTest {

    @TempDir
    Path tmp;

    /** A trace of n mmap/munmap pairs plus noise: several batches' worth of events. */
    private Path trace(int n, String badLineAt) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            long a = 0x7f0000000000L + i * 0x2000L;
            sb.append("100 10:00:00.").append(String.format("%06d", i % 1_000_000))
                    .append(" mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x").append(Long.toHexString(a)).append(" <0.000005>\n");
            sb.append("100 10:00:00.").append(String.format("%06d", i % 1_000_000)).append(" getpid() = 100 <0.000001>\n");
            if (badLineAt != null && i == n / 2) sb.append(badLineAt).append('\n');
            sb.append("100 10:00:00.").append(String.format("%06d", i % 1_000_000))
                    .append(" munmap(0x").append(Long.toHexString(a)).append(", 4096) = 0 <0.000004>\n");
        }
        Path f = tmp.resolve("t" + n + ".txt");
        Files.writeString(f, sb);
        return f;
    }

    private static List<Event> drain(EventSource s) throws IOException {
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = s.next()) != null) out.add(e);
        assertThat(s.next()).isNull();
        return out;
    }

    @Test
    void deliversTheSameEventsInTheSameOrderWithTheSameStats() throws IOException {
        Path f = trace(5_000, "100 10:00:00.000001 this is not strace");
        List<Event> direct, prefetched;
        IngestStats ds, ps;
        try (EventSource s = Ingest.open(f.toString())) {
            direct = drain(s);
            ds = s.stats();
        }
        try (EventSource s = new PrefetchingSource(Ingest.open(f.toString()))) {
            prefetched = drain(s);
            ps = s.stats();
        }
        assertThat(prefetched).hasSize(10_000).isEqualTo(direct);
        assertThat(ps.counts()).isEqualTo(ds.counts());
        assertThat(ps.bytesRead()).isEqualTo(ds.bytesRead()).isEqualTo(Files.size(f));
        assertThat(ps.examples()).hasSize(1);
    }

    @Test
    void aMalformedLineInStrictModeIsThrownAfterTheEventsBeforeIt() throws IOException {
        Path f = trace(4_000, "100 10:00:00.000001 this is not strace");
        List<Event> before = new ArrayList<>();
        try (EventSource s = new PrefetchingSource(Ingest.open(List.of(f.toString()), TraceFormat.AUTO, IngestOptions.strictMode()))) {
            assertThatThrownBy(() -> {
                Event e;
                while ((e = s.next()) != null) before.add(e);
            }).isInstanceOf(MalformedTraceException.class).hasMessageContaining("this is not strace");
        }
        assertThat(before).hasSize(2 * 2_000 + 1); // the pairs before it and the mmap of its iteration
    }

    @Test
    void closingEarlyStopsTheParserThread() throws IOException {
        Path f = trace(50_000, null);
        EventSource s = new PrefetchingSource(Ingest.open(f.toString()));
        assertThat(s.next()).isNotNull();
        s.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("vmareplay-parse") && t.isAlive());
    }
}
