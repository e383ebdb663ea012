package dev.vmareplay.replay.engine;

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
        mm.mmap(w(0), pages(6), RW, ANON, null, 0);
        assertThat(mm.uffdRegister(w(2), pages(2), VM_UFFD_MISSING, 42)).isZero();
        assertThat(mm.mapCount()).isEqualTo(3);
        assertThat(mm.find(w(2)).uffdCtx()).isEqualTo(42);
        assertThat(smaps(2)).contains("um");
        assertThat(mm.uffdRegister(w(2), pages(2), 0, 0)).isZero();
        assertThat(mm.mapCount()).isEqualTo(1);
    }
}
