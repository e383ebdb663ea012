package dev.vmareplay.replay;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.Ingest;
import dev.vmareplay.ingest.IngestOptions;
import dev.vmareplay.ingest.IngestStats;
import dev.vmareplay.ingest.TraceFormat;
import dev.vmareplay.ingest.TracePeek;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.FileRef;
import dev.vmareplay.ingest.event.Source;
import dev.vmareplay.replay.engine.Errno;
import dev.vmareplay.replay.engine.Mman;
import dev.vmareplay.replay.outcome.Change;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.OutcomeRecords;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.TimelinePoint;
import dev.vmareplay.replay.outcome.VmaLayout;
import dev.vmareplay.replay.outcome.VmaLife;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace replayed in parts, by families of address spaces ({@link ReplayPart}), reports what
 * the whole replay reports: every row exactly once over the parts, the counts adding up, the
 * latency histograms adding up to the whole replay's. The traces are real multi-process
 * recordings: make -j2 (posix_spawn children that exec), g++ (the driver forking cc1plus and
 * as), a shell pipeline, and the gaps recording (a failed PR_SET_VMA_ANON_NAME, which every
 * family must follow), the recordings re-seeded from their snapshots at their markers.
 */
class ReplayPartTest {

    static Path samples() {
        return Path.of(System.getProperty("vmareplay.root", "..")).toAbsolutePath().normalize().resolve("samples");
    }

    /** Everything one replay reports, as comparable rows. */
    static final class Rows extends OutcomeRecords {
        final List<String> rows = new ArrayList<>();
        final Map<String, Histogram> latency = new TreeMap<>();
        RunSummary summary;
        IngestStats stats;
        /** The address spaces the replay reported processes of. */
        final java.util.Set<Long> families = new java.util.TreeSet<>();

        @Override protected void onEvent(Event e, long mmId) { rows.add("event " + e.seq() + " mm " + mmId); }
        @Override protected void onChange(Change c) { rows.add("change " + c); }
        @Override protected void onTimeline(TimelinePoint p) { rows.add("timeline " + p); }
        @Override protected void onVmaLife(VmaLife l) { rows.add("life " + l); }
        @Override public void onProcess(ProcessInfo p) { rows.add("process " + p); families.add(p.mmId()); }
        @Override public void onDivergence(Divergence d) { rows.add("divergence " + d); }
        @Override public void onFinalLayout(long mmId, List<VmaLayout> layout) { rows.add("final " + mmId + " " + layout); }
        @Override public void onPeakLayout(long mmId, long seq, List<VmaLayout> layout) { rows.add("peak " + mmId + " " + seq + " " + layout); }
        @Override public void onLatency(String scope, String name, Histogram h) {
            if (!scope.equals("engine")) latency.put(scope + "/" + name, h.copy()); // engine: measured time, not replayed
        }
        @Override public void finish(RunSummary s, IngestStats st) { summary = s; stats = st; }
    }

    static Rows replay(Path trace, Path snapshots, ReplayPart part) throws Exception {
        Rows rows = new Rows();
        SnapshotDir dir = snapshots != null ? new SnapshotDir(snapshots) : null;
        ReplayOptions options = ReplayOptions.named("6.18", null, TracePeek.hasFaultEvents(List.of(trace.toString())), dir);
        try (EventSource source = Ingest.open(List.of(trace.toString()), TraceFormat.AUTO, IngestOptions.defaults().withMarkers(dir != null))) {
            new Replayer(options, rows, part).run(source);
        }
        return rows;
    }

    /** Events from a list (the test's own trace). */
    record ListSource(List<Event> events, IngestStats stats) implements EventSource {
        ListSource(List<Event> events) {
            this(new ArrayList<>(events), new IngestStats());
        }

        @Override public Event next() { return events.isEmpty() ? null : events.remove(0); }
        @Override public void close() { }
    }

    static Event ev(long seq, int pid, Call call, long ret, int errno) {
        return new Event(seq, 0, pid, pid, call, errno == 0 ? ret : -1, errno, true, 1000, new Source("test", seq));
    }

    /**
     * What one family lends the others reaches a part that does not model the lender:
     * <pre>
     *  pid 100, mm 1 (family 1, part 0 of 2): seeded with /usr/lib/libx.so (fe:00, inode 4242);
     *                                         maps /usr/lib/liby.so by path (an fd from before the
     *                                         trace: no device, no inode known);
     *                                         prctl(PR_SET_VMA_ANON_NAME) = EINVAL: no anon names here
     *  vfork, execve: pid 200, mm 2 (family 2, part 1 of 2), seeded with liby.so: the run's
     *                                         identity of liby.so is the one pid 100's mmap made;
     *                                         maps libx.so by path: borrows fe:00 4242;
     *                                         its own prctl succeeds in the trace, not in the model
     * </pre>
     */
    @org.junit.jupiter.api.Test
    void a_part_follows_the_file_identities_and_the_kernel_another_part_models(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        long w = 0x200000000000L, page = 0x1000;
        Path seed = tmp.resolve("100.maps"), seed200 = tmp.resolve("200.maps");
        Files.writeString(seed, "7f0000000000-7f0000001000 r--p 00000000 fe:00 4242                       /usr/lib/libx.so\n");
        Files.writeString(seed200, "7f0000000000-7f0000001000 r--p 00000000 fe:00 77                         /usr/lib/liby.so\n");
        int anon = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;
        List<Event> trace = List.of(
                ev(0, 100, new Call.Mmap(w, page, 3, anon, -1, 0, null), w, 0),
                ev(1, 100, new Call.Mmap(0, page, 1, Mman.MAP_PRIVATE, 4, 0, new FileRef(8, "/usr/lib/liby.so", true)), w + 8 * page, 0),
                ev(2, 100, new Call.SetVmaName(w, page, "x"), 0, Errno.EINVAL),
                ev(3, 100, new Call.Clone("vfork", 0x4111), 200, 0),
                ev(4, 200, new Call.Execve("execve", "/bin/true"), 0, 0),
                ev(5, 200, new Call.Mmap(0, page, 1, Mman.MAP_PRIVATE, 3, 0, new FileRef(7, "/usr/lib/libx.so", true)), w + 16 * page, 0),
                ev(6, 200, new Call.Mmap(w + 32 * page, page, 3, anon, -1, 0, null), w + 32 * page, 0),
                ev(7, 200, new Call.SetVmaName(w + 32 * page, page, "y"), 0, 0));
        ReplayOptions options = new ReplayOptions(dev.vmareplay.replay.engine.KernelVersion.V6_18, null, Map.of(100, seed, 200, seed200), null, false);

        Rows whole = new Rows();
        new Replayer(options, whole, ReplayPart.WHOLE).run(new ListSource(trace));
        assertThat(whole.rows).as("mm 2's libx.so borrows the seed's device and inode")
                .anyMatch(r -> r.startsWith("final 2 ") && r.contains("fe:00") && r.contains("4242"));
        assertThat(whole.rows).as("pid 200's prctl refused: the kernel has no anon names")
                .anyMatch(r -> r.startsWith("divergence Divergence[seq=7"));

        List<String> together = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Rows part = new Rows();
            new Replayer(options, part, new ReplayPart(k, 2)).run(new ListSource(trace));
            assertThat(part.families).as("the address spaces part " + k + " models").containsExactly(k + 1L);
            together.addAll(part.rows);
        }
        together.sort(null);
        whole.rows.sort(null);
        assertThat(together).isEqualTo(whole.rows);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"recorded/make-j2", "recorded/gxx-compile", "recorded/gaps", "captured/make-j2.strace.txt.gz",
            "captured/sh-pipeline.strace.txt.gz"})
    void the_parts_together_report_every_row_of_the_whole_replay_once(String sample) throws Exception {
        Path p = samples().resolve(sample);
        Path trace = Files.isDirectory(p) ? p.resolve("trace.txt.gz") : p;
        Path snapshots = Files.isDirectory(p) ? p.resolve("snapshots") : null;
        Rows whole = replay(trace, snapshots, ReplayPart.WHOLE);
        assertThat(whole.families).as("address spaces of " + sample).hasSizeGreaterThan(2);

        int n = 3;
        List<String> together = new ArrayList<>();
        Map<String, Histogram> latency = new TreeMap<>();
        long events = 0, divergences = 0, vmaEvents = 0;
        int partsWithProcesses = 0;
        for (int k = 0; k < n; k++) {
            Rows part = replay(trace, snapshots, new ReplayPart(k, n));
            together.addAll(part.rows);
            part.latency.forEach((key, h) -> latency.merge(key, h, (a, b) -> {
                a.add(b);
                return a;
            }));
            events += part.summary.events();
            divergences += part.summary.divergences();
            vmaEvents += part.summary.vmaEvents();
            assertThat(part.summary.processes()).as("pids seen by part " + k).isEqualTo(whole.summary.processes());
            assertThat(part.stats.counts()).as("parse coverage of part " + k).isEqualTo(whole.stats.counts());
            if (!part.families.isEmpty()) partsWithProcesses++;
        }
        assertThat(partsWithProcesses).as("parts that replayed address spaces").isEqualTo(n);
        together.sort(null);
        whole.rows.sort(null);
        assertThat(together).isEqualTo(whole.rows);
        assertThat(events).isEqualTo(whole.summary.events());
        assertThat(divergences).isEqualTo(whole.summary.divergences());
        assertThat(vmaEvents).isEqualTo(whole.summary.vmaEvents());
        assertThat(latency).isEqualTo(whole.latency);
    }
}
