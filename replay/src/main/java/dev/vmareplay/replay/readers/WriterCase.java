package dev.vmareplay.replay.readers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One writer case: the layout before, the ordered steps of the kernel's writer, what the seed
 * thread claims a reader may see, and the seed-style diagram of the change.
 *
 * @param kase     which case
 * @param diagram  the seed's ASCII diagram of the change (prev/middle/next, extend/delete)
 * @param before   the layout before the writer starts, pages
 * @param steps    the writer's steps, in the kernel's order
 * @param claim    the seed's claim, or null when the seed does not cover the case
 * @param moves    for mremap: new VMA name to the VMA it was copied from
 */
public record WriterCase(ReaderCase kase, String diagram, List<Area> before, List<WriterStep> steps,
                         SeedClaim claim, Map<String, String> moves) {

    public WriterCase {
        before = List.copyOf(before);
        steps = List.copyOf(steps);
        moves = Map.copyOf(moves);
    }

    /** The same case with another step list (the tests' reordered writers). */
    public WriterCase withSteps(List<WriterStep> other) {
        return new WriterCase(kase, diagram, before, other, claim, moves);
    }

    /** Every state the writer goes through: index 0 before the first step, index i after step i. */
    public List<WriterState> snapshots() {
        List<WriterState> out = new ArrayList<>();
        WriterState s = WriterState.initial(before);
        out.add(s);
        for (WriterStep step : steps) {
            s = s.apply(step);
            out.add(s);
        }
        return out;
    }

    /** The layout after the writer. */
    public List<Area> after() {
        List<WriterState> s = snapshots();
        return s.get(s.size() - 1).layout();
    }
}
