package dev.vmareplay.replay.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fidelity against the kernel: every case of shared/traces (scripted and real) is replayed from
 * its strace-tt-T-y cut trace on its start.smaps with the default fault policy, and the complete
 * modelled /proc/PID/maps must equal the kernel's end.maps, with no call returning other than
 * what the kernel returned. Skipped when this checkout has no shared/traces.
 */
class TraceFidelityTest {
    /** strace cannot show the writes these depend on (see ScriptedScenarioTest). */
    static final Set<String> NEEDS_FAULTS = Set.of("new_both_anon_vma_conflict", "madvise_dofork_anon_vma_refusal");

    @TestFactory
    Stream<DynamicTest> every_captured_case_reproduces_the_kernels_end_maps() throws IOException {
        Path traces = tracesDir();
        assumeTrue(traces != null, "shared/traces not present");
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> s = Files.list(traces)) {
            s.filter(p -> Files.isRegularFile(p.resolve("strace-tt-T-y/trace.cut.txt"))).sorted().forEach(cases::add);
        }
        List<Path> runs = new ArrayList<>();
        for (Path c : cases) {
            for (String variant : new String[] {"strace-tt-T-y", "strace-ttt-yy-Xraw"}) {
                if (Files.isRegularFile(c.resolve(variant).resolve("trace.cut.txt"))) {
                    runs.add(c.resolve(variant));
                }
            }
        }
        return runs.stream().map(dir -> DynamicTest.dynamicTest(dir.getParent().getFileName() + "/" + dir.getFileName(), () -> {
            String name = dir.getParent().getFileName().toString();
            assumeTrue(!NEEDS_FAULTS.contains(name), name + " needs fault events strace does not have");
            Mm mm = new Mm(KernelVersion.V6_18, FaultPolicy.WRITE_BEFORE_PROTECT, VmaObserver.NONE);
            seedFromSmaps(mm, dir.resolve("start.smaps"));
            MiniStraceReplay r = new MiniStraceReplay(mm);
            r.learnDevIno(dir.resolve("start.maps"));
            r.learnDevIno(dir.resolve("end.maps"));
            r.replay(dir.resolve("trace.cut.txt"));
            mm.checkInvariants();
            long calls = Files.readAllLines(dir.resolve("trace.cut.txt")).stream()
                .filter(l -> l.matches("^\\d+\\s+\\S+\\s+(mmap|munmap|mprotect|mremap|madvise|brk|mlock|munlock|mlockall|munlockall|syscall_0x1ce)\\(.*")).count();
            assertThat(mm.epoch).as("%s: every mmap-family call reached the engine", name).isEqualTo(calls - (r.brkNullSeeded ? 1 : 0));
            assertThat(r.divergences).as("%s: calls whose result differs from the kernel's", name).isEmpty();
            assertThat(mapsLines(mm)).as("%s: whole maps", name).containsExactlyElementsOf(Files.readAllLines(dir.resolve("end.maps")));
        }));
    }
}
