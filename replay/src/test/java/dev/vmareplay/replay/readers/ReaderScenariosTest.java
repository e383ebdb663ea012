package dev.vmareplay.replay.readers;

import static dev.vmareplay.replay.readers.Observable.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmareplay.replay.readers.Exploration.Result;
import dev.vmareplay.replay.readers.Exploration.Step;
import dev.vmareplay.replay.readers.Exploration.Witness;
import dev.vmareplay.replay.readers.Reader.Iteration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each case of the seed thread (../shared/seeds/003_472f92fddc2b25e6.txt) as the kernel's
 * writer takes it, then what the exhaustive check finds a lockless /proc/PID/maps reader can
 * see. One character per page: p prev, m middle, n next, v vma, w new, t tail, . a hole.
 * "exact" views and MMAP_LOCK_WAIT (the reader meets a write-locked VMA and waits for the
 * writer) are possible in every case; the hazards below are what each case adds.
 */
class ReaderScenariosTest {

    private static final Area TAIL = new Area("tail", 8, 9);

    @Test
    void existingMergeBoth() {
        /*
         *          start    end
         *             |<-->|
         *           |--****--|
         *           pp mm nn        prev extend, middle delete, next delete
         */
        WriterCase c = WriterCases.of(ReaderCase.EXISTING_BOTH);
        assertLayouts(c, "ppmmnn..t", "pppppp..t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(middle)", "vma_start_write(next)", "vma_start_write(prev)",
                "set prev range [0,6)", "store prev over [0,6) in the maple tree",
                "detach middle", "free middle", "detach next", "free next", "mmap unlock (all VMA write locks dropped)");
        // Seed: "prev might be seen twice but no gaps should be observed".
        Result r = Exploration.check(c);
        assertThat(r.witnesses().get(DUPLICATE).shown()).containsSubsequence(area("prev", 0, 2), area("prev", 0, 6));
        // The check's finding: prev grew under a reader that had just shown it; the writer ran whole
        // between get_next_vma()'s unlock_vma(prev) and lock_next_vma()'s speculation, so the stale
        // iterator re-walks to the slot after the grown prev and nothing re-checks the gap.
        assertStaleIteratorGap(r, List.of(area("prev", 0, 2), TAIL));
        assertThat(r.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, DUPLICATE, RETRY, MMAP_LOCK_WAIT,
                TRANSIENT_GAP, VIOLATION);
        assertThat(r.agreement()).isEqualTo(SeedClaim.Agreement.DISAGREES);
        assertThat(Exploration.check(c, Iteration.SLOT).observables()).isEqualTo(r.observables());
    }

    @Test
    void existingMergeLeftFull() {
        /*
         *          start  end
         *             |<-->|
         *           |--****
         *           pp mm           prev extend, middle delete
         */
        WriterCase c = WriterCases.of(ReaderCase.EXISTING_LEFT_FULL);
        assertLayouts(c, "ppmm....t", "pppp....t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(middle)", "vma_start_write(prev)", "set prev range [0,4)",
                "store prev over [0,4) in the maple tree", "detach middle", "free middle",
                "mmap unlock (all VMA write locks dropped)");
        // Seed: "Worst case we report prev twice - once before the merge, once after the merge".
        Result r = Exploration.check(c);
        assertThat(r.witnesses().get(DUPLICATE).shown()).containsSubsequence(area("prev", 0, 2), area("prev", 0, 4));
        assertStaleIteratorGap(r, List.of(area("prev", 0, 2), TAIL));
        assertThat(r.agreement()).isEqualTo(SeedClaim.Agreement.DISAGREES);
    }

    @Test
    void existingMergeLeftPartial() {
        /*
         *          start end
         *             |<>|
         *           |--*mm
         *           pp  middle      prev extend, middle partial overwrite
         */
        WriterCase c = WriterCases.of(ReaderCase.EXISTING_LEFT_PARTIAL);
        assertLayouts(c, "ppmm....t", "pppm....t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(middle)", "vma_start_write(prev)", "set prev range [0,3)",
                "set middle range [3,4)", "store prev over [0,3) in the maple tree",
                "mmap unlock (all VMA write locks dropped)");
        // Seed: "We might report prev twice here and this might cause us to retry if we see a temporary
        // gap between old prev and new middle vma. But retry should handle this case".
        Result r = Exploration.check(c);
        // the retry the seed describes: old prev shown, new middle found after a gap, the re-walk finds
        // the grown prev, the fallback shows it again
        Witness retried = r.outcomes().stream()
                .filter(w -> w.observables().containsAll(Set.of(TRANSIENT_GAP, RETRY, DUPLICATE))
                        && !w.observables().contains(VIOLATION))
                .findFirst().orElseThrow();
        assertThat(retried.shown()).containsSubsequence(area("prev", 0, 2), area("prev", 0, 3));
        // but when the writer finishes inside get_next_vma(), the gap is not re-checked
        assertStaleIteratorGap(r, List.of(area("prev", 0, 2), area("middle", 3, 4), TAIL));
        assertThat(r.agreement()).isEqualTo(SeedClaim.Agreement.DISAGREES);
    }

    @Test
    void existingMergeRightFull() {
        /*
         *         start end
         *             |<>|
         *             ****--|
         *             mm nn         middle delete, next extend
         */
        WriterCase c = WriterCases.of(ReaderCase.EXISTING_RIGHT_FULL);
        assertLayouts(c, "..mmnn..t", "..nnnn..t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(middle)", "vma_start_write(next)", "set next range [2,6)",
                "store next over [2,6) in the maple tree", "detach middle", "free middle",
                "mmap unlock (all VMA write locks dropped)");
        // Seed: "Worst case we report middle twice" (middle's range: old middle, then the grown next).
        Result r = Exploration.check(c);
        assertThat(r.witnesses().get(DUPLICATE).shown()).containsSubsequence(area("middle", 2, 4), area("next", 2, 6));
        // next is not shown at all: it grew over the slot the iterator stood on
        assertStaleIteratorGap(r, List.of(area("middle", 2, 4), TAIL));
        assertThat(r.agreement()).isEqualTo(SeedClaim.Agreement.DISAGREES);
    }

    @Test
    void existingMergeRightPartial() {
        /*
         *          start end
         *              |<>|
         *           mm*--|
         *         middle next       middle shrink, next extend
         */
        WriterCase c = WriterCases.of(ReaderCase.EXISTING_RIGHT_PARTIAL);
        assertLayouts(c, "..mmnn..t", "..mnnn..t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(middle)", "vma_start_write(next)", "set middle range [2,3)",
                "set next range [3,6)", "store next over [3,6) in the maple tree",
                "mmap unlock (all VMA write locks dropped)");
        // Seed: "Worse case we retry and report middle twice".
        Result r = Exploration.check(c);
        assertThat(r.witnesses().get(DUPLICATE).shown()).containsSubsequence(area("middle", 2, 4), area("next", 3, 6));
        // Only when the store replaced the node (REWALK): old middle shown, the writer runs inside
        // get_next_vma(); the iterator re-walks to old middle's last page, now next's, and goes
        // past next, which both layouts have.
        assertStaleIteratorGap(r, List.of(area("middle", 2, 4), TAIL));
        // With the store done in place (SLOT) the iterator steps to next: the seed's claim holds.
        Result slot = Exploration.check(c, Iteration.SLOT);
        assertThat(slot.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, DUPLICATE, RETRY, MMAP_LOCK_WAIT);
        assertThat(slot.agreement()).isEqualTo(SeedClaim.Agreement.AGREES);
    }

    @Test
    void newMergeBoth() {
        /*
         *         start  end
         *             |<>|
         *           |--..--|
         *           pp    nn        prev extend, (proposed), next delete
         */
        WriterCase c = WriterCases.of(ReaderCase.NEW_BOTH);
        assertLayouts(c, "pp..nn..t", "pppppp..t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(prev)", "vma_start_write(next)", "set prev range [0,6)",
                "store prev over [0,6) in the maple tree", "detach next", "free next",
                "mmap unlock (all VMA write locks dropped)");
        // Seed: "Worst case we report prev twice after retry".
        Result r = Exploration.check(c);
        Witness dup = r.witnesses().get(DUPLICATE);
        assertThat(dup.shown()).containsSubsequence(area("prev", 0, 2), area("prev", 0, 6));
        // next, in both layouts at [4,6), can be skipped like the existing-range merges
        assertStaleIteratorGap(r, List.of(area("prev", 0, 2), TAIL));
    }

    @Test
    void newMergeLeft() {
        /*
         *         start  end
         *             |<>|
         *           |--..
         *           pp              prev extend (brk() and stack relocation use this too)
         */
        WriterCase c = WriterCases.of(ReaderCase.NEW_LEFT);
        assertLayouts(c, "pp......t", "pppp....t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(prev)", "set prev range [0,4)",
                "store prev over [0,4) in the maple tree", "mmap unlock (all VMA write locks dropped)");
        // Seed: "Worst case we report prev twice". The skipped range was a hole before: no violation.
        Result r = Exploration.check(c);
        assertThat(r.witnesses().get(DUPLICATE).shown()).containsSubsequence(area("prev", 0, 2), area("prev", 0, 4));
        assertThat(r.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, DUPLICATE, RETRY, MMAP_LOCK_WAIT);
        // the seed does not mention the retry (the fallback after prev is found behind the last position)
        assertThat(r.agreement()).isEqualTo(SeedClaim.Agreement.DISAGREES);
    }

    @Test
    void newMergeRight() {
        /*
         *         start  end
         *             |<>|
         *             ..--|
         *               nn          (proposed), next extend
         */
        WriterCase c = WriterCases.of(ReaderCase.NEW_RIGHT);
        assertLayouts(c, "....nn..t", "..nnnn..t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(next)", "set next range [2,6)",
                "store next over [2,6) in the maple tree", "mmap unlock (all VMA write locks dropped)");
        // Seed: "This will show either a legit gap + original next or the extended next with no gap."
        Result r = Exploration.check(c);
        assertThat(r.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, MMAP_LOCK_WAIT);
        assertThat(outcomesFrom(r, 0)).containsExactlyInAnyOrder(
                List.of(area("next", 4, 6), TAIL), List.of(area("next", 2, 6), TAIL));
        assertThat(r.agreement()).isEqualTo(SeedClaim.Agreement.AGREES);
    }

    @Test
    void expandBrkAndStackRelocation() {
        WriterCase brk = WriterCases.of(ReaderCase.EXPAND_BRK);
        assertLayouts(brk, "hh......t", "hhh.....t");
        assertThat(Exploration.check(brk).observables())
                .containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, DUPLICATE, RETRY, MMAP_LOCK_WAIT);
        // relocate_vma_down(): vma_expand() down to the new start, then vma_shrink() of the top
        WriterCase stack = WriterCases.of(ReaderCase.EXPAND_STACK);
        assertLayouts(stack, "h...ss..t", "hss.....t");
        assertSteps(stack, "mmap_write_lock", "vma_start_write(stack)", "set stack range [1,6)",
                "store stack over [1,6) in the maple tree", "clear [3,6) in the maple tree", "set stack range [1,3)",
                "mmap unlock (all VMA write locks dropped)");
        Result r = Exploration.check(stack);
        assertThat(r.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, RETRY, MMAP_LOCK_WAIT);
        assertThat(r.violates()).isFalse();
    }

    @Test
    void splitNewBelow() {
        /*
         *             addr
         *         |-----.-----|
         *         | new .     |
         *         |-----.-----|
         *              vma
         */
        WriterCase c = WriterCases.of(ReaderCase.SPLIT_NEW_BELOW);
        assertLayouts(c, "vvvv....t", "wwvv....t");
        assertSteps(c, "mmap_write_lock", "allocate new [0,2)", "vma_start_write(vma)", "vma_start_write(new)",
                "set vma range [2,4)", "store new over [0,2) in the maple tree", "mmap unlock (all VMA write locks dropped)");
        // Seed: "We will either report before-split view or after-split view". A reader that found vma
        // in the old tree and locked it after the split sees a gap before it and retries.
        Result r = Exploration.check(c);
        assertThat(r.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, RETRY, MMAP_LOCK_WAIT, TRANSIENT_GAP);
        assertThat(r.witnesses().get(TRANSIENT_GAP).observables()).contains(EXACT_NEW, RETRY);
        assertThat(Exploration.check(c, Iteration.SLOT).violates()).isFalse();
    }

    @Test
    void splitNewAbove() {
        /*
         *             addr
         *         |-----.-----|
         *         |     . new |
         *         |-----.-----|
         *              vma
         */
        WriterCase c = WriterCases.of(ReaderCase.SPLIT_NEW_ABOVE);
        assertLayouts(c, "vvvv....t", "vvww....t");
        assertSteps(c, "mmap_write_lock", "allocate new [2,4)", "vma_start_write(vma)", "vma_start_write(new)",
                "set vma range [0,2)", "store new over [2,4) in the maple tree", "mmap unlock (all VMA write locks dropped)");
        // Seed: "We will either report before-split view or after-split view". When the store replaced
        // the node: vma found at [0,4) before the store, locked after the writer, shown as [0,2); the
        // iterator re-walks to old vma's last page, now new's, and goes past new.
        Result r = Exploration.check(c);
        assertThat(r.witnesses().get(VIOLATION).shown()).containsExactly(area("vma", 0, 2), TAIL);
        assertThat(Exploration.check(c, Iteration.SLOT).observables())
                .containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, RETRY, MMAP_LOCK_WAIT);
    }

    @Test
    void munmapRemovesAWholeVma() {
        // do_vmi_align_munmap(): vms_gather_munmap_vmas() write-locks and detaches middle while the
        // tree still points at it, then the range is cleared; munmap() downgrades before freeing.
        WriterCase c = WriterCases.of(ReaderCase.MUNMAP);
        assertLayouts(c, "ppmmnn..t", "pp..nn..t");
        assertSteps(c, "mmap_write_lock", "vma_start_write(middle)", "detach middle", "clear [2,4) in the maple tree",
                "mmap_write_downgrade (all VMA write locks dropped)", "free middle",
                "mmap unlock (all VMA write locks dropped)");
        Result r = Exploration.check(c);
        assertThat(r.observables()).containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, RETRY, MMAP_LOCK_WAIT);
        // the -EAGAIN retry: middle found in the old tree, locked after the downgrade (no write lock,
        // but detached)
        assertThat(r.witnesses().get(RETRY).steps()).anyMatch(s -> s.text().contains("-EAGAIN"));
    }

    @Test
    void newVmaShrinkAndMremap() {
        assertThat(Exploration.check(WriterCases.of(ReaderCase.NEW_NONE)).observables())
                .containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, RETRY, MMAP_LOCK_WAIT);
        assertThat(Exploration.check(WriterCases.of(ReaderCase.SHRINK)).observables())
                .containsExactlyInAnyOrder(EXACT_OLD, EXACT_NEW, RETRY, MMAP_LOCK_WAIT);
        // mremap to a lower address: a reader past new_addr before the copy is linked, and at old_addr
        // after the source is unmapped, shows the mapping nowhere
        Result down = Exploration.check(WriterCases.of(ReaderCase.MREMAP_MOVE_DOWN));
        assertThat(down.witnesses().get(MOVED_MISSED).shown()).noneMatch(a -> a.name().equals("new") || a.name().equals("vma"));
        assertThat(down.violates()).isFalse();
        // to a higher address: shown at both
        Result up = Exploration.check(WriterCases.of(ReaderCase.MREMAP_MOVE_UP));
        assertThat(up.witnesses().get(MOVED_TWICE).shown()).anyMatch(a -> a.name().equals("new"))
                .anyMatch(a -> a.name().equals("vma"));
        assertThat(up.violates()).isFalse();
    }

    @Test
    void everyCorrectWriterWriteLocksBeforeItChangesAndEndsConsistent() {
        for (WriterCase c : WriterCases.all()) {
            List<WriterState> s = c.snapshots();
            WriterState last = s.get(s.size() - 1);
            assertThat(s.get(0).consistent()).as(c.kase() + " before").isTrue();
            assertThat(last.consistent()).as(c.kase() + " after").isTrue();
            assertThat(last.unlockedUpdates()).as(c.kase() + " range updates without the write lock").isEmpty();
            assertThat(last.mmap()).isEqualTo(WriterState.Mmap.DONE);
            for (Area a : last.layout()) {
                assertThat(last.detached()).as(c.kase() + ": attached " + a).doesNotContain(a.name());
            }
        }
    }

    /** The false gap of a stale iterator: the whole writer runs inside get_next_vma(), between unlock_vma() and lock_next_vma(). */
    private static void assertStaleIteratorGap(Result r, List<Area> shown) {
        Witness v = r.witnesses().get(VIOLATION);
        assertThat(v).as("a violation").isNotNull();
        assertThat(v.shown()).containsExactlyElementsOf(shown);
        List<Step> steps = v.steps();
        int unlock = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (!steps.get(i).writer() && steps.get(i).text().startsWith("get_next_vma: unlock_vma")) {
                unlock = i;
                List<Step> rest = steps.subList(i + 1, steps.size());
                int firstReader = 0;
                while (firstReader < rest.size() && rest.get(firstReader).writer()) {
                    firstReader++;
                }
                if (firstReader > 0 && rest.get(firstReader - 1).text().startsWith("mmap unlock")
                        && rest.get(firstReader).text().startsWith("lock_next_vma(")
                        && rest.stream().skip(firstReader).noneMatch(Step::writer)) {
                    return;
                }
            }
        }
        throw new AssertionError("no writer run between unlock_vma and lock_next_vma (" + unlock + "): " + steps);
    }

    /** Every distinct set of lines a read starting at {@code start} can show. */
    static List<List<Area>> outcomesFrom(Result r, int start) {
        return r.outcomes().stream().filter(w -> w.start() == start).map(Witness::shown).distinct().toList();
    }

    static void assertLayouts(WriterCase c, String before, String after) {
        assertThat(Diagrams.row(c.before(), before.length())).isEqualTo(before);
        assertThat(Diagrams.row(c.after(), after.length())).isEqualTo(after);
    }

    static void assertSteps(WriterCase c, String... steps) {
        assertThat(c.steps().stream().map(WriterStep::describe)).containsExactly(steps);
    }

    static Area area(String name, int start, int end) {
        return new Area(name, start, end);
    }
}
