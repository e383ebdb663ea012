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
        /*
         * 012345
         * AA BB     mseal [0,5): the hole at 2 fails it before anything changes (6.17+)
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(3), pages(2), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.NEW_NONE);
        assertThat(mm.mseal(w(0), pages(5), 0)).isEqualTo(Errno.ENOMEM);
        assertThat(smaps(0)).doesNotContain("sl");
        assertThat(smaps(3)).doesNotContain("sl");
        assertVma(0, 2, vpn(0), false);
        assertVma(3, 5, vpn(3), false);
        assertVmg();
        assertThat(mm.mseal(w(0), pages(2), 1)).isEqualTo(Errno.EINVAL);
        assertThat(mm.mseal(w(0) + 1, pages(2), 0)).isEqualTo(Errno.EINVAL);
        assertThat(mm.mseal(w(0), 0, 0)).isZero();
    }

    @Test
    void sealing_twice_is_a_no_op_and_sealed_vmas_refuse_changes() {
        /*
         * 0123
         * A**A  ->  ASSA   mseal [1,3): two splits
         */
        mm.mmap(w(0), pages(4), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mseal(w(1), pages(2), 0)).isZero();
        assertVma(0, 1, vpn(0), false);
        assertThat(VmFlags.toSmaps(assertVma(1, 3, vpn(1), false).flags())).contains("sl");
        assertVma(3, 4, vpn(3), false);
        assertMapCount(3);
        assertVmg(Kind.SPLIT, Kind.SPLIT);
        /*
         * 0123
         * A**A      sealing again changes nothing
         */
        int splits = (int) rec.count(Kind.SPLIT);
        assertThat(mm.mseal(w(1), pages(2), 0)).isZero();
        assertThat(rec.count(Kind.SPLIT)).isEqualTo(splits);
        assertVmg();
        /*
         * 0123
         * ****      munmap, MAP_FIXED over [2,3) and mprotect [1,2) refuse (EPERM) before any split
         */
        assertThat(mm.munmap(w(0), pages(4))).isEqualTo(Errno.EPERM);
        assertThat(mm.mmap(w(2), PAGE, RW, ANON, null, 0)).isEqualTo(Errno.EPERM);
        assertThat(mm.mprotect(w(1), PAGE, PROT_READ)).isEqualTo(Errno.EPERM);
        assertThat(windowLayout(mm)).isEqualTo("0-1 rw-p, 1-3 rw-p, 3-4 rw-p");
        assertMapCount(3);
        assertVmg();
    }
}
