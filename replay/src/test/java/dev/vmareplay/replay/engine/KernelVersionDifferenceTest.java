package dev.vmareplay.replay.engine;

import dev.vmareplay.replay.engine.EngineTestSupport.Recorder;
import dev.vmareplay.replay.engine.VmaEvent.Kind;
import dev.vmareplay.replay.engine.VmaEvent.RefusalReason;
import org.junit.jupiter.api.Test;

import static dev.vmareplay.replay.engine.EngineTestSupport.*;
import static dev.vmareplay.replay.engine.Mman.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where --kernel 6.1 / 6.12 and 6.18 give different layouts or cases (the rules are in KernelVersion), each
 * difference named by the test.
 */
class KernelVersionDifferenceTest {
    static final int RW = PROT_READ | PROT_WRITE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

    final Recorder rec = new Recorder();

    Mm mm(KernelVersion v) {
        rec.clear();
        return new Mm(v, FaultPolicy.OBSERVED_ONLY, rec);
    }

    @Test
    void parses_the_command_line_spellings() {
        assertThat(KernelVersion.parse("6.1")).isEqualTo(KernelVersion.V6_1);
        assertThat(KernelVersion.parse("6.12")).isEqualTo(KernelVersion.V6_12);
        assertThat(KernelVersion.parse("6.18")).isEqualTo(KernelVersion.V6_18);
        assertThat(KernelVersion.parse("v6.18.44")).isEqualTo(KernelVersion.V6_18);
        assertThat(KernelVersion.V6_12.toString()).isEqualTo("6.12");
        assertThatThrownBy(() -> KernelVersion.parse("5.10")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KernelVersion.parse("six")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * 6.16 "mm/vma: fix incorrectly disallowed anonymous VMA merges": munlock of a faulted middle
     * between unfaulted neighbours merges on 6.18; before, an unfaulted target (empty chain) could
     * not absorb a faulted range.
     * <pre>
     * 01234567
     * AABBBBCC   B faulted by mlock; munlock B
     * </pre>
     */
    @Test
    void faulted_range_merges_into_unfaulted_neighbours_only_since_6_16() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(8), RW, ANON, null, 0);
            mm.mlock(w(2), pages(4));
            assertThat(mm.find(w(2)).hasAnonVma()).isTrue();
            mm.munlock(w(2), pages(4));
            if (v == KernelVersion.V6_18) {
                assertThat(windowLayout(mm)).as("%s", v).isEqualTo("0-8 rw-p");
                assertThat(rec.count(Kind.EXISTING_BOTH)).isEqualTo(1);
                assertThat(mm.find(w(0)).hasAnonVma()).as("the anon_vma was duplicated into prev").isTrue();
            } else {
                assertThat(windowLayout(mm)).as("%s", v).isEqualTo("0-2 rw-p, 2-6 rw-p, 6-8 rw-p");
                assertThat(rec.refused(RefusalReason.ANON_VMA)).as("%s", v).isEqualTo(2);
            }
        }
    }

    /** 6.1-6.11: a VMA with vm_ops->close never merged; 6.12+: it may be expanded. */
    @Test
    void close_hook_vmas_are_expanded_since_6_12_and_never_merged_before() {
        VmaFile dev = new VmaFile(5, "/dev/fb0", "00:05", 7, true, true, true, false, false);
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(2), RW, MAP_SHARED | MAP_FIXED, dev, 0);
            mm.mmap(w(2), pages(2), RW, MAP_SHARED | MAP_FIXED, dev, pages(2));
            if (v == KernelVersion.V6_1) {
                assertThat(windowLayout(mm)).as("%s", v).isEqualTo("0-2 rw-s, 2-4 rw-s");
                assertThat(rec.refused(RefusalReason.CLOSE)).isEqualTo(1);
            } else {
                assertThat(windowLayout(mm)).as("%s", v).isEqualTo("0-4 rw-s");
                assertThat(rec.count(Kind.NEW_LEFT)).isEqualTo(1);
            }
        }
    }

    /** 6.7+: MAP_STACK sets VM_NOHUGEPAGE, so stacks stop merging with plain anonymous memory. */
    @Test
    void map_stack_sets_nohugepage_after_6_1() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON | MAP_STACK, null, 0);
            assertThat(windowLayout(mm)).as("%s", v)
                .isEqualTo(v == KernelVersion.V6_1 ? "0-4 rw-p" : "0-2 rw-p, 2-4 rw-p");
        }
    }

    /** 6.13+ guard regions; 6.18.44 marks the VMA VM_MAYBE_GUARD (sticky, ignored by merges). */
    @Test
    void guard_install_exists_from_6_13_and_marks_vmas_on_6_18() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            int r = mm.madvise(w(1), 4096, MADV_GUARD_INSTALL);
            if (v == KernelVersion.V6_18) {
                assertThat(r).isZero();
                assertThat(VmFlags.toSmaps(mm.find(w(0)).flags())).contains("gu");
            } else {
                assertThat(r).as("%s", v).isEqualTo(Errno.EINVAL);
            }
        }
    }

    /** mseal arrived in 6.10. */
    @Test
    void mseal_is_enosys_on_6_1() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(4), RW, ANON, null, 0);
            assertThat(mm.mseal(w(0), pages(2), 0)).as("%s", v).isEqualTo(v == KernelVersion.V6_1 ? Errno.ENOSYS : 0);
        }
    }

    /** 6.17: MREMAP_FIXED of a same-size range spanning VMAs and gaps moves them all. */
    @Test
    void multi_vma_mremap_only_on_6_17_and_later() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), PROT_READ, ANON, null, 0);
            int r = mm.mremap(w(0), pages(4), pages(4), MREMAP_MAYMOVE | MREMAP_FIXED, w(8));
            if (v == KernelVersion.V6_18) {
                assertThat(r).isZero();
                assertThat(windowLayout(mm)).isEqualTo("8-10 rw-p, 10-12 r--p");
            } else {
                assertThat(r).as("%s", v).isEqualTo(Errno.EFAULT);
                assertThat(windowLayout(mm)).isEqualTo("0-2 rw-p, 2-4 r--p");
            }
        }
    }

    /** 6.2+: mprotect RW->R of never-written anonymous memory drops VM_ACCOUNT (6.1 keeps it). */
    @Test
    void write_protecting_untouched_memory_keeps_vm_account_on_6_1() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(2), PROT_READ, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON, null, 0);
            mm.mprotect(w(2), pages(2), PROT_READ);
            assertThat(windowLayout(mm)).as("%s", v)
                .isEqualTo(v == KernelVersion.V6_1 ? "0-2 r--p, 2-4 r--p" : "0-4 r--p");
        }
    }

    /** Every kernel reports the pre-6.12 vma_merge() case number next to the new-era kind. */
    @Test
    void legacy_case_numbers_are_reported_on_every_version() {
        for (KernelVersion v : KernelVersion.values()) {
            Mm mm = mm(v);
            mm.mmap(w(0), pages(2), RW, ANON, null, 0);
            mm.mmap(w(4), pages(2), RW, ANON, null, 0);
            mm.mmap(w(2), pages(2), RW, ANON, null, 0);
            assertThat(rec.last().kind()).isEqualTo(Kind.NEW_BOTH);
            assertThat(rec.last().legacyCase()).isEqualTo(1);
        }
    }
}
