package dev.vmareplay.replay.engine;

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
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), PROT_READ, ANON, null, 0);
        assertThat(mm.mremap(w(0), pages(2), pages(4), 0, w(0))).isEqualTo(Errno.ENOMEM);
        assertThat(mm.mremap(w(0), pages(2), pages(4), 0, w(8))).as("moved without MAYMOVE").isEqualTo(Errno.ENOMEM);
        assertThat(mm.mremap(w(0), pages(2), pages(4), MREMAP_MAYMOVE, w(8))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("3-5 r--p, 8-12 rw-p");
    }

    @Test
    void faulted_memory_keeps_its_pgoff_and_does_not_merge_where_it_lands() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(8), pages(2), RW, ANON, null, 0);
        mm.fault(w(8), true);
        mm.mremap(w(8), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(2));
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p");
        assertThat(mm.find(w(2)).pgoff()).isEqualTo(w(8) >>> 12);
        assertThat(rec.refused(RefusalReason.PGOFF)).isEqualTo(1);
        // moved back where it came from, it merges again (pgoff matches the address)
        mm.mmap(w(10), pages(2), RW, ANON, null, 0);
        mm.mremap(w(2), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(8));
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 8-12 rw-p");
    }

    @Test
    void fixed_unmaps_the_destination_first_and_a_shrinking_move() {
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        mm.mmap(w(8), pages(4), PROT_READ, ANON, null, 0);
        assertThat(mm.mremap(w(0), pages(4), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(9))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("8-9 r--p, 9-11 rw-p, 11-12 r--p");
    }

    @Test
    void partial_move_leaves_head_and_tail() {
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        assertThat(mm.mremap(w(2), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_FIXED, w(10))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 4-6 rw-p, 10-12 rw-p");
        assertThat(smaps(0)).contains("ac");
        assertThat(smaps(4)).contains("ac");
    }

    @Test
    void multi_vma_move_preserves_gaps_on_6_18() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), PROT_READ, ANON, null, 0);
        assertThat(mm.mremap(w(0), pages(5), pages(5), MREMAP_MAYMOVE | MREMAP_FIXED, w(10))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("10-12 rw-p, 13-15 r--p");
        assertThat(mm.mremap(w(12), pages(3), pages(3), MREMAP_MAYMOVE | MREMAP_FIXED, w(20)))
            .as("a hole at the very start").isEqualTo(Errno.EFAULT);
    }

    @Test
    void dontunmap_keeps_the_source_unlocked_and_accounted() {
        mm.mmap(w(0), pages(2), RW, ANON | MAP_LOCKED, null, 0);
        assertThat(mm.mremap(w(0), pages(2), pages(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, w(8))).isZero();
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
        mm.mmap(w(0), pages(2), RW, ANON | MAP_LOCKED | MAP_NORESERVE, null, 0);
        mm.setOvercommitNever(false);
        assertThat(mm.mremap(w(0), pages(2), pages(3), 0, w(0))).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-3 rw-p");
    }
}
