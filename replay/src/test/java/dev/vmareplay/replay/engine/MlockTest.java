package dev.vmareplay.replay.engine;

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
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        assertThat(mm.mlock2(w(1), pages(2), MLOCK_ONFAULT)).isZero();
        assertThat(smaps(1)).contains("lo").contains("lf");
        assertThat(mm.find(w(1)).hasAnonVma()).isFalse();
        assertThat(mm.mlock2(w(1), PAGE, 2)).isEqualTo(Errno.EINVAL);
    }

    @Test
    void mlock_rounds_to_pages_and_fails_on_holes() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        assertThat(mm.mlock(w(0) + 100, 10)).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-1 rw-p, 1-2 rw-p");
        assertThat(mm.mlock(w(0), pages(3))).isEqualTo(Errno.ENOMEM);
        assertThat(mm.mlock(w(5), PAGE)).isEqualTo(Errno.ENOMEM);
    }

    @Test
    void mlockall_current_merges_vmas_that_differed_only_in_lock_state_and_munlockall_undoes_it() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(2), pages(2), RW, ANON | MAP_LOCKED, null, 0);
        assertThat(mm.mapCount()).isEqualTo(2);
        assertThat(mm.mlockall(MCL_CURRENT)).isZero();
        assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
        assertThat(mm.munlockall()).isZero();
        assertThat(smaps(0)).doesNotContain("lo");
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
