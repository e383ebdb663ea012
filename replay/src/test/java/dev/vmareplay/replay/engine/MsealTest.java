package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Mseal} (mm/mseal.c). Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MsealTest extends SyscallTestBase {
    @Test
    void holes_fail_before_anything_changes() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), RW, ANON, null, 0);
        assertThat(mm.mseal(w(0), pages(5), 0)).isEqualTo(Errno.ENOMEM);
        assertThat(smaps(0)).doesNotContain("sl");
        assertThat(mm.mseal(w(0), pages(2), 1)).isEqualTo(Errno.EINVAL);
        assertThat(mm.mseal(w(0) + 1, pages(2), 0)).isEqualTo(Errno.EINVAL);
        assertThat(mm.mseal(w(0), 0, 0)).isZero();
    }

    @Test
    void sealing_twice_is_a_no_op_and_sealed_vmas_refuse_changes() {
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        assertThat(mm.mseal(w(1), pages(2), 0)).isZero();
        int splits = (int) rec.count(Kind.SPLIT);
        assertThat(mm.mseal(w(1), pages(2), 0)).isZero();
        assertThat(rec.count(Kind.SPLIT)).isEqualTo(splits);
        assertThat(mm.munmap(w(0), pages(4))).isEqualTo(Errno.EPERM);
        assertThat(mm.mmap(w(2), PAGE, RW, ANON, null, 0)).isEqualTo(Errno.EPERM);
        assertThat(mm.mprotect(w(1), PAGE, PROT_READ)).isEqualTo(Errno.EPERM);
        assertThat(windowLayout(mm)).isEqualTo("0-1 rw-p, 1-3 rw-p, 3-4 rw-p");
    }
}
