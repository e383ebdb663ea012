package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Mlock} (mm/mlock.c): mlock, mlock2, munlock, mlockall, munlockall. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MlockTest extends SyscallTestBase {
    @Test
    void mlock2_onfault_locks_without_populating() {
        /*
         * 0123
         * A**A  ->  ALLA   MLOCK_ONFAULT on [1,3): two splits, nothing populated
         */
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mlock2(w(1), pages(2), MLOCK_ONFAULT)).isZero();
        assertThat(smaps(1)).contains("lo").contains("lf");
        assertThat(mm.find(w(1)).hasAnonVma()).isFalse();
        assertVma(0, 1, vpn(0), false);
        assertVma(1, 3, vpn(1), false);
        assertVma(3, 4, vpn(3), false);
        assertMapCount(3);
        assertVmg(Kind.SPLIT, Kind.SPLIT);
        assertThat(mm.mlock2(w(1), PAGE, 2)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void mlock_rounds_to_pages_and_fails_on_holes() {
        /*
         * 012
         * *A   ->  LA   10 bytes at offset 100 lock the whole first page, populated (anon_vma)
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mlock(w(0) + 100, 10)).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-1 rw-p, 1-2 rw-p");
        assertVma(0, 1, vpn(0), true);
        assertVma(1, 2, vpn(1), false);
        assertVmg(Kind.SPLIT);
        /*
         * 012
         * L**  ->  LL    [0,3): A is locked and merges into L, then the hole at 2 fails the call
         */
        assertThat(mm.mlock(w(0), pages(3))).isEqualTo(Errno.ENOMEM);
        assertVma(0, 2, vpn(0), true);
        assertMapCount(1);
        assertVmg(Kind.EXISTING_LEFT_FULL);
        assertThat(mm.mlock(w(5), PAGE)).isEqualTo(Errno.ENOMEM);
    }

    @Test
    void mlockall_current_merges_vmas_that_differed_only_in_lock_state_and_munlockall_undoes_it() {
        /*
         * 0123
         * AALL      MAP_LOCKED refuses the unlocked A (flags); it is populated
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(2), pages(2), RW, ANON | MAP_LOCKED, null, 0);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertVma(2, 4, vpn(2), true);
        assertVmg(Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE);
        /*
         * 0123
         * **LL  ->  LLLL   MCL_CURRENT locks A, which next (faulted, not a fork child) absorbs
         */
        assertThat(mm.mlockall(MCL_CURRENT)).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
        assertVma(0, 4, vpn(0), true);
        assertMapCount(1);
        assertVmg(Kind.EXISTING_RIGHT_FULL);
        /*
         * 0123
         * LLLL  ->  AAAA   munlockall changes the one VMA in place
         */
        assertThat(mm.munlockall()).isZero();
        assertThat(smaps(0)).doesNotContain("lo");
        assertVma(0, 4, vpn(0), true);
        assertVmg();
        assertThat(mm.mlockall(0)).isEqualTo(Errno.EINVAL);
        assertThat(mm.mlockall(MCL_ONFAULT)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void mlockall_current_alone_cancels_mcl_future() {
        mm.mlockall(MCL_FUTURE);
        mm.mlockall(MCL_CURRENT);
        assertThat(mm.defFlags()).isZero();
    }

    @Test
    void special_mappings_are_skipped() {
        mm.seed(w(0), w(2)).flags(VM_READ | VM_MAYREAD).special(Vma.Special.VDSO, "[vdso]").insert();
        assertThat(mm.mlock(w(0), pages(2))).isZero();
        assertThat(smaps(0)).doesNotContain("lo");
    }
}
