package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The kernel's preconditions (mm/vma.c's ASSUMPTIONS blocks, VM_WARN_ON_VMG, VM_WARN_ON, WARN_ON,
 * VM_BUG_ON) are asserts in the engine: each test here breaks one deliberately and expects the
 * AssertionError naming the kernel's condition, so the asserts are proven live (the build runs
 * the tests with -ea) and the model is left as it was. Pages of 0x1000 from 0, drawn one
 * character per page.
 */
class KernelPreconditionsTest {
    static final long P = Mm.PAGE_SIZE;
    static final long FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;

    Mm mm;
    VmaEngine eng;

    @BeforeEach
    void setUp() {
        mm = new Mm(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, new Recorder());
        eng = mm.engine();
    }

    Vma alloc(long start, long end) {
        return mm.seed(start * P, end * P).flags(FLAGS).pgoff(start).insert();
    }

    /** Runs the broken call, expects the assert naming {@code condition}, and an unchanged model. */
    void breaks(String condition, Executable call) {
        String before = mm.toString();
        AssertionError e = assertThrows(AssertionError.class, call);
        assertThat(e).hasMessageContaining(condition);
        assertThat(mm.toString()).as("nothing changed").isEqualTo(before);
        mm.checkInvariants();
    }

    @Test
    void assertions_are_enabled_in_the_build() {
        boolean enabled = false;
        assert enabled = true;
        assertThat(enabled).as("surefire runs the tests with -ea").isTrue();
    }

    @Test
    void existing_range_the_caller_may_not_set_next() {
        /*
         * 0123456
         * PPPMMNN   the caller sets vmg->next itself
         */
        Vma prev = alloc(0, 3);
        Vma middle = alloc(3, 5);
        Vma next = alloc(5, 7);
        VmaMergeState g = VmaMergeState.forExistingVma(prev, middle, 3 * P, 5 * P);
        g.next = next;
        breaks("VM_WARN_ON_VMG(vmg->next)", () -> eng.vmaMergeExistingRange(g));
    }

    @Test
    void existing_range_must_lie_in_middle() {
        /*
         * 0123456
         * PPPMM**   [5,7) is past middle's end
         */
        Vma prev = alloc(0, 3);
        Vma middle = alloc(3, 5);
        VmaMergeState g = VmaMergeState.forExistingVma(prev, middle, 3 * P, 7 * P);
        breaks("end > middle->vm_end", () -> eng.vmaMergeExistingRange(g));
    }

    @Test
    void existing_range_offset_into_middle_needs_prev_to_be_middle() {
        /*
         * 0123456
         * PPPM*MM   start offset into middle, but prev is the VMA before it
         */
        Vma prev = alloc(0, 3);
        Vma middle = alloc(3, 7);
        VmaMergeState g = VmaMergeState.forExistingVma(prev, middle, 4 * P, 5 * P);
        breaks("middle != prev && start != middle->vm_start", () -> eng.vmaMergeExistingRange(g));
    }

    @Test
    void existing_range_is_never_mremaps_copy() {
        Vma prev = alloc(0, 3);
        Vma middle = alloc(3, 5);
        VmaMergeState g = VmaMergeState.forExistingVma(prev, middle, 3 * P, 5 * P);
        g.copiedFrom = middle;
        breaks("VM_WARN_ON_VMG(vmg->copied_from)", () -> eng.vmaMergeExistingRange(g));
    }

    @Test
    void new_range_must_be_empty() {
        /*
         * 012345
         * AAA*BB   the "new" range [2,4) overlaps A
         */
        alloc(0, 3);
        alloc(4, 6);
        VmaMergeState g = VmaMergeState.forNewRange(mm.tree.prevOf(2 * P), mm.tree.findVma(2 * P), 2 * P, 4 * P,
            FLAGS, null, 2);
        breaks("the new range is not empty", () -> eng.vmaMergeNewRange(g));
    }

    @Test
    void new_range_has_no_target_yet() {
        /*
         * 012345
         * AAA*BB
         */
        Vma a = alloc(0, 3);
        Vma b = alloc(4, 6);
        VmaMergeState g = VmaMergeState.forNewRange(a, b, 3 * P, 4 * P, FLAGS, null, 3);
        g.target = a;
        breaks("VM_WARN_ON_VMG(vmg->target)", () -> eng.vmaMergeNewRange(g));
    }

    @Test
    void new_range_prev_must_be_the_vma_before_the_gap() {
        /*
         * 0123456
         * AA BB*    prev given as A, but B is the VMA before the gap
         */
        Vma a = alloc(0, 2);
        alloc(3, 5);
        VmaMergeState g = VmaMergeState.forNewRange(a, null, 5 * P, 6 * P, FLAGS, null, 5);
        breaks("vmg->prev is not the VMA before the gap", () -> eng.vmaMergeNewRange(g));
    }

    @Test
    void vma_expand_only_expands() {
        /*
         * 0123
         * TTTT  ->  [1,3): that would shrink the target
         */
        Vma t = alloc(0, 4);
        VmaMergeState g = VmaMergeState.forNewRange(null, null, P, 3 * P, FLAGS, null, 1);
        g.target = t;
        breaks("target->vm_start < vmg->start", () -> eng.vmaExpand(g));
    }

    @Test
    void vma_expand_may_not_overwrite_next_without_removing_it() {
        /*
         * 012345
         * TT NNN  ->  expand T to [0,4): over part of N, which is not removed
         */
        Vma t = alloc(0, 2);
        Vma n = alloc(3, 6);
        VmaMergeState g = VmaMergeState.forNewRange(null, n, 0, 4 * P, FLAGS, null, 0);
        g.target = t;
        breaks("next != target && vmg->end > next->vm_start", () -> eng.vmaExpand(g));
    }

    @Test
    void vma_expand_may_not_remove_a_next_with_a_close_hook() {
        /*
         * 0123
         * TTNN  ->  TTTT would delete N, whose close hook forbids it
         */
        Vma t = alloc(0, 2);
        Vma n = alloc(2, 4);
        n.closeHook = true;
        VmaMergeState g = VmaMergeState.forNewRange(null, n, 0, 4 * P, FLAGS, null, 0);
        g.target = t;
        breaks("remove_next && !can_merge_remove_vma(next)", () -> eng.vmaExpand(g));
    }

    @Test
    void vma_shrink_keeps_one_edge() {
        /* VVVV -> [1,3) keeps neither edge */
        Vma v = alloc(0, 4);
        breaks("WARN_ON((vma->vm_start != start) && (vma->vm_end != end))", () -> eng.vmaShrink(v, P, 3 * P, 1));
    }

    @Test
    void split_address_must_be_inside_the_vma() {
        /* VVVV split at 0 or at 4: nothing to split */
        Vma v = alloc(0, 4);
        breaks("WARN_ON(vma->vm_start >= addr)", () -> eng.splitVmaUnchecked(v, 0, true));
        breaks("WARN_ON(vma->vm_end <= addr)", () -> eng.splitVmaUnchecked(v, 4 * P, false));
    }

    @Test
    void commit_merge_never_joins_two_anon_vmas() {
        /*
         * 0123456
         * PPPMMMM   prev and middle have different anon_vmas; shifting the boundary to 5
         *           would put middle's pages under prev's anon_vma
         */
        Vma prev = alloc(0, 3);
        Vma middle = alloc(3, 7);
        prev.anonVma = new AnonVma();
        prev.anonChain = 1;
        middle.anonVma = new AnonVma();
        middle.anonChain = 1;
        VmaMergeState g = VmaMergeState.forExistingVma(prev, middle, 3 * P, 5 * P);
        g.target = prev;
        g.start = 0;
        g.pgoff = 0;
        g.adjustMiddleStart = true;
        breaks("vp->anon_vma != adjust->anon_vma", () -> eng.commitMerge(g));
    }

    @Test
    void copy_vma_destination_must_be_unmapped() {
        /*
         * 0123456
         * VV  DDD   copy V to [3,5): D is still there
         */
        Vma v = alloc(0, 2);
        alloc(4, 7);
        breaks("copy_vma() onto a mapped range", () -> eng.copyVma(v, 3 * P, 2 * P, 0));
    }

    @Test
    void gather_starts_at_the_first_vma_of_the_range() {
        /*
         * 0123456
         * AA BBBB   munmap [1,5) gathered from B: A would be left behind
         */
        alloc(0, 2);
        Vma b = alloc(3, 7);
        breaks("vms->vma is not the first VMA of the range", () -> VmaMunmap.gather(mm, b, P, 5 * P));
    }

    @Test
    void link_never_overwrites_a_mapped_range() {
        /*
         * 0123
         * AAA    link [2,4) over A's last page
         */
        alloc(0, 3);
        Vma v = new Vma(2 * P, 4 * P, 2, FLAGS, null);
        breaks("vma_link() over a mapped range", () -> mm.link(v));
    }

    @Test
    void set_range_never_reaches_over_a_neighbour() {
        /*
         * 012345
         * AA BBB   A set to [0,4) would overlap B
         */
        Vma a = alloc(0, 2);
        alloc(3, 6);
        breaks("overlaps a neighbour", () -> mm.setRange(a, 0, 4 * P, 0));
    }

    @Test
    void mprotect_fixup_stays_inside_its_vma() {
        Vma a = alloc(0, 2);
        breaks("mprotect_fixup outside the VMA", () -> Mprotect.mprotectFixup(mm, a, null, 0, 3 * P, VM_READ | VM_MAYREAD));
    }
}
