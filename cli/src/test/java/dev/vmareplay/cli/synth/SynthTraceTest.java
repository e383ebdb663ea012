package dev.vmareplay.cli.synth;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.IngestStats.LineClass;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.outcome.Change;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.ReplayOptions;
import dev.vmareplay.replay.Replayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The synthetic trace generator: deterministic, parses clean, replays without divergences, has the mix. */
class SynthTraceTest {

    @TempDir
    Path tmp;

    static byte[] synth(long lines, long seed, int processes) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        new SynthTrace(new SynthTrace.Config(lines, 0, seed, processes)).write(bos);
        return bos.toByteArray();
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOthers() throws IOException {
        byte[] a = synth(20_000, 42, 4), b = synth(20_000, 42, 4), c = synth(20_000, 43, 4);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void stopsAtTheRequestedSize() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        SynthTrace.Result r = new SynthTrace(new SynthTrace.Config(0, 2_000_000, 1, 3)).write(bos);
        assertThat(r.bytes()).isEqualTo(bos.size()).isBetween(2_000_000L, 2_200_000L);
        assertThat(r.lines()).isEqualTo(new String(bos.toByteArray()).lines().count());
    }

    @Test
    void parsesWithoutAMalformedOrOrphanedLineAndReplaysWithoutDivergences() throws IOException {
        Path f = tmp.resolve("synth.txt");
        Files.write(f, synth(150_000, 7, 6));
        Map<String, Integer> calls = new TreeMap<>();
        List<String> divergences = new ArrayList<>();
        Map<String, Integer> kinds = new TreeMap<>();
        long[] events = new long[1];
        IngestStats stats;
        try (EventSource src = Ingest.open(f.toString())) {
            EventSource counting = new EventSource() {
                @Override public Event next() throws IOException {
                    Event e = src.next();
                    if (e != null) {
                        calls.merge(e.syscall(), 1, Integer::sum);
                        if (e.call() instanceof Call.Mmap m && (m.flags() & 0x10) != 0) calls.merge("mmap:fixed", 1, Integer::sum);
                        if (e.call() instanceof Call.Mmap m && m.file() != null) calls.merge("mmap:file", 1, Integer::sum);
                    }
                    return e;
                }
                @Override public IngestStats stats() { return src.stats(); }
                @Override public void close() throws IOException { src.close(); }
            };
            new Replayer(ReplayOptions.defaults(), new OutcomeRecords() {
                @Override public void onDivergence(Divergence d) {
                    divergences.add(d.seq() + " " + d.cause() + ": " + d.detail());
                }
                @Override protected void onChange(Change v) {
                    kinds.merge(v.kind().storageName(), 1, Integer::sum);
                }
                @Override public void finish(RunSummary summary, IngestStats ingest) {
                    events[0] = summary.events();
                }
            }).run(counting);
            stats = src.stats();
        }
        assertThat(stats.get(LineClass.MALFORMED)).as(stats.examples().toString()).isZero();
        assertThat(stats.get(LineClass.ORPHANED)).isZero();
        assertThat(stats.get(LineClass.PAIRED)).as("unfinished/resumed pairs").isPositive();
        assertThat(stats.totalLines()).isEqualTo(150_000L + countTailLines(f));
        assertThat(divergences).as("divergences").isEmpty();
        assertThat(events[0]).isGreaterThan(40_000);

        // the operation mix
        assertThat(calls).containsKeys("mmap", "munmap", "mprotect", "mremap", "brk", "madvise",
                "clone", "clone3", "execve", "exit", "exit_group", "mmap:fixed", "mmap:file");
        assertThat(calls.get("mprotect")).isGreaterThan(calls.get("execve") * 10);
        // and what the engine made of it: merges of every family, splits, removals
        assertThat(kinds).containsKeys("new_none", "new_left", "new_right", "new_both", "existing_left_partial",
                "existing_right_partial", "existing_both", "split", "remove");
    }

    /** Lines past the requested count: the processes' exits written at the end. */
    private static long countTailLines(Path f) throws IOException {
        return Files.lines(f).count() - 150_000L;
    }
}
