package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Mempolicy} (mm/mempolicy.c): mbind. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MempolicyTest extends SyscallTestBase {
    @Test
    void policy_splits_and_default_merges_back() {
        MemPolicy bind = new MemPolicy(2, 0, 0b11);
        /*
         * 012345
         * AA**AA  ->  AABBAA   MPOL_BIND on [2,4): two splits
         */
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.mbind(w(2), pages(2), bind)).isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertThat(assertVma(2, 4, vpn(2), false).policy()).isEqualTo(bind);
        assertVma(0, 2, vpn(0), false);
        assertVma(4, 6, vpn(4), false);
        assertVmg(Kind.SPLIT, Kind.SPLIT);
        /*
         * 012345
         * AA**AA  ->  AABBAA   an equal policy (another object): nothing to do
         */
        assertThat(mm.mbind(w(2), pages(2), new MemPolicy(2, 0, 0b11))).as("equal by value: no change").isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertVmg();
        /*
         * 012345
         * AA**AA  ->  AAAAAA   MPOL_DEFAULT again: prev extends, middle and next deleted
         */
        assertThat(mm.mbind(w(2), pages(2), null)).isZero();
        assertThat(mm.mapCount()).isEqualTo(1);
        assertVma(0, 6, vpn(0), false);
        assertVmg(Kind.EXISTING_BOTH);
        assertThat(mm.mbind(w(4), pages(4), bind)).as("hole").isEqualTo(Errno.EFAULT);
        assertThat(mm.mapCount()).isEqualTo(1);
    }
}
