package dev.vmareplay.replay.readers;

import static dev.vmareplay.replay.readers.Observable.VIOLATION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmareplay.replay.readers.Exploration.Result;
import dev.vmareplay.replay.readers.Exploration.Witness;
import dev.vmareplay.replay.readers.Reader.Iteration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The check catches a wrong writer: __split_vma() with its steps reordered. The correct split
 * (new below) admits no violation under either iteration; each reordering does, and the check
 * hands back the interleaving that shows it.
 */
class ReorderedWriterTest {

    private final WriterCase split = WriterCases.of(ReaderCase.SPLIT_NEW_BELOW);

    @Test
    void theCorrectSplitAdmitsNoViolation() {
        for (Iteration how : Iteration.values()) {
            assertThat(Exploration.check(split, how).violates()).as(how.toString()).isFalse();
        }
    }

    @Test
    void detachingTheRangeBeforeTheRangeUpdateIsRejected() {
        /*
         * The VMA's range is taken out of the tree (as munmap's gather step does) before the new
         * ranges are stored: for a moment the tree has a hole where both layouts have a VMA.
         *
         *   vvvv....t   ->   ....t (hole)   ->   ..vv....t   ->   wwvv....t
         */
        List<WriterStep> steps = new ArrayList<>(split.steps());
        int set = indexOf(steps, "set vma range");
        steps.add(set, new WriterStep.TreeStore(0, 4, null, "reordered: vma taken out of the tree first"));
        steps.add(set + 2, new WriterStep.TreeStore(2, 4, "vma", "reordered: vma stored at its new range"));
        WriterCase wrong = split.withSteps(steps);
        assertThat(wrong.after()).isEqualTo(split.after());

        Result r = Exploration.check(wrong);
        Witness w = r.witnesses().get(VIOLATION);
        assertThat(w).isNotNull();
        // the reader lands on tail, past the hole, while the writer holds mmap_lock; the re-walk
        // from from_addr finds the same hole, so the gap is accepted and shown
        assertThat(w.shown()).containsExactly(new Area("tail", 8, 9));
        assertThat(w.steps()).anyMatch(s -> s.writer() && s.text().startsWith("clear [0,4)"));
        assertThat(w.steps()).anyMatch(s -> s.text().contains("finds tail again: accepted"));
    }

    @Test
    void aRangeUpdateWithoutTheWriteLockIsRejected() {
        // vma->vm_start = addr before vma_start_write(vma): a reader holding vma read-locked sees it
        List<WriterStep> steps = new ArrayList<>(split.steps());
        WriterStep set = steps.remove(indexOf(steps, "set vma range"));
        steps.add(indexOf(steps, "vma_start_write(vma)"), set);
        WriterCase wrong = split.withSteps(steps);
        assertThat(wrong.snapshots().get(wrong.steps().size()).unlockedUpdates()).containsExactly("vma");

        Witness w = Exploration.check(wrong).witnesses().get(VIOLATION);
        assertThat(w).isNotNull();
        // vma shown as [2,4) with nothing at [0,2), where the old vma and the new VMA both are
        assertThat(w.shown()).startsWith(new Area("vma", 2, 4));
    }

    private static int indexOf(List<WriterStep> steps, String prefix) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).describe().startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError(prefix);
    }
}
