package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel's userland VMA tests (tools/testing/vma: vma.c up to 6.18, tests/merge.c, mmap.c,
 * vma.c later) transcribed: the same fixtures, the same expected outcomes.
 * Addresses are in pages of 0x1000 from 0; every fixture VMA has READ|WRITE|MAYREAD|MAYWRITE.
 * Each step draws the layout one character per page and asserts start, end, pgoff, anon_vma and
 * the map count.
 */
class VmaMergeTest {
    static final long P = Mm.PAGE_SIZE;
    static final long FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;

    Recorder rec;
    Mm mm;
    VmaEngine eng;
    final AnonVma dummyAnonVma = new AnonVma();

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        mm = new Mm(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, rec);
        eng = mm.engine();
    }

    /** alloc_and_link_vma(): a VMA [start, end) (in pages) with pgoff. */
    Vma alloc(long start, long end, long pgoff) {
        return mm.seed(start * P, end * P).flags(FLAGS).pgoff(pgoff).insert();
    }

    static void setAnon(Vma v, AnonVma a) {
        v.anonVma = a;
        v.anonChain = a == null ? 0 : 1;
    }

    /** vmg_set_range() for a new range: prev/next are the VMAs around the gap. */
    VmaMergeState newRange(long start, long end, long pgoff) {
        return VmaMergeState.forNewRange(mm.tree.prevOf(start * P), mm.tree.findVma(start * P), start * P, end * P, FLAGS, null, pgoff);
    }

    /** vmg for an existing-range change of middle's [start, end) with prev. */
    static VmaMergeState existing(Vma prev, Vma middle, long start, long end) {
        return VmaMergeState.forExistingVma(prev, middle, start * P, end * P);
    }

    /** What try_merge_new_vma() gives: the VMA now holding the range, and its {@code *was_merged}. */
    record Merged(Vma vma, boolean merged) { }

    /** try_merge_new_vma(): merge, or allocate a new VMA when nothing merged. */
    Merged tryMergeNewVma(long start, long end, long pgoff) {
        Vma v = eng.vmaMergeNewRange(newRange(start, end, pgoff));
        return v != null ? new Merged(v, true) : new Merged(alloc(start, end, pgoff), false);
    }

    static void assertRange(Vma v, long start, long end, long pgoff) {
        assertThat(v.start()).as("start of %s", v).isEqualTo(start * P);
        assertThat(v.end()).as("end of %s", v).isEqualTo(end * P);
        assertThat(v.pgoff()).as("pgoff of %s", v).isEqualTo(pgoff);
    }

    // ---------------------------------------------------------------- basic

    @Test
    void simple_merge() {
        /*
         * 012
         * A*B  ->  AAA
         */
        Vma a = alloc(0, 1, 0);
        alloc(2, 3, 2);
        Vma v = eng.vmaMergeNewRange(newRange(1, 2, 1));
        assertThat(v).isSameAs(a);
        assertRange(v, 0, 3, 0);
        assertThat(v.flags()).isEqualTo(FLAGS);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(Kind.NEW_BOTH);
        assertThat(rec.last().legacyCase()).isEqualTo(1);
    }

    @Test
    void simple_modify() {
        /*
         * 012
         * A*A  ->  ABA (three VMAs, the middle one is the original object)
         */
        Vma init = alloc(0, 3, 0);
        VmaOrErr r = eng.vmaModifyFlags(init, init, P, 2 * P, VM_READ | VM_MAYREAD, 0);
        Vma v = r.vma();
        assertThat(r.error()).isZero();
        assertThat(r.newFlags()).isEqualTo(VM_READ | VM_MAYREAD);
        assertThat(v).isSameAs(init);
        assertRange(v, 1, 2, 1);
        assertThat(mm.mapCount()).isEqualTo(3);
        assertRange(mm.find(0), 0, 1, 0);
        assertRange(mm.find(2 * P), 2, 3, 2);
        assertThat(rec.count(Kind.SPLIT)).isEqualTo(2);
    }

    @Test
    void simple_expand() {
        /* A -> AAA */
        Vma v = alloc(0, 1, 0);
        VmaMergeState g = newRange(0, 3, 0);
        g.target = v;
        g.next = null;
        assertThat(eng.vmaExpand(g)).isZero();
        assertRange(v, 0, 3, 0);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(Kind.EXPAND);
    }

    @Test
    void simple_shrink() {
        /* AAA -> A */
        Vma v = alloc(0, 3, 0);
        assertThat(eng.vmaShrink(v, 0, P, 0)).isZero();
        assertRange(v, 0, 1, 0);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(Kind.SHRINK);
    }

    // ---------------------------------------------------------------- new range

    @Test
    void merge_new() {
        Merged merged;
        /*
         * 0123456789abc
         * AA B       CC
         */
        Vma a = alloc(0, 2, 0);
        Vma b = alloc(3, 4, 3);
        Vma c = alloc(0xb, 0xc, 0xb);
        /*
         * NO merge.
         * 0123456789abc
         * AA B   **  CC
         */
        merged = tryMergeNewVma(7, 9, 7);
        Vma d = merged.vma();
        assertThat(merged.merged()).isFalse();
        assertThat(mm.mapCount()).isEqualTo(4);
        /*
         * Merge BOTH sides.
         * 0123456789abc
         * AA*B   DD  CC
         */
        a.closeHook = true; // This should have no impact.
        setAnon(b, dummyAnonVma);
        merged = tryMergeNewVma(2, 3, 2);
        Vma v = merged.vma();
        assertThat(merged.merged()).isTrue();
        assertThat(v).isSameAs(a);
        assertRange(v, 0, 4, 0);
        assertThat(v.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(3);
        /*
         * Merge to PREVIOUS VMA.
         * 0123456789abc
         * AAAA*  DD  CC
         */
        merged = tryMergeNewVma(4, 5, 4);
        v = merged.vma();
        assertThat(merged.merged()).isTrue();
        assertThat(v).isSameAs(a);
        assertRange(v, 0, 5, 0);
        assertThat(v.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(3);
        /*
         * Merge to NEXT VMA.
         * 0123456789abc
         * AAAAA *DD  CC
         */
        setAnon(d, dummyAnonVma);
        d.closeHook = true; // This should have no impact.
        merged = tryMergeNewVma(6, 7, 6);
        v = merged.vma();
        assertThat(merged.merged()).isTrue();
        assertThat(v).isSameAs(d);
        assertRange(v, 6, 9, 6);
        assertThat(mm.mapCount()).isEqualTo(3);
        /*
         * Merge BOTH sides.
         * 0123456789abc
         * AAAAA*DDD  CC
         */
        d.closeHook = false; // This would otherwise degrade the merge.
        merged = tryMergeNewVma(5, 6, 5);
        v = merged.vma();
        assertThat(v).isSameAs(a);
        assertRange(v, 0, 9, 0);
        assertThat(mm.mapCount()).isEqualTo(2);
        /*
         * Merge to NEXT VMA.
         * 0123456789abc
         * AAAAAAAAA *CC
         */
        setAnon(c, dummyAnonVma);
        merged = tryMergeNewVma(0xa, 0xb, 0xa);
        v = merged.vma();
        assertThat(v).isSameAs(c);
        assertRange(v, 0xa, 0xc, 0xa);
        assertThat(mm.mapCount()).isEqualTo(2);
        /*
         * Merge BOTH sides.
         * 0123456789abc
         * AAAAAAAAA*CCC
         */
        merged = tryMergeNewVma(9, 0xa, 9);
        v = merged.vma();
        assertThat(v).isSameAs(a);
        assertRange(v, 0, 0xc, 0);
        assertThat(v.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(1);
        mm.checkInvariants();
        assertThat(rec.counts()).containsEntry(Kind.NEW_BOTH, 3L).containsEntry(Kind.NEW_LEFT, 1L)
            .containsEntry(Kind.NEW_RIGHT, 2L);
    }

    @Test
    void vma_merge_special_flags() {
        assertThat(VM_SPECIAL).isEqualTo(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP);
        /*
         * 01234
         * AAA*     would merge if not for the VM_SPECIAL flag
         */
        Vma left = alloc(0, 3, 0);
        for (long special : new long[] {VM_IO, VM_DONTEXPAND, VM_PFNMAP, VM_MIXEDMAP}) {
            left.flags = FLAGS | special;
            VmaMergeState g = newRange(3, 4, 3);
            g.flags = FLAGS | special;
            assertThat(eng.vmaMergeNewRange(g)).isNull();
            assertThat(g.state()).isEqualTo(VmaMergeState.State.NOMERGE);
            assertThat(rec.last().reason()).isEqualTo(VmaEvent.RefusalReason.SPECIAL);
        }
        /*
         * 01234
         * AAAB     modify B with the special flag
         */
        Vma b = alloc(3, 4, 3);
        for (long special : new long[] {VM_IO, VM_DONTEXPAND, VM_PFNMAP, VM_MIXEDMAP}) {
            left.flags = FLAGS | special;
            VmaMergeState g = existing(left, b, 3, 4);
            g.flags = FLAGS | special;
            assertThat(eng.vmaMergeExistingRange(g)).isNull();
            assertThat(g.state()).isEqualTo(VmaMergeState.State.NOMERGE);
        }
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void vma_merge_new_with_close() {
        /*
         * 0123456
         * PPP**NN  ->  PPPPPNN   (next has a close hook: it may not be deleted)
         */
        Vma prev = alloc(0, 2, 0);
        Vma next = alloc(5, 7, 5);
        prev.closeHook = true;
        next.closeHook = true;
        Vma v = eng.vmaMergeNewRange(newRange(2, 5, 2));
        assertThat(v).isSameAs(prev);
        assertRange(v, 0, 5, 0);
        assertThat(v.hasCloseHook()).isTrue();
        assertRange(next, 5, 7, 5);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.count(Kind.NEW_LEFT)).isEqualTo(1);
        assertThat(rec.refused(VmaEvent.RefusalReason.CLOSE)).isEqualTo(1);
    }

    @Test
    void anon_vma_non_mergeable() {
        AnonVma a1 = new AnonVma();
        AnonVma a2 = new AnonVma();
        /*
         * Existing range, both sides mergeable alone but prev/next anon_vmas differ.
         * 0123456789
         * PPPMMMMNNN  ->  PPPPPPPNNN
         */
        Vma prev = alloc(0, 3, 0);
        Vma middle = alloc(3, 7, 3);
        Vma next = alloc(7, 9, 7);
        setAnon(prev, a1);
        setAnon(next, a2);
        VmaMergeState g = existing(prev, middle, 3, 7);
        Vma v = eng.vmaMergeExistingRange(g);
        assertThat(v).isSameAs(prev);
        assertThat(g.state()).isEqualTo(VmaMergeState.State.SUCCESS);
        assertRange(prev, 0, 7, 0);
        assertThat(prev.anonVma()).isSameAs(a1);
        assertRange(next, 7, 9, 7);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.count(Kind.EXISTING_LEFT_FULL)).isEqualTo(1);
        assertThat(rec.refused(VmaEvent.RefusalReason.ANON_VMA)).isEqualTo(1);

        /*
         * New range between prev [0,3) and next [7,9) with different anon_vmas.
         * 0123456789
         * PPP****NN  ->  PPPPPPPNN
         */
        setUp();
        prev = alloc(0, 3, 0);
        next = alloc(7, 9, 7);
        setAnon(prev, a1);
        setAnon(next, a2);
        v = eng.vmaMergeNewRange(newRange(3, 7, 3));
        assertThat(v).isSameAs(prev);
        assertRange(prev, 0, 7, 0);
        assertRange(next, 7, 9, 7);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void merge_extend() {
        /*
         * 01234
         * A  B   -> extend A by 2 pages -> AAAA
         */
        Vma a = alloc(0, 1, 0);
        alloc(3, 4, 3);
        assertThat(eng.vmaMergeExtend(a, 2 * P)).isSameAs(a);
        assertRange(a, 0, 4, 0);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(Kind.NEW_BOTH);
    }

    @Test
    void expand_only_mode() {
        /*
         * 0123456789
         * AA VV****   just_expand with prev = VV: never merges right
         */
        Vma first = alloc(0, 2, 0);
        Vma prev = alloc(3, 5, 3);
        VmaMergeState g = VmaMergeState.forNewRange(prev, null, 5 * P, 9 * P, FLAGS, null, 5);
        g.justExpand = true;
        Vma v = eng.vmaMergeNewRange(g);
        assertThat(v).isSameAs(prev);
        assertRange(prev, 3, 9, 3);
        assertRange(first, 0, 2, 0);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void mmap_region_basic() {
        int prot = Mman.PROT_READ | Mman.PROT_WRITE;
        int flags = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;
        assertThat(mm.mmap(0x300000, 0x3000, prot, flags, null, 0)).isZero();
        assertThat(mm.mmap(0x250000, 0x3000, prot, flags, null, 0)).isZero();
        assertThat(mm.mmap(0x303000, 0x3000, prot, flags, null, 0)).isZero();
        assertThat(mm.mmap(0x24d000, 0x3000, prot, flags, null, 0)).isZero();
        assertThat(mm.mapCount()).isEqualTo(2);
        Vma hi = mm.find(0x300000);
        assertThat(hi.start()).isEqualTo(0x300000);
        assertThat(hi.end()).isEqualTo(0x306000);
        assertThat(hi.pgoff()).isEqualTo(0x300);
        Vma lo = mm.find(0x24d000);
        assertThat(lo.start()).isEqualTo(0x24d000);
        assertThat(lo.end()).isEqualTo(0x253000);
        assertThat(lo.pgoff()).isEqualTo(0x24d);
    }

    // ---------------------------------------------------------------- existing range

    @Test
    void merge_existing_right_partial() {
        /*
         *    <->
         * 0123456789
         *   VVVVNNN   ->  VNNNNNN
         */
        Vma vma = alloc(2, 6, 2);
        vma.closeHook = true; // This should have no impact.
        Vma next = alloc(6, 9, 6);
        next.closeHook = true; // This should have no impact.
        setAnon(vma, dummyAnonVma);
        VmaMergeState g = existing(vma, vma, 3, 6);
        assertThat(eng.vmaMergeExistingRange(g)).isSameAs(next);
        assertThat(g.state()).isEqualTo(VmaMergeState.State.SUCCESS);
        assertRange(next, 3, 9, 3);
        assertThat(next.anonVma()).isSameAs(dummyAnonVma);
        assertRange(vma, 2, 3, 2);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.last().kind()).isEqualTo(Kind.EXISTING_RIGHT_PARTIAL);
        assertThat(rec.last().legacyCase()).isEqualTo(4);
    }

    @Test
    void merge_existing_right_full() {
        /*
         *   <-->
         * 0123456789
         *   VVVVNNN   ->  NNNNNNN
         */
        Vma vma = alloc(2, 6, 2);
        Vma next = alloc(6, 9, 6);
        setAnon(vma, dummyAnonVma);
        VmaMergeState g = existing(null, vma, 2, 6);
        assertThat(eng.vmaMergeExistingRange(g)).isSameAs(next);
        assertRange(next, 2, 9, 2);
        assertThat(next.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().legacyCase()).isEqualTo(8);
    }

    @Test
    void merge_existing_left_partial() {
        /*
         *    <->
         * 0123456789
         * PPPVVVV     ->  PPPPPPV
         */
        Vma prev = alloc(0, 3, 0);
        prev.closeHook = true; // This should have no impact.
        Vma vma = alloc(3, 7, 3);
        vma.closeHook = true; // This should have no impact.
        setAnon(vma, dummyAnonVma);
        VmaMergeState g = existing(prev, vma, 3, 6);
        assertThat(eng.vmaMergeExistingRange(g)).isSameAs(prev);
        assertRange(prev, 0, 6, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);
        assertRange(vma, 6, 7, 6);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.last().legacyCase()).isEqualTo(5);
    }

    @Test
    void merge_existing_left_full() {
        /*
         *    <-->
         * 0123456789
         * PPPVVVV     ->  PPPPPPP
         */
        Vma prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 7, 3);
        setAnon(vma, dummyAnonVma);
        VmaMergeState g = existing(prev, vma, 3, 7);
        assertThat(eng.vmaMergeExistingRange(g)).isSameAs(prev);
        assertRange(prev, 0, 7, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().legacyCase()).isEqualTo(7);
    }

    @Test
    void merge_existing_both() {
        /*
         *    <-->
         * 0123456789
         * PPPVVVVNNN  ->  PPPPPPPPPP
         */
        Vma prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 7, 3);
        alloc(7, 9, 7);
        setAnon(vma, dummyAnonVma);
        VmaMergeState g = existing(prev, vma, 3, 7);
        assertThat(eng.vmaMergeExistingRange(g)).isSameAs(prev);
        assertRange(prev, 0, 9, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().legacyCase()).isEqualTo(6);
    }

    @Test
    void merge_existing_no_merge_ranges() {
        /*
         * 0123456789a
         * PPPVVVVVNNN   changes strictly inside V never merge
         */
        Vma prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 8, 3);
        alloc(8, 0xa, 8);
        long[][] ranges = {{4, 5}, {5, 6}, {6, 7}, {4, 7}, {4, 6}, {5, 6}};
        for (long[] r : ranges) {
            VmaMergeState g = existing(vma, vma, r[0], r[1]);
            assertThat(eng.vmaMergeExistingRange(g)).as("range %s", java.util.Arrays.toString(r)).isNull();
            assertThat(g.state()).isEqualTo(VmaMergeState.State.NOMERGE);
        }
        assertThat(prev.end()).isEqualTo(3 * P);
        assertThat(mm.mapCount()).isEqualTo(3);
    }

    @Test
    void vma_merge_with_close() {
        /*
         * (a) new range, next has close: only prev grows.
         * 012345678
         * PPP**NNNN  ->  PPPPPNNNN
         */
        Vma prev = alloc(0, 3, 0);
        Vma next = alloc(5, 9, 5);
        next.closeHook = true;
        assertThat(eng.vmaMergeNewRange(newRange(3, 5, 3))).isSameAs(prev);
        assertRange(prev, 0, 5, 0);
        assertRange(next, 5, 9, 5);
        assertThat(mm.mapCount()).isEqualTo(2);

        /*
         * (b) PPPVV, V has close, change all of V: V may not be deleted -> no merge.
         */
        setUp();
        prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 5, 3);
        vma.closeHook = true;
        VmaMergeState g = existing(prev, vma, 3, 5);
        assertThat(eng.vmaMergeExistingRange(g)).isNull();
        assertThat(g.state()).isEqualTo(VmaMergeState.State.NOMERGE);
        assertThat(mm.mapCount()).isEqualTo(2);

        /*
         * (c) VVNNNN, V has close, change all of V -> no merge.
         */
        setUp();
        vma = alloc(3, 5, 3);
        vma.closeHook = true;
        next = alloc(5, 9, 5);
        g = existing(null, vma, 3, 5);
        assertThat(eng.vmaMergeExistingRange(g)).isNull();
        assertThat(mm.mapCount()).isEqualTo(2);

        /*
         * (d) PPPVVNNNN, V has close -> no merge.
         */
        setUp();
        prev = alloc(0, 3, 0);
        vma = alloc(3, 5, 3);
        vma.closeHook = true;
        next = alloc(5, 9, 5);
        g = existing(prev, vma, 3, 5);
        assertThat(eng.vmaMergeExistingRange(g)).isNull();
        assertThat(mm.mapCount()).isEqualTo(3);

        /*
         * (e) PPPVVNNNN, N has close: reduced to a left merge.
         *     ->  PPPPPNNNN
         */
        setUp();
        prev = alloc(0, 3, 0);
        vma = alloc(3, 5, 3);
        next = alloc(5, 9, 5);
        next.closeHook = true;
        g = existing(prev, vma, 3, 5);
        assertThat(eng.vmaMergeExistingRange(g)).isSameAs(prev);
        assertRange(prev, 0, 5, 0);
        assertRange(next, 5, 9, 5);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.last().kind()).isEqualTo(Kind.EXISTING_LEFT_FULL);
    }

    @Test
    void dup_anon_vma() {
        /*
         * (1) expand PPP over NN where only N is faulted: P gets N's anon_vma.
         * 01234
         * PPPNN
         */
        Vma prev = alloc(0, 3, 0);
        Vma next = alloc(3, 5, 3);
        setAnon(next, dummyAnonVma);
        VmaMergeState g = newRange(0, 5, 0);
        g.target = prev;
        g.next = next;
        assertThat(eng.vmaExpand(g)).isZero();
        assertRange(prev, 0, 5, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(1);

        /*
         * (2) PPPVVNNN, only N faulted, change all of V: both, P gets N's.
         */
        setUp();
        prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 5, 3);
        next = alloc(5, 8, 5);
        setAnon(next, dummyAnonVma);
        assertThat(eng.vmaMergeExistingRange(existing(prev, vma, 3, 5))).isSameAs(prev);
        assertRange(prev, 0, 8, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);
        assertThat(mm.mapCount()).isEqualTo(1);

        /*
         * (3) PPPVVNNN, only V faulted: both, P gets V's.
         */
        setUp();
        prev = alloc(0, 3, 0);
        vma = alloc(3, 5, 3);
        alloc(5, 8, 5);
        setAnon(vma, dummyAnonVma);
        assertThat(eng.vmaMergeExistingRange(existing(prev, vma, 3, 5))).isSameAs(prev);
        assertRange(prev, 0, 8, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);

        /*
         * (4) PPPVVVVV, only V faulted, change [3,5): left partial, P gets V's.
         */
        setUp();
        prev = alloc(0, 3, 0);
        vma = alloc(3, 8, 3);
        setAnon(vma, dummyAnonVma);
        assertThat(eng.vmaMergeExistingRange(existing(prev, vma, 3, 5))).isSameAs(prev);
        assertRange(prev, 0, 5, 0);
        assertThat(prev.anonVma()).isSameAs(dummyAnonVma);
        assertRange(vma, 5, 8, 5);

        /*
         * (5) VVVVVNNN, V faulted, change [3,5): right partial, N gets V's.
         */
        setUp();
        vma = alloc(0, 5, 0);
        next = alloc(5, 8, 5);
        setAnon(vma, dummyAnonVma);
        assertThat(eng.vmaMergeExistingRange(existing(vma, vma, 3, 5))).isSameAs(next);
        assertRange(next, 3, 8, 3);
        assertThat(next.anonVma()).isSameAs(dummyAnonVma);
        assertRange(vma, 0, 3, 0);
    }

    @Test
    void vmi_prealloc_fail() {
        /*
         * (1) merge-left of faulted V into unfaulted P, preallocation fails:
         * 01234
         * PPPVV   ->  ERROR_NOMEM, nothing changed, P's duplicated anon_vma unlinked again
         */
        Vma prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 5, 3);
        setAnon(vma, dummyAnonVma);
        mm.failPreallocations(1);
        VmaMergeState g = existing(prev, vma, 3, 5);
        assertThat(eng.vmaMergeExistingRange(g)).isNull();
        assertThat(g.state()).isEqualTo(VmaMergeState.State.ERROR_NOMEM);
        assertThat(prev.anonVma()).isNull();
        assertRange(prev, 0, 3, 0);
        assertRange(vma, 3, 5, 3);
        assertThat(mm.mapCount()).isEqualTo(2);

        /*
         * (2) the same through vma_expand: -ENOMEM, ERROR_NOMEM.
         */
        setUp();
        prev = alloc(0, 3, 0);
        vma = alloc(3, 5, 3);
        setAnon(vma, dummyAnonVma);
        g = newRange(0, 5, 3);
        g.target = prev;
        g.next = vma;
        mm.failPreallocations(1);
        assertThat(eng.vmaExpand(g)).isEqualTo(Errno.ENOMEM);
        assertThat(g.state()).isEqualTo(VmaMergeState.State.ERROR_NOMEM);
        assertThat(prev.anonVma()).isNull();
        assertRange(prev, 0, 3, 0);
        assertThat(mm.mapCount()).isEqualTo(2);
        mm.checkInvariants();
    }

    @Test
    void vma_modify_reports_enomem_and_changes_nothing() {
        Vma prev = alloc(0, 3, 0);
        Vma vma = alloc(3, 5, 3);
        vma.flags = FLAGS | VM_DONTDUMP;
        mm.failPreallocations(1);
        assertThat(mm.madvise(3 * P, 2 * P, Mman.MADV_DODUMP)).as("madvise turns ENOMEM into EAGAIN").isEqualTo(Errno.EAGAIN);
        assertRange(prev, 0, 3, 0);
        assertRange(vma, 3, 5, 3);
        assertThat(vma.flags() & VM_DONTDUMP).isNotZero();
        mm.failPreallocations(1);
        assertThat(mm.mprotect(3 * P, P, Mman.PROT_READ)).isEqualTo(Errno.ENOMEM);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void copy_vma() {
        /*
         * (1) 012345      VV copied to [0,2): a new, separate VMA.
         *        VV
         */
        Vma vma = alloc(3, 5, 3);
        VmaEngine.CopiedVma copy = eng.copyVma(vma, 0, 2 * P, 0);
        Vma n = copy.vma();
        assertThat(copy.source()).isSameAs(vma);
        assertThat(n).isNotSameAs(vma);
        assertRange(n, 0, 2, 0);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.last().kind()).isEqualTo(Kind.NEW_NONE);

        /*
         * (2) 01234567   VV copied to [4,6) next to NN [6,8): merged into NN.
         *     VV    NN
         */
        setUp();
        vma = alloc(0, 2, 0);
        Vma next = alloc(6, 8, 6);
        n = eng.copyVma(vma, 4 * P, 2 * P, 4).vma();
        assertThat(n).isSameAs(next);
        assertRange(next, 4, 8, 4);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void vma_iterator_walks_in_address_order() {
        Vma a = alloc(0, 2, 0);
        Vma b = alloc(4, 5, 4);
        Vma c = alloc(9, 10, 9);
        VmaIterator it = mm.iterator(3 * P);
        assertThat(it.load()).isNull();
        assertThat(it.next()).isSameAs(b);
        assertThat(it.next()).isSameAs(c);
        assertThat(it.next()).isNull();
        assertThat(it.prev()).isSameAs(b);
        assertThat(it.prev()).isSameAs(a);
        assertThat(it.prev()).isNull();
        it.set(0);
        assertThat(it.find(5 * P)).isSameAs(a);
        assertThat(it.find(5 * P)).isSameAs(b);
        assertThat(it.find(5 * P)).isNull();
        assertThat(mm.findVma(2 * P)).isSameAs(b);
        assertThat(mm.find(2 * P)).isNull();
    }
}
