package dev.vmareplay.replay.engine;

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
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        assertThat(mm.mbind(w(2), pages(2), bind)).isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertThat(mm.mbind(w(2), pages(2), new MemPolicy(2, 0, 0b11))).as("equal by value: no change").isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertThat(mm.mbind(w(2), pages(2), null)).isZero();
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(mm.mbind(w(4), pages(4), bind)).as("hole").isEqualTo(Errno.EFAULT);
        assertThat(mm.mapCount()).isEqualTo(1);
    }
}
