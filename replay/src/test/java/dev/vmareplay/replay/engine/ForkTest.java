package dev.vmareplay.replay.engine;

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
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.mmap(w(2), pages(2), RW, ANON | MAP_LOCKED, null, 0);
        mm.mmap(w(6), pages(2), RW, ANON, null, 0);
        mm.madvise(w(6), pages(2), MADV_DONTFORK);
        mm.mmap(w(10), pages(2), RW, ANON, null, 0);
        mm.fault(w(10), true);
        mm.madvise(w(10), pages(2), MADV_WIPEONFORK);
        mm.fault(w(0), true);
        Mm child = mm.fork();
        assertThat(windowLayout(child)).as("[0,2) and [2,4) became identical but stay apart")
            .isEqualTo("0-2 rw-p, 2-4 rw-p, 10-12 rw-p");
        assertThat(child.find(w(2)).flags() & VM_LOCKED).isZero();
        assertThat(child.find(w(10)).hasAnonVma()).as("wipe on fork").isFalse();
        assertThat(child.find(w(0)).isForkChild()).isTrue();
        assertThat(child.find(w(0)).anonVma()).isNotSameAs(mm.find(w(0)).anonVma());
        assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 rw-p, 6-8 rw-p, 10-12 rw-p");
        child.checkInvariants();
    }

    @Test
    void a_faulted_fork_child_does_not_absorb_new_neighbours_but_the_parent_does() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.fault(w(0), true);
        Mm child = mm.fork();
        mm.mmap(w(2), pages(2), RW, ANON, null, 0);
        child.mmap(w(2), pages(2), RW, ANON, null, 0);
        assertThat(windowLayout(mm)).isEqualTo("0-4 rw-p");
        assertThat(windowLayout(child)).isEqualTo("0-2 rw-p, 2-4 rw-p");
    }
}
