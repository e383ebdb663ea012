package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Userfaultfd} (fs/userfaultfd.c): UFFDIO_REGISTER / UNREGISTER. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class UserfaultfdTest extends SyscallTestBase {
    @Test
    void register_splits_and_unregister_merges_back() {
        /*
         * 012345
         * AA**AA  ->  AAUUAA   UFFDIO_REGISTER [2,4) (MISSING, ctx 42): two splits
         */
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.uffdRegister(w(2), pages(2), VM_UFFD_MISSING, 42)).isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertThat(mm.find(w(2)).uffdCtx()).isEqualTo(42);
        assertThat(smaps(2)).contains("um");
        assertVma(0, 2, vpn(0), false);
        assertVma(2, 4, vpn(2), false);
        assertVma(4, 6, vpn(4), false);
        assertVmg(Kind.SPLIT, Kind.SPLIT);
        /*
         * 012345
         * AA**AA  ->  AAAAAA   UFFDIO_UNREGISTER: prev extends, middle and next deleted
         */
        assertThat(mm.uffdRegister(w(2), pages(2), 0, 0)).isZero();
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(assertVma(0, 6, vpn(0), false).uffdCtx()).isZero();
        assertVmg(Kind.EXISTING_BOTH);
    }
}
