package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel behaviour issue 14's exact recordings rest on, in the style of tools/testing/vma:
 * a diagram per step (one character per page of the window; capitals: an anon_vma, lower case:
 * none), then start/end/pgoff/anon_vma/map_count. Each one also has a captured run on the real
 * kernel in samples/recorded (cowfile, gaps), verified by RecordedSamplesTest.
 */
class ExactRecordingScenarioTest {
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

    Recorder rec;
    Mm mm;
    final VmaFile file = new VmaFile(1, "/tmp/vmareplay-cowfile.bin", "fe:00", 77, true, true, false, false, false);

    @BeforeEach
    void setUp() {
        rec = new Recorder();
        mm = new Mm(KernelVersion.V6_18, FaultPolicy.OBSERVED_ONLY, rec);
    }

    @Test
    void a_read_fault_allocates_no_anon_vma_a_write_fault_does() {
        /*
         * 0123
         * aa      mmap private anon, read fault on page 0: the zero page, no anon_vma (do_anonymous_page)
         * AA      write fault on page 1: anon_vma
         */
        assertThat(mm.mmap(w(0), pages(2), RW, ANON, null, 0)).isZero();
        assertThat(mm.fault(w(0), false)).isZero();
        assertVma(mm, 0, 2, w(0) >>> 12, false);
        assertThat(mm.fault(w(1) + 5, true)).isZero();
        assertVma(mm, 0, 2, w(0) >>> 12, true);
        assertThat(mm.mapCount()).isEqualTo(1);
    }

    @Test
    void private_file_pages_get_an_anon_vma_only_from_a_write_fault_shared_never() {
        /*
         * 0123456789
         * ff          private file pages [0,2) at 0, read fault: no anon_vma
         * FF          write fault (COW): anon_vma
         *     ss      shared file pages [4,6) at 4, write fault: a shared page, no anon_vma
         */
        assertThat(mm.mmap(w(0), pages(2), RW, MAP_PRIVATE | MAP_FIXED, file, 0)).isZero();
        mm.fault(w(0), false);
        assertVma(mm, 0, 2, 0, false);
        mm.fault(w(0), true);
        assertVma(mm, 0, 2, 0, true);
        assertThat(mm.mmap(w(4), pages(2), RW, MAP_SHARED | MAP_FIXED, file, pages(4))).isZero();
        mm.fault(w(4), true);
        assertVma(mm, 4, 6, 4, false);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void written_private_file_neighbours_with_different_anon_vmas_refuse_new_both() {
        /* the cowfile program:
         * 0123456789
         * AA          file [0,2) written: anon_vma a1
         * AA..BB      file [4,6) written: anon_vma a2
         * AAAABB      file [2,4) between: a1 != a2, so it merges with A only (new_left, not new_both)
         * AAAABBbb    file [6,8) read only: merges with B (its anon_vma joins B's)
         */
        mm.mmap(w(0), pages(2), RW, MAP_PRIVATE | MAP_FIXED, file, 0);
        mm.fault(w(0), true);
        mm.mmap(w(4), pages(2), RW, MAP_PRIVATE | MAP_FIXED, file, pages(4));
        mm.fault(w(4), true);
        assertThat(mm.find(w(0)).anonVma()).isNotSameAs(mm.find(w(4)).anonVma());
        mm.mmap(w(2), pages(2), RW, MAP_PRIVATE | MAP_FIXED, file, pages(2));
        assertVma(mm, 0, 4, 0, true);
        assertVma(mm, 4, 6, 4, true);
        mm.mmap(w(6), pages(2), RW, MAP_PRIVATE | MAP_FIXED, file, pages(6));
        mm.fault(w(6), false);
        assertVma(mm, 4, 8, 4, true);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void mprotect_stops_at_the_first_sealed_vma_and_keeps_what_it_changed_before_it() {
        /* 6.11+ (mm/mprotect.c): mprotect_fixup() checks can_modify_vma() per VMA, so the VMAs
         * before a sealed one are changed and the call returns EPERM; the real kernel's end
         * snapshot of samples/recorded/gaps shows the same (not "nothing changes").
         * 012345
         * AAAAAA   rw-p, written
         * AASSAA   mseal [2,4): split, sealed middle
         * rr       mprotect(0, 6 pages, READ) = EPERM: [0,2) is read-only, [2,6) untouched
         */
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        mm.fault(w(0), true);
        assertThat(mm.mseal(w(2), pages(2), 0)).isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertThat(mm.mprotect(w(0), pages(6), PROT_READ)).isEqualTo(Errno.EPERM);
        assertThat(windowLayout(mm)).isEqualTo("0-2 r--p, 2-4 rw-p, 4-6 rw-p");
        assertThat(mm.find(w(2)).flags() & VM_SEALED).isNotZero();
        assertVma(mm, 0, 2, w(0) >>> 12, true);
        assertVma(mm, 4, 6, w(4) >>> 12, true);
        assertThat(mm.mapCount()).isEqualTo(3);
    }

    @Test
    void mremap_onto_a_sealed_fixed_destination_fails_and_leaves_the_source() {
        /*
         * 0123456789
         *   SS        sealed [2,4)
         *   SS  AA    source [6,8), written
         *   SS  AA    mremap(6, 2 pages, 2 pages, MAYMOVE|FIXED, 2) = EPERM: the destination's unmap fails
         */
        mm.mmap(w(2), pages(2), RW, ANON, null, 0);
        mm.mseal(w(2), pages(2), 0);
        mm.mmap(w(6), pages(2), RW, ANON, null, 0);
        mm.fault(w(6), true);
        assertThat(mm.mremap(w(6), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(2))).isEqualTo(Errno.EPERM);
        assertVma(mm, 2, 4, w(2) >>> 12, false);
        assertVma(mm, 6, 8, w(6) >>> 12, true);
        assertThat(mm.mapCount()).isEqualTo(2);
    }

    @Test
    void map_droppable_is_its_own_map_type_with_wf_dd_dp() {
        /*
         * 012345
         * aa       plain private anon
         * aadd     MAP_DROPPABLE next to it: VM_DROPPABLE|VM_WIPEONFORK|VM_DONTDUMP, no merge
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        assertThat(mm.mmap(w(2), pages(2), RW, 0x08 | MAP_ANONYMOUS | MAP_FIXED, null, 0)).isZero();
        assertThat(mm.mapCount()).isEqualTo(2);
        Vma d = mm.find(w(2));
        assertThat(d.flags() & (VM_DROPPABLE | VM_WIPEONFORK | VM_DONTDUMP)).isEqualTo(VM_DROPPABLE | VM_WIPEONFORK | VM_DONTDUMP);
        assertThat(VmFlags.toSmaps(d.flags())).contains("wf").contains("dd").contains("dp");
        assertVma(mm, 2, 4, w(2) >>> 12, false);
    }

    @Test
    void anon_names_fail_with_einval_on_a_kernel_without_config_anon_vma_name() {
        /*
         * 01
         * aa       prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0, 1 page, "x") = EINVAL, nothing split
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.setAnonVmaNameSupported(false);
        assertThat(mm.setAnonName(w(0), pages(1), "x")).isEqualTo(Errno.EINVAL);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(mm.find(w(0)).anonName()).isNull();
    }

    @Test
    void mremap_with_old_len_0_duplicates_a_shared_mapping_and_leaves_the_original() {
        /*
         * 0123456789
         * SSSS        shared anon (/dev/zero) [0,4), written
         * SSSS  ssss  mremap(0, 0, 4 pages, MAYMOVE|FIXED, 6): a second VMA of the same object at 6,
         *             pgoff as the source's; the source stays (a new range, not a move)
         */
        assertThat(mm.mmap(w(0), pages(4), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, null, 0)).isZero();
        mm.fault(w(0), true);
        Vma src = mm.find(w(0));
        rec.clear();
        assertThat(mm.mremap(w(0), 0, pages(4), MREMAP_MAYMOVE | MREMAP_FIXED, w(6))).isZero();
        assertThat(mm.mapCount()).isEqualTo(2);
        assertVma(mm, 0, 4, src.pgoff(), false);
        assertVma(mm, 6, 10, src.pgoff(), false);
        assertThat(mm.find(w(6)).file()).isSameAs(src.file());
        assertThat(mm.find(w(6)).flags()).isEqualTo(src.flags());
        assertThat(rec.count(VmaEvent.Kind.NEW_NONE)).isEqualTo(1);

        // a private mapping cannot be duplicated
        mm.mmap(w(12), pages(2), RW, ANON, null, 0);
        assertThat(mm.mremap(w(12), 0, pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(20))).isEqualTo(Errno.EINVAL);
    }

    // ---- a snapshot cannot show which written neighbours share an anon_vma -------------------

    /** Seeds [startPage, endPage) of the window as written (smaps Anonymous: &gt; 0) private anonymous memory. */
    private Vma seedWritten(long startPage, long endPage, long flags) {
        return mm.seed(w(startPage), w(endPage)).flags(flags).anonVma(true).insert();
    }

    private static final long DATA = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;

    @Test
    void seeded_written_neighbours_differing_only_in_mlock_share_an_anon_vma_and_merge_back_assumed() {
        /* The start snapshot (smaps) shows two written anonymous VMAs with contiguous pgoffs that
         * differ only in VM_LOCKED: most often one VMA that mlock split (__split_vma() gives both
         * halves its anon_vma), so seeding shares it. munlock merges them back, as the kernel
         * does when they share one; with two anon_vmas it would refuse. The merge rests on the
         * seed's assumption and says so, even under OBSERVED_ONLY (no fault shows sharing).
         * 0123
         * LLAA     seeded: [0,2) rw-p lo (written), [2,4) rw-p (written), one anon_vma assumed
         * AAAA     munlock [0,2): existing-range merge with next, assumed
         */
        Vma locked = seedWritten(0, 2, DATA | VM_LOCKED);
        Vma plain = seedWritten(2, 4, DATA);
        assertThat(plain.anonVma()).isSameAs(locked.anonVma());
        assertVma(mm, 0, 2, w(0) >>> 12, true);
        assertVma(mm, 2, 4, w(2) >>> 12, true);
        assertThat(mm.mapCount()).isEqualTo(2);

        assertThat(mm.munlock(w(0), pages(2))).isZero();
        assertVma(mm, 0, 4, w(0) >>> 12, true);
        assertThat(mm.find(w(0)).anonVma()).isSameAs(plain.anonVma());
        assertThat(mm.mapCount()).isEqualTo(1);
        VmaEvent merge = rec.last();
        assertThat(merge.kind()).isEqualTo(VmaEvent.Kind.EXISTING_RIGHT_FULL);
        assertThat(merge.assumed()).as("the merge rests on the seeded anon_vma").isTrue();
    }

    @Test
    void seeded_written_neighbours_differing_only_in_protection_merge_back_assumed() {
        /*
         * 0123
         * rrAA     seeded: [0,2) r--p ac (written), [2,4) rw-p ac (written), one anon_vma assumed
         * AAAA     mprotect [0,2) RW: existing-range merge with next, assumed
         */
        Vma ro = seedWritten(0, 2, DATA & ~VM_WRITE);
        Vma rw = seedWritten(2, 4, DATA);
        assertThat(rw.anonVma()).isSameAs(ro.anonVma());
        assertThat(mm.mprotect(w(0), pages(2), RW)).isZero();
        assertVma(mm, 0, 4, w(0) >>> 12, true);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(VmaEvent.Kind.EXISTING_RIGHT_FULL);
        assertThat(rec.last().assumed()).isTrue();
    }

    @Test
    void seeded_neighbours_that_differ_in_more_than_a_split_separates_keep_their_own_anon_vmas() {
        /*
         * 0123
         * AABB     seeded: [0,2) rw-p lo (written), [2,4) rw-p dd (written): MADV_DONTDUMP is not
         *          what mprotect or mlock changes, so no sharing is assumed; munlock then refuses
         *          the merge on the flags, not on an assumption
         */
        Vma locked = seedWritten(0, 2, DATA | VM_LOCKED);
        Vma other = seedWritten(2, 4, DATA | VM_DONTDUMP);
        assertThat(other.anonVma()).isNotSameAs(locked.anonVma());
        assertThat(mm.munlock(w(0), pages(2))).isZero();
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(rec.events).noneMatch(VmaEvent::assumed);
    }

    @Test
    void neighbours_split_in_the_trace_from_observed_memory_merge_back_not_assumed() {
        /* Where the state was observed, nothing is assumed: the same layout made in the trace.
         * 0123
         * aaaa     mmap [0,4) rw-p
         * AAAA     write fault: anon_vma (observed)
         * LLAA     mlock [0,2): split, both halves keep the one anon_vma
         * AAAA     munlock [0,2): merge back, not assumed
         */
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        mm.fault(w(0), true);
        assertThat(mm.mlock(w(0), pages(2))).isZero();
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(mm.find(w(0)).anonVma()).isSameAs(mm.find(w(2)).anonVma());
        rec.clear();
        assertThat(mm.munlock(w(0), pages(2))).isZero();
        assertVma(mm, 0, 4, w(0) >>> 12, true);
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(VmaEvent.Kind.EXISTING_RIGHT_FULL);
        assertThat(rec.events).noneMatch(VmaEvent::assumed);
    }

    @Test
    void pieces_of_one_seeded_vma_merge_back_not_assumed() {
        /*
         * 0123
         * AAAA     seeded: [0,4) rw-p (written)
         * LLAA     mlock [0,2): split (both halves hold its anon_vma for certain)
         * AAAA     munlock [0,2): merge back, not assumed
         */
        seedWritten(0, 4, DATA);
        assertThat(mm.mlock(w(0), pages(2))).isZero();
        rec.clear();
        assertThat(mm.munlock(w(0), pages(2))).isZero();
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(rec.last().kind()).isEqualTo(VmaEvent.Kind.EXISTING_RIGHT_FULL);
        assertThat(rec.events).noneMatch(VmaEvent::assumed);
    }
}
