package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Mremap} (mm/mremap.c). Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MremapTest extends SyscallTestBase {
    @Test
    void validation() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        assertThat(mm.mremap(w(0), PAGE, PAGE, 8, w(0))).isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(w(0), PAGE, PAGE, MREMAP_FIXED, w(8))).isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(w(0), PAGE, pages(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, w(8))).isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(w(0), PAGE, 0, 0, w(0))).isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(w(4), PAGE, pages(2), 0, w(4))).isEqualTo(Errno.EFAULT);
        assertThat(mm.mremap(w(0), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(1))).as("overlap").isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(w(0), PAGE, PAGE, 0, w(0))).as("no-op").isZero();
    }

    @Test
    void grow_in_place_needs_room_or_maymove() {
        /*
         * 0123456789ab
         * AA*RR          growing A in place to 4 pages would overlap R
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), PROT_READ, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
        assertThat(mm.mremap(w(0), pages(2), pages(4), 0, w(0))).isEqualTo(Errno.ENOMEM);
        assertThat(mm.mremap(w(0), pages(2), pages(4), 0, w(8))).as("moved without MAYMOVE").isEqualTo(Errno.ENOMEM);
        assertVmg();
        /*
         * 0123456789ab
         * AA RR   ****  ->     RR   AAAA   MAYMOVE: copied to [8,12) (unfaulted: pgoff follows
         *                                  the address), the source unmapped
         */
        assertThat(mm.mremap(w(0), pages(2), pages(4), MREMAP_MAYMOVE, w(8))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("3-5 r--p, 8-12 rw-p");
        assertVma(8, 12, vpn(8), false);
        assertVma(3, 5, vpn(3), false);
        assertMapCount(2);
        assertVmg(Kind.NEW_NONE, Kind.REMOVE);
    }

    @Test
    void faulted_memory_keeps_its_pgoff_and_does_not_merge_where_it_lands() {
        /*
         * 0123456789ab
         * AA      BB     B written to: it has an anon_vma
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(8), pages(2), RW, ANON, null, 0);
        mm.fault(w(8), true);
        assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
        /*
         * 0123456789ab
         * AA**    BB  ->  AABB   B moved next to A keeps pgoff 8: refused (pgoff), B unmapped
         */
        mm.mremap(w(8), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(2));
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
        assertThat(mm.find(w(2)).pgoff()).isEqualTo(w(8) >>> 12);
        assertThat(rec.refused(RefusalReason.PGOFF)).isEqualTo(1);
        assertVma(0, 2, vpn(0), false);
        assertVma(2, 4, vpn(8), true);
        assertMapCount(2);
        assertVmg(Kind.REFUSED, Kind.NEW_NONE, Kind.REMOVE);
        /*
         * 0123456789ab
         * AABB    **CC  ->  AA      BBCC   moved back where it came from, it merges again (pgoff
         *                                  matches the address): C extends backwards over it
         */
        mm.mmap(w(10), pages(2), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        mm.mremap(w(2), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(8));
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 8-12 rw-p");
        assertVma(8, 12, vpn(8), true);
        assertMapCount(2);
        assertVmg(Kind.NEW_RIGHT, Kind.REMOVE);
    }

    @Test
    void fixed_unmaps_the_destination_first_and_a_shrinking_move() {
        /*
         * 0123456789ab
         * AAAA    RRRR
         */
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        mm.mmap(w(8), pages(4), PROT_READ, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
        /*
         * 0123456789ab
         * AA**    R**R  ->  R AAR   [9,11) unmapped first (two splits), A's tail unmapped
         *                           (a split), A moved between the Rs (refused both: flags)
         */
        assertThat(mm.mremap(w(0), pages(4), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(9))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("8-9 r--p, 9-11 rw-p, 11-12 r--p");
        assertVma(8, 9, vpn(8), false);
        assertVma(9, 11, vpn(9), false);
        assertVma(11, 12, vpn(11), false);
        assertMapCount(3);
        assertVmg(Kind.SPLIT, Kind.SPLIT, Kind.REMOVE, Kind.SPLIT, Kind.REMOVE, Kind.REFUSED, Kind.REFUSED, Kind.NEW_NONE,
            Kind.REMOVE);
    }

    @Test
    void partial_move_leaves_head_and_tail() {
        /*
         * 0123456789ab
         * AA**AA    **  ->  AA  AA    AA   [2,4) copied to [10,12), then unmapped (two splits)
         */
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mremap(w(2), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(10))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 4-6 rw-p, 10-12 rw-p");
        assertVma(0, 2, vpn(0), false);
        assertVma(4, 6, vpn(4), false);
        assertVma(10, 12, vpn(10), false);
        assertMapCount(3);
        assertVmg(Kind.NEW_NONE, Kind.SPLIT, Kind.SPLIT, Kind.REMOVE);
        assertThat(smaps(0)).contains("ac");
        assertThat(smaps(4)).contains("ac");
    }

    @Test
    void multi_vma_move_preserves_gaps_on_6_18() {
        /*
         * 0123456789abcdef
         * AA RR     ** **  ->  AA RR   one MREMAP_FIXED of [0,5): each VMA moves on its own
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), PROT_READ, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
        assertThat(mm.mremap(w(0), pages(5), pages(5), MREMAP_MAYMOVE | MREMAP_FIXED, w(10))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("10-12 rw-p, 13-15 r--p");
        assertVma(10, 12, vpn(10), false);
        assertVma(13, 15, vpn(13), false);
        assertMapCount(2);
        assertVmg(Kind.NEW_NONE, Kind.REMOVE, Kind.NEW_NONE, Kind.REMOVE);
        assertThat(mm.mremap(w(12), pages(3), pages(3), MREMAP_MAYMOVE | MREMAP_FIXED, w(20)))
            .as("a hole at the very start").isEqualTo(Errno.EFAULT);
    }

    @Test
    void dontunmap_keeps_the_source_unlocked_and_accounted() {
        /*
         * 0123456789
         * LL      **  ->  AA      LL   the source stays (unlocked, without its pages)
         */
        mm.mmap(w(0), pages(2), RW, ANON | MAP_LOCKED, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mremap(w(0), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, w(8))).isZero();
        assertVma(0, 2, vpn(0), false);
        assertVma(8, 10, vpn(0), true);
        assertMapCount(2);
        assertVmg(Kind.NEW_NONE);
        assertThat(smaps(0)).isEqualTo("rd wr mr mw me ac");
        assertThat(mm.find(w(0)).hasAnonVma()).as("whole VMA moved: anon_vma dropped").isFalse();
        assertThat(smaps(8)).contains("lo");
        assertThat(mm.find(w(8)).hasAnonVma()).isTrue();
    }

    @Test
    void sealed_memory_cannot_move() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mseal(w(0), pages(2), 0);
        assertThat(mm.mremap(w(0), pages(2), pages(4), MREMAP_MAYMOVE, w(8))).isEqualTo(Errno.EPERM);
    }

    @Test
    void growing_a_locked_mapping_populates_the_tail() {
        /*
         * 012
         * LL*  ->  LLL   vma_merge_extend(): a new range merged left
         */
        mm.mmap(w(0), pages(2), RW, ANON | MAP_LOCKED | MAP_NORESERVE, null, 0);
        mm.setOvercommitNever(false);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mremap(w(0), pages(2), pages(3), 0, w(0))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-3 rw-p");
        assertVma(0, 3, vpn(0), true);
        assertMapCount(1);
        assertVmg(Kind.NEW_LEFT);
    }
}
