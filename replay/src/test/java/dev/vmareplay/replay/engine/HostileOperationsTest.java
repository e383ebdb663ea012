package dev.vmareplay.replay.engine;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.vmareplay.replay.engine.Mman.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile arguments through {@link Mm}: random operation sequences (seeded, reproducible)
 * whose lengths wrap, are zero or negative, whose addresses are unaligned or at the top of
 * the 64-bit space. Every operation must return an errno (never throw), give the kernel's
 * answer where the kernel's answer does not depend on the address space, and leave the tree's
 * invariants intact. See {@link HostileOps} for the checks.
 */
class HostileOperationsTest {

    static void runMany(KernelVersion v, FaultPolicy policy, long seed, int sequences, int steps) {
        for (int s = 0; s < sequences; s++) {
            long sd = seed + s;
            HostileOps ops = new HostileOps(HostileOps.of(new Random(sd)), v, policy);
            for (int i = 0; i < steps; i++) {
                try {
                    ops.step();
                } catch (AssertionError e) {
                    throw new AssertionError("seed " + sd + " step " + i + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + sd + " step " + i + ": " + ops.last + " threw " + e, e);
                }
            }
        }
    }

    @Test
    void hostile_sequences_never_throw_and_keep_the_invariants_on_6_18() {
        runMany(KernelVersion.V6_18, FaultPolicy.WRITE_BEFORE_PROTECT, 0x9_0001L, 400, 150);
    }

    @Test
    void hostile_sequences_on_older_kernels_and_other_fault_policies() {
        runMany(KernelVersion.V6_12, FaultPolicy.OBSERVED_ONLY, 0x9_0612L, 150, 150);
        runMany(KernelVersion.V6_1, FaultPolicy.ASSUME_WRITTEN, 0x9_0601L, 150, 150);
    }

    /** The kernel's answers to the classic bad arguments, one by one, on an address space with a mapping in it. */
    @Test
    void the_kernels_errno_for_each_classic_bad_argument() {
        long P = Mm.PAGE_SIZE, a = 0x7f0000000000L;
        Mm mm = new Mm(KernelVersion.V6_18, FaultPolicy.WRITE_BEFORE_PROTECT, null);
        assertThat(mm.mmap(a, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).isZero();

        // mmap
        assertThat(mm.mmap(a, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("mmap len 0").isEqualTo(Errno.EINVAL);
        assertThat(mm.mmap(a + 1, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("mmap unaligned fixed").isEqualTo(Errno.EINVAL);
        assertThat(mm.mmap(a, -1L, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("mmap len aligns to 0").isEqualTo(Errno.ENOMEM);
        assertThat(mm.mmap(a, -P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("mmap len past TASK_SIZE").isEqualTo(Errno.ENOMEM);
        assertThat(mm.mmap(0xfffffffffffff000L, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("mmap at the top").isEqualTo(Errno.ENOMEM);
        assertThat(mm.mmap(0xffffffffff600000L, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, null, 0)).as("mmap on vsyscall").isEqualTo(Errno.ENOMEM);
        VmaFile f = VmaFile.readOnly(1, "/f");
        assertThat(mm.mmap(a + 8 * P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, 123)).as("mmap unaligned offset").isEqualTo(Errno.EINVAL);
        assertThat(mm.mmap(a + 8 * P, 2 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, f, -P)).as("mmap offset overflow").isEqualTo(Errno.EOVERFLOW);
        // munmap
        assertThat(mm.munmap(a + 0x123, P)).as("munmap unaligned").isEqualTo(Errno.EINVAL);
        assertThat(mm.munmap(a, 0)).as("munmap len 0").isEqualTo(Errno.EINVAL);
        assertThat(mm.munmap(a, -P)).as("munmap len wraps").isEqualTo(Errno.EINVAL);
        assertThat(mm.munmap(a, Long.MAX_VALUE)).as("munmap len huge").isEqualTo(Errno.EINVAL);
        assertThat(mm.munmap(0xfffffffffffff000L, P)).as("munmap at the top").isEqualTo(Errno.EINVAL);
        // mprotect
        assertThat(mm.mprotect(a + 1, P, PROT_READ)).as("mprotect unaligned").isEqualTo(Errno.EINVAL);
        assertThat(mm.mprotect(a, 0, PROT_READ)).as("mprotect len 0").isZero();
        assertThat(mm.mprotect(a, -P, PROT_READ)).as("mprotect len wraps").isEqualTo(Errno.ENOMEM);
        assertThat(mm.mprotect(a, -1L, PROT_READ)).as("mprotect len -1").isEqualTo(Errno.ENOMEM);
        assertThat(mm.mprotect(a, P, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP)).as("mprotect both grows").isEqualTo(Errno.EINVAL);
        // madvise
        assertThat(mm.madvise(a + 1, P, MADV_DONTNEED)).as("madvise unaligned").isEqualTo(Errno.EINVAL);
        assertThat(mm.madvise(a, 0, MADV_DONTNEED)).as("madvise len 0").isZero();
        assertThat(mm.madvise(a, -P, MADV_DONTNEED)).as("madvise len wraps").isEqualTo(Errno.EINVAL);
        assertThat(mm.madvise(a, P, 99)).as("madvise unknown advice").isEqualTo(Errno.EINVAL);
        // mseal
        assertThat(mm.mseal(a + 1, P, 0)).as("mseal unaligned").isEqualTo(Errno.EINVAL);
        assertThat(mm.mseal(a, P, 1)).as("mseal flags").isEqualTo(Errno.EINVAL);
        assertThat(mm.mseal(a, -P, 0)).as("mseal len wraps").isEqualTo(Errno.EINVAL);
        // mremap
        assertThat(mm.mremap(a + 1, P, 2 * P, MREMAP_MAYMOVE, 0)).as("mremap unaligned").isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(a, P, 0, MREMAP_MAYMOVE, 0)).as("mremap new len 0").isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(a, P, 2 * P, 8, 0)).as("mremap unknown flag").isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(a, P, 2 * P, MREMAP_FIXED, a + 16 * P)).as("mremap fixed without maymove").isEqualTo(Errno.EINVAL);
        assertThat(mm.mremap(a, P, -P, MREMAP_MAYMOVE, 0)).as("mremap new len wraps").isNotZero();
        // nothing above changed the one mapping
        mm.checkInvariants();
        assertThat(mm.mapCount()).isEqualTo(1);
        assertThat(mm.mappedBytes()).isEqualTo(4 * P);
    }
}
