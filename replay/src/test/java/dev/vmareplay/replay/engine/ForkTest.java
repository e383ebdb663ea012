package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Fork} (kernel/fork.c): dup_mmap. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class ForkTest extends SyscallTestBase {
    @Test
    void child_drops_dontcopy_wipes_and_unlocks_and_never_merges() {
        /*
         * 0123456789ab
         * AALL  DD  WW   A written to, L locked, D MADV_DONTFORK, W written to and MADV_WIPEONFORK
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(2), pages(2), RW, ANON | MAP_LOCKED, null, 0);
        mm.mmap(w(6), pages(2), RW, ANON, null, 0);
        mm.madvise(w(6), pages(2), MADV_DONTFORK);
        mm.mmap(w(10), pages(2), RW, ANON, null, 0);
        mm.fault(w(10), true);
        mm.madvise(w(10), pages(2), MADV_WIPEONFORK);
        mm.fault(w(0), true);
        assertVmg(Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE, Kind.NEW_NONE, Kind.NEW_NONE);
        /*
         * 0123456789ab
         * AALL      WW   the child: no D; L unlocked (now equal to A, not merged); W without its pages
         */
        Mm child = mm.fork();
        assertThat(windowLayout(child)).as("[0,2) and [2,4) became identical but stay apart")
            .isEqualTo("0-2 rw-p, 2-4 rw-p, 10-12 rw-p");
        EngineTestSupport.assertVma(child, 0, 2, vpn(0), true);
        EngineTestSupport.assertVma(child, 2, 4, vpn(2), true);
        EngineTestSupport.assertVma(child, 10, 12, vpn(10), false);
        assertThat(child.mapCount()).isEqualTo(3);
        assertVmg();
        assertThat(child.find(w(2)).flags() & VM_LOCKED).isZero();
        assertThat(child.find(w(10)).hasAnonVma()).as("wipe on fork").isFalse();
        assertThat(child.find(w(0)).isForkChild()).isTrue();
        assertThat(child.find(w(0)).anonVma()).isNotSameAs(mm.find(w(0)).anonVma());
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p, 6-8 rw-p, 10-12 rw-p");
        child.checkInvariants();
    }

    @Test
    void a_faulted_fork_child_does_not_absorb_new_neighbours_but_the_parent_does() {
        /*
         * 0123
         * AA        A written to, then fork: the child's A is a fork child (anon_vma chain of 2)
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.fault(w(0), true);
        Mm child = mm.fork();
        assertVmg(Kind.NEW_NONE);
        /*
         * 0123
         * AA**  ->  AAAA   the parent's A absorbs the new range
         */
        mm.mmap(w(2), pages(2), RW, ANON, null, 0);
        assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
        assertVma(0, 4, vpn(0), true);
        assertMapCount(1);
        assertVmg(Kind.NEW_LEFT);
        /*
         * 0123
         * CC**  ->  CCNN   the child's A refuses it (anon_vma: is_mergeable_anon_vma() Case 2)
         */
        child.mmap(w(2), pages(2), RW, ANON, null, 0);
        assertThat(windowLayout(child)).isEqualTo("0-2 rw-p, 2-4 rw-p");
        EngineTestSupport.assertVma(child, 0, 2, vpn(0), true);
        EngineTestSupport.assertVma(child, 2, 4, vpn(2), false);
        assertThat(child.find(w(0)).isForkChild()).isTrue();
        assertThat(child.mapCount()).isEqualTo(2);
        assertVmg(Kind.REFUSED, Kind.NEW_NONE);
        assertThat(lastRefusal()).isEqualTo(VmaEvent.RefusalReason.ANON_VMA);
    }
}
