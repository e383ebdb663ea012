package dev.vmareplay.replay.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared helpers of the engine tests: an event recorder, page arithmetic, layout strings, smaps seeding. */
final class EngineTestSupport {
    private EngineTestSupport() { }

    static final long PAGE = Mm.PAGE_SIZE;
    /** The scripted scenarios' window. */
    static final long W = 0x200000000000L;

    /** Address of page n of the window. */
    static long w(long n) {
        return W + n * PAGE;
    }

    /** n pages in bytes. */
    static long pages(long n) {
        return n * PAGE;
    }

    /** Records every VmaEvent. */
    static final class Recorder implements VmaObserver {
        final List<VmaEvent> events = new ArrayList<>();

        @Override
        public void on(VmaEvent event) {
            events.add(event);
        }

        long count(VmaEvent.Kind kind) {
            return events.stream().filter(e -> e.kind() == kind).count();
        }

        long refused(VmaEvent.RefusalReason reason) {
            return events.stream().filter(e -> e.kind() == VmaEvent.Kind.REFUSED && e.reason() == reason).count();
        }

        Map<VmaEvent.Kind, Long> counts() {
            Map<VmaEvent.Kind, Long> m = new EnumMap<>(VmaEvent.Kind.class);
            for (VmaEvent e : events) {
                m.merge(e.kind(), 1L, Long::sum);
            }
            return m;
        }

        VmaEvent last() {
            return events.get(events.size() - 1);
        }

        void clear() {
            events.clear();
        }
    }

    /**
     * The layout of [base, base + span) in the scenario notation of case.txt: "0-4 rw-p, 4-8 r--p"
     * (page numbers relative to base).
     */
    static String layout(Mm mm, long base, long span) {
        StringBuilder sb = new StringBuilder();
        for (Vma v : mm.vmas(base, base + span)) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append((v.start() - base) / PAGE).append('-').append((v.end() - base) / PAGE).append(' ')
                .append(TaskMmu.perms(v.flags()));
        }
        return sb.toString();
    }

    static String windowLayout(Mm mm) {
        return layout(mm, W, 1L << 32);
    }

    /** Asserts one VMA exactly: [start, end) in window pages, pgoff, anon_vma presence. */
    static void assertVma(Mm mm, long startPage, long endPage, long pgoff, boolean anon) {
        Vma v = mm.find(w(startPage));
        assertThat(v).as("a VMA at page %d", startPage).isNotNull();
        assertThat((v.start() - W) / PAGE).as("start of %s", v).isEqualTo(startPage);
        assertThat((v.end() - W) / PAGE).as("end of %s", v).isEqualTo(endPage);
        assertThat(v.pgoff()).as("pgoff of %s", v).isEqualTo(pgoff);
        assertThat(v.hasAnonVma()).as("anon_vma of %s", v).isEqualTo(anon);
    }

    /** Where the shared ground-truth traces are, or null when this checkout has none. */
    static Path tracesDir() {
        String root = System.getProperty("vmareplay.root");
        List<Path> candidates = new ArrayList<>();
        if (root != null) {
            candidates.add(Path.of(root).resolve("../shared/traces"));
            candidates.add(Path.of(root).resolve("shared/traces"));
        }
        candidates.add(Path.of("/work/shared/traces"));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p.normalize();
            }
        }
        return null;
    }

    /**
     * Seeds mm with every VMA of an smaps snapshot through the production loader
     * (MapsParser + SeedLoader, as {@code replay --seed-maps} does). Returns the number of VMAs
     * seeded.
     */
    static int seedFromSmaps(Mm mm, Path smaps) throws IOException {
        return dev.vmareplay.replay.SnapshotSeeds.load(mm, smaps);
    }

    /** All of mm as /proc/PID/maps lines. */
    static List<String> mapsLines(Mm mm) {
        List<String> out = new ArrayList<>();
        for (Vma v : mm.vmas()) {
            out.add(TaskMmu.line(mm, v));
        }
        return out;
    }
}
