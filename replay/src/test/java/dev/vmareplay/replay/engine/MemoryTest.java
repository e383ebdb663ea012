package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.VmaEvent.Kind;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static dev.vmareplay.replay.engine.VmFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviour of {@code Memory}: what a page fault does (mm/memory.c), anon_vma_prepare and its reuse. Validation errnos, the vm_flags each call
 * derives, when it merges or splits, and what it leaves alone. Layouts are drawn one character
 * per page of the window W.
 */
class MemoryTest extends SyscallTestBase {
    @Test
    void read_faults_never_create_an_anon_vma_write_faults_do() {
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        assertThat(mm.fault(w(0), false)).isZero();
        assertThat(mm.find(w(0)).hasAnonVma()).isFalse();
        assertThat(mm.fault(w(0), true)).isZero();
        assertThat(mm.find(w(0)).hasAnonVma()).isTrue();
        assertThat(mm.fault(w(5), true)).isEqualTo(Errno.EFAULT);
        mm.mmap(w(4), pages(2), PROT_READ, ANON, null, 0);
        assertThat(mm.fault(w(4), true)).as("write to read-only memory").isEqualTo(Errno.EFAULT);
    }

    @Test
    void write_fault_reuses_a_compatible_neighbours_anon_vma() {
        /*
         * 0123
         * AABB   A faulted; B differs only in protection: find_mergeable_anon_vma() reuses A's
         */
        mm.mmap(w(0), pages(2), RW, ANON, null, 0);
        mm.fault(w(0), true);
        mm.mprotect(w(0), pages(2), PROT_READ);
        mm.mmap(w(2), pages(2), RW, ANON, null, 0);
        assertVmg(Kind.NEW_NONE, Kind.REFUSED, Kind.NEW_NONE);
        mm.fault(w(2), true);
        assertThat(mm.find(w(2)).anonVma()).isSameAs(mm.find(w(0)).anonVma());
        assertVma(0, 2, vpn(0), true);
        assertVma(2, 4, vpn(2), true);
        assertMapCount(2);
        assertVmg();
    }

    @Test
    void stack_grows_down_on_a_fault_below_it() {
        /*
         * 0123456789ab
         *         **SS  ->  SSSS   a write fault at page 8 grows the stack down (expand_downwards)
         */
        mm.mmap(w(10), pages(2), RW, ANON | MAP_GROWSDOWN, null, 0);
        long pgoff = mm.find(w(10)).pgoff();
        assertThat(pgoff).isEqualTo(vpn(10));
        assertVmg(Kind.NEW_NONE);
        assertThat(mm.fault(w(8) + 12, true)).isZero();
        assertVma(8, 12, pgoff - 2, true);
        assertThat(rec.count(Kind.EXPAND)).isEqualTo(1);
        assertMapCount(1);
        assertVmg(Kind.EXPAND);
    }
}
